"""One mail, built: plain-text and HTML parts from templates, in the member's language, with the
signed one-click unsubscribe link (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post), every link
absolute on SITE_URL and the sender named after the Site record."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from forum.lib.mail import mail_subject
from forum.lib.site import mail_sender

from .tokens import unsubscribe_token


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def sender():
    return mail_sender()


def build(*, member, language, kind, template, subject, context):
    """An EmailMultiAlternatives for `member`; `subject` is a callable run in the member's language."""
    token = unsubscribe_token(member.pk, kind)
    with translation.override(language):
        unsubscribe_url = absolute(reverse("mailings:unsubscribe", args=[token]))
        values = {**context, "member": member, "site_name": Site.objects.get_current().name,
                  "site_url": settings.SITE_URL.rstrip("/"), "unsubscribe_url": unsubscribe_url,
                  "preferences_url": absolute(reverse("mailings:preferences")), "language": language}
        text = render_to_string(f"mailings/mail/{template}.txt", values)
        html = render_to_string(f"mailings/mail/{template}.html", values)
        title = mail_subject(subject())
    message = EmailMultiAlternatives(
        title, text, sender(), [member.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Content-Language": "zh-Hans" if language == "zh-hans" else language,
                 "Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message
