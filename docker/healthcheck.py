"""Docker HEALTHCHECK for the web and live containers.

Healthy when the server (gunicorn for web, uvicorn for live) answers GET /healthz with 200
(config/health.py: 503 when the database is unreachable; Redis and the broker are reported in the
body, and a Redis outage alone leaves the container healthy, since the site degrades without it). The request carries a Host from ALLOWED_HOSTS and
X-Forwarded-Proto: https, as the TLS proxy in front would, so neither the host check nor the HTTPS
redirect gets in the way. Standard library only; exits 0 (healthy) or 1."""

import http.client
import os
import sys

PATH = "/healthz"


def host_header():
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main():
    port = int(os.environ.get("PORT", "8000"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
        conn.request("GET", PATH, headers={"Host": host_header(), "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        status, body = response.status, response.read(2000).decode("utf-8", "replace")
    except OSError as exc:
        print(f"unhealthy: {exc}")
        return 1
    if status != 200:
        print(f"unhealthy: HTTP {status} {body}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
