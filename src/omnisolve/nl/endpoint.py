"""The language model: any OpenAI-compatible chat-completions endpoint, through the `openai`
package (OpenAI, Ollama, vLLM, a llama.cpp server, a gateway).

The API key is read from `OPENAI_API_KEY` when a `Chat` is made and handed to the client only:
it is never logged, printed, kept in a result, or left in an error message (any text an
endpoint answers with is cleaned of it first)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, cast
from urllib.parse import urlsplit, urlunsplit

from omnisolve.errors import OmnisolveError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
#: sent when OPENAI_API_KEY is unset: local servers (Ollama, vLLM, llama.cpp) want no key, and
#: the client refuses to start without one
NO_KEY = "no-key"


class EndpointError(OmnisolveError):
    """The language model cannot be used: unreachable, no answer in time, the key refused, the
    model unknown. Exit code 4, as for a chosen solver that is not available. `reason` is the
    message without the endpoint's name."""

    exit_code = 4

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


@dataclass(frozen=True)
class Endpoint:
    """Where the language model is and how long to wait for it; holds no key."""

    base_url: str
    model: str
    timeout: float = 120.0  # seconds per request; streamed: seconds between two pieces of it
    max_retries: int = 2  # the client's own retries of failed connections, 408, 429 and 5xx
    stream: bool = False  # answers arrive piece by piece (server-sent events) as they are written

    @classmethod
    def resolve(
        cls,
        base_url: str | None = None,
        model: str | None = None,
        timeout: float = 120.0,
        max_retries: int = 2,
        stream: bool = False,
    ) -> "Endpoint":
        """The arguments, else `OPENAI_BASE_URL` / `OMNISOLVE_NL_MODEL`, else OpenAI's API and
        DEFAULT_MODEL."""
        return cls(
            base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL,
            model or os.environ.get("OMNISOLVE_NL_MODEL") or DEFAULT_MODEL,
            timeout,
            max_retries,
            stream,
        )

    @property
    def shown(self) -> str:
        """The base URL without user, password, query or fragment: safe to print."""
        parts = urlsplit(self.base_url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, "", "")) if host else "?"

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EndpointError(f"the language model's base URL must be http(s)://host[:port]/path, not {self.shown!r}")


@dataclass(frozen=True)
class Reply:
    text: str
    tokens: int  # prompt + completion tokens as the endpoint counts them (0 when it does not say)


class Chat:
    """Chat completions at one endpoint. `on_text` sees each answer as it arrives: piece by
    piece when the endpoint streams, whole otherwise (a progress display, a live echo)."""

    def __init__(self, endpoint: Endpoint, on_text: Callable[[str], None] | None = None):
        from openai import OpenAI

        self.endpoint = endpoint
        self.on_text = on_text
        self._key = os.environ.get("OPENAI_API_KEY", "")
        self._client = OpenAI(
            api_key=self._key or NO_KEY,
            base_url=endpoint.base_url,
            timeout=endpoint.timeout,
            max_retries=endpoint.max_retries,
        )

    def __repr__(self) -> str:
        return f"Chat({self.endpoint.shown}, model={self.endpoint.model!r})"

    def ask(self, messages: list[dict[str, str]], temperature: float) -> Reply:
        """The model's answer to `messages`; `EndpointError` when there is none."""
        import openai

        try:
            reply = (
                self._streamed(messages, temperature) if self.endpoint.stream else self._whole(messages, temperature)
            )
        except openai.APIStatusError as exc:
            raise self._error(self._status_reason(exc)) from None
        except openai.APITimeoutError:
            raise self._error(f"no answer within {self.endpoint.timeout:g} s") from None
        except openai.APIConnectionError as exc:
            raise self._error(f"cannot connect ({self._clean(_cause(exc))})") from None
        except openai.OpenAIError as exc:
            raise self._error(self._clean(str(exc))) from None
        if reply is None:
            raise self._error("the answer holds no choices (is this a chat-completions endpoint?)")
        return reply

    def _whole(self, messages: list[dict[str, str]], temperature: float) -> Reply | None:
        completion: Any = self._client.chat.completions.create(
            model=self.endpoint.model, messages=cast(Any, messages), temperature=temperature
        )
        choices = getattr(completion, "choices", None) or []
        if not choices:
            return None
        text = choices[0].message.content or ""
        if self.on_text is not None:
            self.on_text(text)
        return Reply(text, _total_tokens(completion))

    def _streamed(self, messages: list[dict[str, str]], temperature: float) -> Reply | None:
        """The answer from its chunks; the token count from the last one (`include_usage`)."""
        stream: Any = self._client.chat.completions.create(
            model=self.endpoint.model,
            messages=cast(Any, messages),
            temperature=temperature,
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces: list[str] = []
        tokens, chosen = 0, False
        for chunk in stream:
            tokens = _total_tokens(chunk) or tokens
            for choice in getattr(chunk, "choices", None) or []:
                chosen = True
                piece = getattr(choice.delta, "content", None) or ""
                if piece and choice.index == 0:
                    pieces.append(piece)
                    if self.on_text is not None:
                        self.on_text(piece)
        return Reply("".join(pieces), tokens) if chosen else None

    def _status_reason(self, exc: Any) -> str:
        status = exc.status_code
        if status == 401:
            return "HTTP 401: the API key was refused (set OPENAI_API_KEY)"
        if status == 404:
            return f"HTTP 404: no model {self.endpoint.model!r} or no chat-completions endpoint there"
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = body.get("message") or body.get("detail") or body.get("error") or exc.message
        return f"HTTP {status}: {self._clean(str(detail))}"

    def _error(self, reason: str) -> EndpointError:
        return EndpointError(f"language model {self.endpoint.model!r} at {self.endpoint.shown}: {reason}", reason)

    def _clean(self, text: str) -> str:
        """`text` with the key blanked out (an endpoint may quote what it was sent)."""
        return text.replace(self._key, "***") if self._key else text


def _total_tokens(answer: Any) -> int:
    """Prompt + completion tokens as the endpoint counts them; 0 when it does not say."""
    usage = getattr(answer, "usage", None)
    return int(getattr(usage, "total_tokens", 0) or 0)


def _cause(exc: BaseException) -> str:
    """The innermost reason of a connection failure ("Connection refused"), on one line."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc).split("] ")[-1] or type(exc).__name__
    return " ".join(text.split())
