"""GET /healthz: 200 while the database answers (Redis and the broker reported, not required), 503
without the database; docker/healthcheck.py probes it and the Dockerfile and compose file use it."""

import http.server
import importlib.util
import threading
from pathlib import Path

import pytest
import yaml
from django.db import OperationalError, connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_healthy_with_the_embedded_defaults(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["redis"] == {"ok": True, "configured": False}


def test_database_down_is_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" failed: password authentication failed')

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert "db.internal" not in response.content.decode()  # no host, user or password in the answer


def test_redis_and_broker_down_is_degraded_not_unhealthy(client, settings):
    settings.REDIS_URL = "redis://:s3cret@127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["redis"]["ok"] is False and body["redis"]["error"]
    assert body["broker"]["ok"] is False and body["broker"]["transport"] == "redis"
    assert "s3cret" not in response.content.decode()


def test_post_is_refused(client):
    assert client.post("/healthz").status_code == 405


# --- the Docker side ----------------------------------------------------------------------------
def _load_healthcheck():
    spec = importlib.util.spec_from_file_location("docker_healthcheck", ROOT / "docker" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False), (500, False)])
def test_healthcheck_script_asks_healthz_and_needs_200(monkeypatch, status, healthy):
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            seen.append(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "x"}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("PORT", str(server.server_port))
        assert (_load_healthcheck().main() == 0) is healthy
    finally:
        server.shutdown()
        server.server_close()
    assert seen == ["/healthz"]


def test_dockerfile_and_compose_use_the_healthcheck_script():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert 'CMD ["python", "/app/docker/healthcheck.py"]' in dockerfile
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    for service in ("web", "live"):
        assert compose["services"][service]["healthcheck"]["test"] == ["CMD", "python", "/app/docker/healthcheck.py"]
