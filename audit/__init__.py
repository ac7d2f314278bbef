"""A domain-free, append-only audit log: who did what to whom, and why.

Any app may call `audit.log.audit_record(...)`; this package imports no domain app (only Django and
the user model through settings.AUTH_USER_MODEL), so the arrows stay one-way."""
