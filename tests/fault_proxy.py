"""A small fault-injecting HTTP proxy on 127.0.0.1, in front of the moto server.

Everything is passed through, except requests whose ``X-Amz-Target`` is the write
(``SageMaker.UpdateEndpointWeightsAndCapacities``): those get the proxy's ``mode`` (for the
next ``times`` of them). The faults are the ones real networks and AWS produce around a
write whose answer is lost:

* ``drop``: forward to moto (so the change is applied), then close without an answer;
* ``delay``: forward, then answer only after ``delay_seconds`` (past the client's read
  timeout; bounded, and cut short when the proxy closes);
* ``error-500``: forward, then answer 500 InternalFailure;
* ``in-progress``: forward, then answer 400 "Cannot update in-progress endpoint";
* ``refuse``: do not forward; close without an answer (nothing reaches moto);
* ``hold``: forward, set ``arrived``, answer moto's answer once ``gate`` is set (bounded).

``on_forwarded`` (if set) runs after forwarding and before answering: a colleague's change
landing between our write and our re-read. Every socket has a timeout; ``close()`` stops
the server and wakes any handler that waits.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

WRITE_TARGET = "SageMaker.UpdateEndpointWeightsAndCapacities"
Mode = Literal["pass", "drop", "delay", "error-500", "in-progress", "refuse", "hold"]
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}
#: No wait in the proxy lasts longer than this, whatever a test asks for.
MAX_WAIT_SECONDS = 30.0


class FaultProxy:
    def __init__(self, upstream: str, *, socket_timeout: float = 10.0) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.socket_timeout = socket_timeout
        self.mode: Mode = "pass"
        self.times = 1
        self.delay_seconds = 2.0
        self.on_forwarded: Callable[[], None] | None = None
        self.gate = threading.Event()
        self.arrived = threading.Event()
        self.writes_seen = 0
        self.writes_forwarded = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            timeout = socket_timeout  # applied to the accepted socket

            def do_POST(self) -> None:
                proxy._handle(self)

            do_GET = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def set(self, mode: Mode, *, times: int = 1) -> None:
        with self._lock:
            self.mode = mode
            self.times = times

    def close(self) -> None:
        self._stopping.set()
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- handling -------------------------------------------------------------------------

    def _fault_for(self, handler: BaseHTTPRequestHandler) -> Mode:
        if handler.headers.get("X-Amz-Target") != WRITE_TARGET:
            return "pass"
        with self._lock:
            self.writes_seen += 1
            if self.mode == "pass" or self.times <= 0:
                return "pass"
            self.times -= 1
            return self.mode

    def _forward(
        self, handler: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(
            self.upstream_host, self.upstream_port, timeout=self.socket_timeout
        )
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        fault = self._fault_for(handler)
        handler.close_connection = True
        if fault == "refuse":
            return  # closed without an answer; nothing went upstream
        status, headers, payload = self._forward(handler, body)
        if handler.headers.get("X-Amz-Target") == WRITE_TARGET:
            with self._lock:
                self.writes_forwarded += 1
        if fault != "pass" and self.on_forwarded is not None:
            self.on_forwarded()
        if fault == "drop":
            return
        if fault == "delay":
            self._stopping.wait(min(self.delay_seconds, MAX_WAIT_SECONDS))
        elif fault == "hold":
            self.arrived.set()
            self.gate.wait(MAX_WAIT_SECONDS)
        elif fault == "error-500":
            status, payload = 500, _error("InternalFailure", "An internal error occurred")
            headers = [("Content-Type", "application/x-amz-json-1.1")]
        elif fault == "in-progress":
            message = (
                'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:'
                '123456789012:endpoint/existing-endpoint-name".'
            )
            status, payload = 400, _error("ValidationException", message)
            headers = [("Content-Type", "application/x-amz-json-1.1")]
        try:
            handler.send_response(status)
            for name, value in headers:
                if name.lower() not in _HOP_BY_HOP:
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            pass  # the client gave up (read timeout): that is the point of "delay"


def _error(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()
