"""A small SMS gateway on loopback for integration tests and the OTP benchmark: answers 503 to
the first `failures` requests, then 200, and records every request with its arrival time."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    status: int
    body: dict
    headers: dict
    at: float


@dataclass
class LoopbackGateway:
    failures: int = 0
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/messages"

    @property
    def delivered(self) -> list[Received]:
        return [received for received in self.requests if received.status == 200]

    def start(self) -> LoopbackGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status = 503 if gateway.failures > 0 else 200
                gateway.failures -= 1 if status == 503 else 0
                gateway.requests.append(Received(status, body, dict(self.headers), time.time()))
                payload = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
