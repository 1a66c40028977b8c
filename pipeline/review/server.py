"""Serving the annotate app on loopback (a free port by default)."""

from __future__ import annotations

import socket
import threading

from werkzeug.serving import make_server

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def serve(app, port: int) -> None:
    """Serve until interrupted (Ctrl-C)."""
    server = make_server(HOST, port, app, threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class BackgroundServer:
    """The app served from a thread (for tests and embedding); ``stop()`` shuts it down."""

    def __init__(self, app, port: int) -> None:
        self.server = make_server(HOST, port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://{HOST}:{port}/"

    def start(self) -> BackgroundServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
