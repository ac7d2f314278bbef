import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # the corpus creates a handful of members per test; PBKDF2 would dominate the run time
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
