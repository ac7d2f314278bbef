"""Signed one-click unsubscribe links: the token names the member and the kind of mail (or "all"),
so the link works without signing in and cannot be forged for someone else."""

from django.core import signing

SALT = "mailings.unsubscribe"


def unsubscribe_token(member_id, kind):
    return signing.dumps({"m": member_id, "k": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token):
    """(member id, kind), or None for a token that was not made here."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("k"), str):
        return None
    return data["m"], data["k"]
