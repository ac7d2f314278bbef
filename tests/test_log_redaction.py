"""No password-reset link or token reaches a log: the console handler's filter and gunicorn's
access log both take them out, and a real reset flow logs nothing that holds the key."""

import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from gunicorn.config import Config

from config.gunicorn_logger import RedactingLogger
from forum.lib.logredact import RedactSecretsFilter, redact

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/key/2s-cz3f1a-6b0c9e3f5d7a8b1c2d3e4f5a6b7c8d9e/"


def test_redact_takes_keys_out_of_addresses():
    assert redact(f"Not Found: {RESET}") == "Not Found: /accounts/password/reset/key/[redacted]/"
    assert redact("GET /accounts/confirm-email/MTI3:1tX:abc/ HTTP/1.1") == \
        "GET /accounts/confirm-email/[redacted]/ HTTP/1.1"
    assert redact("/api/v1/x?page=2&token=hl_abcdef&key=zzz") == "/api/v1/x?page=2&token=[redacted]&key=[redacted]"
    assert redact("/accounts/password/reset/key/done/") == "/accounts/password/reset/key/done/"
    assert redact("/t/12/社区运营/?page=3") == "/t/12/社区运营/?page=3"


def _console_handler():
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING's console handler has no RedactSecretsFilter"
    return handlers[0]


def test_the_configured_console_handler_redacts_django_request_warnings():
    handler = _console_handler()
    record = logging.getLogger("django.request").makeRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (RESET,), None)
    assert handler.filter(record)
    assert record.getMessage() == "Not Found: /accounts/password/reset/key/[redacted]/"


def test_gunicorn_access_log_atoms_are_redacted():
    logger = RedactingLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": RESET + "?next=/", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": RESET, "QUERY_STRING": "token=abc", "HTTP_REFERER": "https://f.example" + RESET,
               "REMOTE_ADDR": "10.0.0.1"}
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[("REFERER", "https://f.example" + RESET)]), environ,
                         timedelta(seconds=0, microseconds=1500))
    line = " ".join(str(v) for v in atoms.values())
    assert "6b0c9e3f5d7a8b1c2d3e4f5a6b7c8d9e" not in line and "abc" not in atoms["q"]
    assert atoms["r"] == "GET /accounts/password/reset/key/[redacted]/?next=/ HTTP/1.1"


def test_a_real_password_reset_logs_no_key(client, member, caplog):
    with caplog.at_level(logging.DEBUG):
        response = client.post("/accounts/password/reset/", {"email": member.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://\S+/password/reset/key/\S+/", mail.outbox[0].body).group()
        path = link.split("://", 1)[1].split("/", 1)[1]
        key = path.rstrip("/").rsplit("/", 1)[1]
        follow = client.get("/" + path)
        assert follow.status_code in (200, 302)
        client.get("/" + path.replace(key[-6:], "xxxxxx"))  # a mistyped link
    handler = _console_handler()
    for record in caplog.records:
        handler.filter(record)  # what the console would print
        assert key not in record.getMessage(), record.name
