"""gunicorn's logger with secrets taken out of every access-log atom (the request line, the path,
the query string, the Referer): docker/entrypoint.sh runs gunicorn with
`--logger-class config.gunicorn_logger.RedactingLogger`. See forum.lib.logredact."""

from gunicorn.glogging import Logger

from forum.lib.logredact import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {name: redact(value) if isinstance(value, str) else value
                for name, value in super().atoms(resp, req, environ, request_time).items()}
