"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for wire-level tests of the llm module.

Each request to /v1/chat/completions takes the next `Reply` from the queue (the last one repeats).
Replies can be normal completions, SSE streams (optionally cut in the middle), HTTP errors with
headers (e.g. Retry-After), raw malformed bodies, or a delay longer than the client's timeout.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = "ok"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as-is instead of a completion body
    delay: float = 0.0
    stream_cut_after: int | None = None  # for streams: drop the connection after N chunks
    finish_reason: str = "stop"  # "length" for a reply cut by max_tokens


def completion_body(text: str, model: str = "fake", finish_reason: str = "stop") -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 11, "completion_tokens": max(1, len(text.split())), "total_tokens": 12},
    }


class FakeOpenAI:
    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.replies: list[Reply] = list(replies or [Reply()])
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server._send(self, body, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _send(self, handler: BaseHTTPRequestHandler, request: dict, reply: Reply) -> None:
        if reply.status != 200 or reply.raw is not None:
            payload = (
                reply.raw
                if reply.raw is not None
                else json.dumps(
                    {"error": {"message": f"scripted {reply.status}", "type": "fake", "code": reply.status}}
                ).encode()
            )
            handler.send_response(reply.status)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(payload)))
            for k, v in reply.headers.items():
                handler.send_header(k, v)
            handler.end_headers()
            handler.wfile.write(payload)
            return
        if request.get("stream"):
            handler.send_response(200)
            handler.send_header("content-type", "text/event-stream")
            handler.end_headers()
            words = reply.text.split(" ")
            for i, word in enumerate(words):
                if reply.stream_cut_after is not None and i >= reply.stream_cut_after:
                    handler.wfile.flush()
                    # Drop the connection with a TCP reset, as a crashed server or proxy would.
                    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    handler.connection.close()
                    return
                piece = word if i == 0 else " " + word
                chunk = {
                    "id": "c",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
                handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                handler.wfile.flush()
            done = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "fake",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            handler.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
            return
        payload = json.dumps(completion_body(reply.text, request.get("model", "fake"), reply.finish_reason)).encode()
        handler.send_response(200)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
