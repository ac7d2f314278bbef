"""Text that goes into an email header: one line of plain text, whoever wrote it."""

SUBJECT_MAX_LENGTH = 200


def mail_subject(text, *, max_length=SUBJECT_MAX_LENGTH):
    """`text` as an email subject: line breaks, tabs and other control characters (a header
    injection, or a subject Django refuses with BadHeaderError) become single spaces; trimmed to
    `max_length`. The subject is plain text: nothing in it is markup, so nothing is escaped here."""
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text or ""))
    return " ".join(flat.split())[:max_length]
