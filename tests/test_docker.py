"""docker/ cannot be run here (no Docker engine), so it is kept in step with the code by reading:
every role the compose file starts is one the entry point knows, every variable of env.example is
read by the settings or by docker/ itself, and every variable the settings read is in env.example."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
# read by Compose or by docker/ itself, not by the Django settings
DOCKER_ONLY = {"POSTGRES_PASSWORD", "ELASTICSEARCH_VERSION", "ES_JAVA_OPTS", "HTTP_BIND", "HTTP_PORT", "BACKEND_SUBNET",
               "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "PORT", "WEB_WORKERS", "LIVE_WORKERS", "CELERY_LOG_LEVEL",
               "CELERY_QUEUES", "FORWARDED_ALLOW_IPS", "STATIC_EXPORT_DIR"}


def entrypoint_roles():
    text = (DOCKER / "entrypoint.sh").read_text()
    return set(re.findall(r"^  ([a-z]+)\)$", text, flags=re.M))


def env_example_names():
    text = (DOCKER / "env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def settings_env_names():
    text = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))


def test_every_compose_role_is_known_to_the_entrypoint():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    roles = {svc["command"][0] for svc in compose["services"].values() if "command" in svc
             and svc.get("image", "").startswith("huoli:")}
    assert roles == {"web", "live", "worker", "beat"}
    assert roles <= entrypoint_roles()


def test_web_serves_wsgi_and_live_serves_the_websockets():
    text = (DOCKER / "entrypoint.sh").read_text()
    assert "gunicorn config.wsgi:application" in text
    assert "uvicorn config.asgi:application" in text


def test_env_example_names_only_variables_something_reads():
    unknown = env_example_names() - settings_env_names() - DOCKER_ONLY - {"HUOLI_TESTING"}
    assert not unknown, f"env.example names variables nothing reads: {sorted(unknown)}"


def test_every_setting_variable_is_in_env_example():
    missing = settings_env_names() - env_example_names() - {"HUOLI_TESTING", "PYTEST_XDIST_WORKER"}
    assert not missing, f"settings read variables env.example does not list: {sorted(missing)}"


def test_every_setting_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in settings_env_names() - {"HUOLI_TESTING", "PYTEST_XDIST_WORKER"}
               if f"`{name}`" not in readme}
    assert not missing, f"README's configuration table lacks: {sorted(missing)}"
