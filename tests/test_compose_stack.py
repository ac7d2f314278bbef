"""The production stack without a Docker engine: the compose file parsed and checked (services, networks,
which ports are published), the nginx template rendered the way the nginx image renders it and checked by
Debian's `nginx -t` (scripts/test installs nginx when it is missing, as it installs chromium), and the
entry point's refusal of a '*' forwarded-allow list."""

import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
TEMPLATE = DOCKER / "nginx" / "default.conf.template"
NGINX = "/usr/sbin/nginx"


def compose():
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def test_only_nginx_publishes_a_port_and_only_on_loopback_by_default():
    services = compose()["services"]
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"nginx"}
    assert services["nginx"]["ports"] == ["${HTTP_BIND:-127.0.0.1}:${HTTP_PORT:-8080}:80"]
    for name in ("web", "live"):
        assert services[name]["expose"] == ["8000"]
        assert services[name]["networks"] == ["backend"]


def test_every_service_is_on_the_backend_network_with_a_fixed_subnet():
    data = compose()
    for name, svc in data["services"].items():
        assert svc["networks"] == ["backend"], name
    assert data["networks"]["backend"]["ipam"]["config"] == [{"subnet": "${BACKEND_SUBNET:-172.30.0.0/24}"}]


def test_web_and_live_trust_forwarded_headers_from_the_backend_network_only():
    services = compose()["services"]
    for name in ("web", "live", "worker-interactive", "beat"):
        assert services[name]["environment"]["FORWARDED_ALLOW_IPS"] == "${BACKEND_SUBNET:-172.30.0.0/24}", name
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    servers = [line for line in entrypoint.splitlines() if "--forwarded-allow-ips" in line]
    assert servers and all("'*'" not in line for line in servers)
    assert entrypoint.count('--forwarded-allow-ips "$FORWARDED_ALLOW_IPS"') == 2


def _entrypoint(env):
    return subprocess.run(["sh", str(DOCKER / "entrypoint.sh"), "true"], env={"PATH": os.environ["PATH"], **env},
                          capture_output=True, text=True, timeout=30)


def test_the_entrypoint_refuses_a_wildcard_forwarded_allow_list():
    refused = _entrypoint({"FORWARDED_ALLOW_IPS": "*"})
    assert refused.returncode == 64
    assert "FORWARDED_ALLOW_IPS 不能是 '*'" in refused.stderr
    assert _entrypoint({"FORWARDED_ALLOW_IPS": "172.30.0.0/24"}).returncode == 0
    assert _entrypoint({}).returncode == 0  # default 127.0.0.1


def test_nginx_serves_static_and_media_from_the_volumes_read_only():
    services = compose()["services"]
    nginx = services["nginx"]
    assert "media:/srv/media:ro" in nginx["volumes"]
    assert "static:/srv/static:ro" in nginx["volumes"]
    assert "./nginx/default.conf.template:/etc/nginx/templates/default.conf.template:ro" in nginx["volumes"]
    assert nginx["environment"]["WEB_UPSTREAM"] == "web:8000"
    assert nginx["environment"]["LIVE_UPSTREAM"] == "live:8000"
    web = services["web"]
    assert "static:/srv/static" in web["volumes"] and web["environment"]["STATIC_EXPORT_DIR"] == "/srv/static"
    assert "media:/app/media" in compose()["x-app"]["volumes"]


def test_one_worker_per_kind_of_work_and_minio_as_an_optional_profile():
    services = compose()["services"]
    queues = {name: svc["environment"]["CELERY_QUEUES"] for name, svc in services.items()
              if svc.get("command") == ["worker"]}
    assert queues == {"worker-interactive": "interactive,celery", "worker-bulk": "bulk", "worker-scoring": "scoring"}
    assert services["minio"]["profiles"] == ["s3"]
    assert all("profiles" not in svc for name, svc in services.items() if name != "minio")


