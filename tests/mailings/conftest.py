"""A real SMTP server on loopback (aiosmtpd), started per test, that keeps what it receives."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://huoli.example.org"
    settings.HUOLI = {**django_settings.HUOLI, "MAIL_IMMEDIATE_DELAY": 0, "PM_MIN_LEVEL": 1}
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(pk=django_settings.SITE_ID, defaults={"domain": "huoli.example.org",
                                                                        "name": "活力社区"})
    Site.objects.clear_cache()
    yield inbox
    controller.stop()


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
