"""Docker HEALTHCHECK for the web container.

Healthy when the server (gunicorn for web, uvicorn for live) answers GET / with a status below 500 (the index page reads the database, so a
lost database shows up as a 500). The request carries a Host from ALLOWED_HOSTS and
X-Forwarded-Proto: https, as the TLS proxy in front would, so neither the host check nor the HTTPS
redirect gets in the way. Standard library only; exits 0 (healthy) or 1."""

import http.client
import os
import sys


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
        conn.request("GET", "/", headers={"Host": host_header(), "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"unhealthy: {exc}")
        return 1
    if status >= 500:
        print(f"unhealthy: HTTP {status}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