def render_template(web="127.0.0.1:18000", live="127.0.0.1:18001", limit="6m"):
    """What the nginx image's 20-envsubst-on-templates.sh makes of the template: only the variables the
    container defines are replaced, nginx's own $variables stay."""
    text = TEMPLATE.read_text()
    for name, value in {"WEB_UPSTREAM": web, "LIVE_UPSTREAM": live, "UPLOAD_LIMIT": limit}.items():
        text = text.replace("${" + name + "}", value)
    assert not re.search(r"\$\{[A-Z_]+\}", text), "a template variable the compose file does not set"
    return text


def nginx_test(tmp_path, server_conf):
    (tmp_path / "default.conf").write_text(server_conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    client_body_temp_path {tmp_path}/body;\n"
        f"    proxy_temp_path {tmp_path}/proxy;\n"
        "    access_log off;\n"
        f"    include {tmp_path}/default.conf;\n"
        "}\n"
    )
    return subprocess.run([NGINX, "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                           "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=30)


def test_debian_nginx_accepts_the_rendered_config(tmp_path):
    result = nginx_test(tmp_path, render_template())
    assert result.returncode == 0, result.stderr


def test_nginx_t_rejects_a_broken_config(tmp_path):
    """The check above can fail: a config with an unknown directive is refused."""
    result = nginx_test(tmp_path, render_template().replace("server_tokens off;", "server_tokens off; bogus on;"))
    assert result.returncode != 0
    assert "unknown directive" in result.stderr


def test_the_rendered_config_routes_each_path():
    conf = render_template()
    assert "server 127.0.0.1:18000;" in conf and "server 127.0.0.1:18001;" in conf
    assert re.search(r"location /static/ \{\s*alias /srv/static/;", conf)
    ws = conf[conf.index("location /ws/ {"):]
    ws = ws[:ws.index("}")]
    assert "proxy_pass http://huoli_live;" in ws
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection $huoli_connection_upgrade;" in ws
    root = conf[conf.index("    location / {"):]
    root = root[:root.index("}")]
    assert "proxy_pass http://huoli_web;" in root
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $huoli_forwarded_proto",
                   "X-Forwarded-Host $host", "Host $host"):
        assert f"proxy_set_header {header};" in ws and f"proxy_set_header {header};" in root
    # member uploads: images only, nosniff and a sandboxing CSP, anything else under /media/ is a 404
    image_locations = re.findall(r'location ~\* "\^/media/(\S+)" \{', conf)
    assert image_locations and all(loc.endswith(("(png|jpg|gif|webp)$", "(png|jpe?g|gif|webp)$"))
                                   for loc in image_locations)
    assert re.search(r"location /media/ \{\s*return 404;", conf)
    assert conf.count('X-Content-Type-Options "nosniff" always') >= 3


# --- uploads: the filesystem by default, an S3-compatible bucket with STORAGE_BACKEND=s3 ---------------

def _settings_probe(code, **env):
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT),
             "DATABASE_URL": "", "REDIS_URL": "", "ELASTICSEARCH_URL": "", **env}
    import sys

    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_uploads_use_the_filesystem_by_default():
    out = _settings_probe("from django.core.files.storage import storages; s = storages[\"default\"]; print(type(s).__name__)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "FileSystemStorage"


def test_storage_backend_s3_puts_uploads_in_the_bucket():
    out = _settings_probe(
        "from django.core.files.storage import storages\n"
        "s = storages['default']\n"
        "print(type(s).__module__, type(s).__name__, s.bucket_name, s.endpoint_url, s.location,"
        " s.querystring_auth, s.url('uploads/2026/12/x.png'))",
        STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="huoli-media", AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_ACCESS_KEY_ID="huoli", AWS_SECRET_ACCESS_KEY="secret-for-the-test",
        AWS_S3_CUSTOM_DOMAIN="media.forum.example.com")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["storages.backends.s3", "S3Storage", "huoli-media", "http://minio:9000", "media",
                                  "False", "https://media.forum.example.com/media/uploads/2026/12/x.png"]


def test_an_unknown_storage_backend_is_refused():
    out = _settings_probe("", STORAGE_BACKEND="ftp")
    assert out.returncode != 0
    assert "STORAGE_BACKEND 只能是 filesystem 或 s3" in out.stderr
