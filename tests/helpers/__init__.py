"""What several test files share: the entrypoint run as a user runs it, a fake OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import ROOT


def slmfix_command(*args: str, launcher: list[str] | None = None) -> list[str]:
    """`python -m slmfix_exp <args>`, or `<launcher> -m slmfix_exp <args>` (a launcher: e.g. accelerate's python)."""
    return [*(launcher or [sys.executable]), "-m", "slmfix_exp", *args]


def slmfix(*args: str, launcher: list[str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """The entrypoint run from the repository root, unbuffered, its output captured (Hydra logs to stdout)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = slmfix_command(*args, launcher=launcher)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@contextmanager
def chat_server(answer: Callable[[dict[str, Any]], list[str] | None]) -> Iterator[str]:
    """A local OpenAI-compatible chat endpoint, and its base URL: each request's body goes to `answer`, whose texts
    are the response's choices in order (None: a 503, for the client to retry)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            texts = answer(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            if texts is None:
                self.send_response(503)
                self.end_headers()
                return
            choices = [{"index": k, "message": {"content": text}} for k, text in enumerate(texts)]
            data = json.dumps({"choices": choices}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # a client that timed out has gone
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()


def absent_utility() -> str:
    """A utility Debian has but this machine hasn't installed: the Bash checker has no spec for it (a warning)."""
    from slmfix_exp.dsl.bash.known import installed

    return next(u for u in ("cowsay", "finger", "cpio", "rsync", "dig", "sl") if not installed(u))
