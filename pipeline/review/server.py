"""Serving the annotate app on loopback (a free port by default).

Requests are not logged (only server errors, status 500 and above) unless ``verbose``,
and log lines are plain text, without colour codes.
"""

from __future__ import annotations

import logging
import socket
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

HOST = "127.0.0.1"
log = logging.getLogger("pipeline.review.server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class RequestLog(WSGIRequestHandler):
    """Werkzeug's handler with a plain, quiet request log."""

    verbose = False

    def log_request(self, code="-", size="-") -> None:
        status = getattr(code, "value", code)
        if self.verbose or (str(status).isdigit() and int(status) >= 500):
            log.warning('%s "%s" %s %s', self.address_string(), self.requestline, status, size)

    def log_error(self, format: str, *args) -> None:
        log.error("%s %s", self.address_string(), format % args)


def _handler(verbose: bool) -> type[RequestLog]:
    return type("Handler", (RequestLog,), {"verbose": verbose})


def _log_to_stderr() -> None:
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def serve(app, port: int, verbose: bool = False) -> None:
    """Serve until interrupted (Ctrl-C)."""
    _log_to_stderr()
    server = make_server(HOST, port, app, threaded=True, request_handler=_handler(verbose))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class BackgroundServer:
    """The app served from a thread (for tests and embedding); ``stop()`` shuts it down."""

    def __init__(self, app, port: int, verbose: bool = False) -> None:
        self.server = make_server(HOST, port, app, threaded=True, request_handler=_handler(verbose))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://{HOST}:{port}/"

    def start(self) -> BackgroundServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
