"""Requests/s of `base_llm=openai` (`openai_chat`, through the `openai` SDK) at several `base_llm.concurrency` values,
against a local fake OpenAI-compatible server that answers every request after a fixed delay.

The fake stands for a server that batches concurrent requests (vLLM): a request takes `--delay` seconds however many
others are in flight, so the figure is what the client's concurrency buys when the server is not the bottleneck, the
client's own overhead included. Each concurrency value gets a fresh response cache; concurrency 1 is the baseline,
measured in the same run.

    python experiments/bench_openai.py                              # 64 requests, 50 ms, concurrency 1 and 8
    python experiments/bench_openai.py --requests 128 --delay 0.1 --concurrency 1 4 8 16
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from slmfix_exp.config import OpenAILLMConfig
from slmfix_exp.data.base_llm import openai_chat


def fake_server(delay: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as vLLM's server: the SDK reuses its connections
        disable_nagle_algorithm = True  # else headers and body, two writes, wait out the client's delayed ACK (40 ms)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(delay)
            content = "```sql\nSELECT 1\n```"
            choices = [
                {"index": k, "message": {"role": "assistant", "content": content}} for k in range(body.get("n", 1))
            ]
            data = json.dumps({"id": "x", "object": "chat.completion", "choices": choices}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake server takes per request")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    server = fake_server(args.delay)
    url = f"http://127.0.0.1:{server.server_port}/v1"
    conversations = [[{"role": "user", "content": f"Write query {i}"}] for i in range(args.requests)]
    rates = {}
    try:
        for concurrency in args.concurrency:
            cfg = OpenAILLMConfig(model="fake", base_url=url, concurrency=concurrency)
            with tempfile.TemporaryDirectory() as cache:  # nothing cached: every conversation is a request
                start = time.perf_counter()
                answers = openai_chat(cfg, conversations, Path(cache), desc=f"concurrency {concurrency}")
                seconds = time.perf_counter() - start
            assert len(answers) == args.requests and all(a == ["```sql\nSELECT 1\n```"] for a in answers)
            rates[concurrency] = args.requests / seconds
            rate = rates[concurrency]
            print(f"concurrency {concurrency:>3}: {args.requests} requests in {seconds:.2f} s, {rate:.1f} requests/s")
    finally:
        server.shutdown()
    base = args.concurrency[0]
    ceiling = 1 / args.delay
    for concurrency in args.concurrency[1:]:
        print(
            f"concurrency {concurrency} vs {base}: {rates[concurrency] / rates[base]:.2f}x "
            f"(ideal {concurrency / base:.0f}x; one request at a time can't pass {ceiling:.0f}/s)"
        )


if __name__ == "__main__":
    main()
