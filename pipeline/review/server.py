"""Serving the annotate app on loopback (a free port by default).

Requests are not logged (only server errors, status 500 and above) unless ``verbose``,
and log lines are plain text, without colour codes.
"""

from __future__ import annotations

import logging
import socket
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .. import errors

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


def listening(port: int) -> socket.socket:
    """A socket listening on ``port`` of loopback (as werkzeug would bind it); a port that
    cannot be had is a one-line error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(socket.SOMAXCONN)
    except OSError as exc:
        sock.close()
        msg = errors.PORT_UNUSABLE.format(port=port, reason=exc.strerror or exc)
        raise errors.ClaimsError(msg) from None
    return sock


def serve(app, port: int, verbose: bool = False, on_ready=None) -> None:
    """Serve until interrupted (Ctrl-C); ``on_ready()`` runs once the port is ours (to
    announce the URL and open the browser). A port in use is a one-line error, before
    anything is announced or opened."""
    _log_to_stderr()
    with listening(port) as sock:  # werkzeug would print and exit on a port in use
        server = make_server(
            HOST, port, app, threaded=True, request_handler=_handler(verbose), fd=sock.fileno()
        )
    if on_ready is not None:
        on_ready()
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
