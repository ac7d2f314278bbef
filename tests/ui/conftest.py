from tests.realtime.conftest import live_asgi, migrated_rows, pristine_db  # noqa: F401 - the browser tests' server
