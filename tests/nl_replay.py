"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol (enough of it
for the `openai` client), replaying scripted answers: the NL front end's tests run against it
with no language model anywhere and nothing from the network.

    with ReplayServer(["```json {...formulation...}```", "```json {...model...}```"]) as server:
        om.solve_text("...", base_url=server.base_url, model="replay")   # stream=True: as events
        server.requests   # every request: its path, JSON body and headers (lower-case names)
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Script = Callable[[list[dict[str, str]]], str]


class ReplayServer:
    """Answers each POST .../chat/completions with `script(messages)` (a callable) or the next
    string of a list (the last one again once the list runs out). `fail=(status, body)` answers
    every request with that error instead; "$KEY" in its body becomes the bearer token sent, as
    endpoints that quote a refused key do."""

    def __init__(self, script: Script | list[str] | None = None, fail: tuple[int, dict] | None = None):
        self.script, self.fail = script, fail
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with server._lock:
                    server.requests.append(
                        {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                    )
                    status, answer = server._answer(self.path, body, self.headers.get("Authorization", ""))
                if status == 200 and body.get("stream"):
                    self._events(chunks(answer, bool(body.get("stream_options", {}).get("include_usage"))))
                    return
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _events(self, events: list[dict[str, Any]]) -> None:
                """A streamed answer: server-sent events, one chunk each, then [DONE]."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for event in [*map(json.dumps, events), "[DONE]"]:
                    self.wfile.write(f"data: {event}\n\n".encode())
                    self.wfile.flush()

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def _answer(self, path: str, body: dict, authorization: str) -> tuple[int, dict]:
        if self.fail is not None:
            status, error = self.fail
            key = authorization.removeprefix("Bearer ")
            return status, json.loads(json.dumps(error).replace("$KEY", key))
        if not path.endswith("/chat/completions"):
            return 404, {"error": {"message": f"no route {path}"}}
        messages = body.get("messages", [])
        if callable(self.script):
            content = self.script(messages)
        else:
            answers = self.script or [""]
            done = sum(1 for m in messages if m.get("role") == "assistant")  # answers given so far
            content = answers[min(done, len(answers) - 1)]
        return 200, completion(content, body.get("model", "replay"))

    @property
    def sent(self) -> list[str]:
        """The last user message of every request, in order."""
        return [r["body"]["messages"][-1]["content"] for r in self.requests]

    def __enter__(self) -> "ReplayServer":
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="replay-server").start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def completion(content: str, model: str) -> dict[str, Any]:
    """A chat.completion object as OpenAI's API returns it."""
    return {
        "id": "chatcmpl-replay",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


def chunks(answer: dict[str, Any], usage: bool, size: int = 16) -> list[dict[str, Any]]:
    """A chat.completion as the chat.completion.chunk objects of a stream: its text in pieces
    of `size` characters, the finish reason, then the usage when it was asked for."""
    text = answer["choices"][0]["message"]["content"]
    head = {
        "id": answer["id"],
        "object": "chat.completion.chunk",
        "created": answer["created"],
        "model": answer["model"],
    }

    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    pieces = [text[k : k + size] for k in range(0, len(text), size)]
    events = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": p}) for p in pieces]
    events.append(chunk({}, "stop"))
    return events + ([{**head, "choices": [], "usage": answer["usage"]}] if usage else [])


def fenced(doc: dict | str) -> str:
    """`doc` as a language model writes it: a sentence, then a ```json fenced block."""
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=1)
    return f"Here it is.\n```json\n{text}\n```\n"
