"""What wraps every answer, outside Litestar's router so 404, 405 and preflight answers get it too:
an `X-Request-ID`, HEAD wherever GET answers, request metrics and the access log."""

import logging
import os
import re
import time
from contextvars import ContextVar

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.asgi import header
from adapters.http.metrics import HttpMetrics

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the client is kept when it is short and made of characters safe in a log line.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("nostr_id.access")


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute: the id of the request being answered, or '-'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        return True


def request_id_of(scope: Scope) -> str:
    given = header(scope, b"x-request-id")
    if given is not None and _SAFE_REQUEST_ID.fullmatch(text := given.decode("latin-1")):
        return text
    return os.urandom(16).hex()  # 32 random hex digits, as uuid4().hex, at a fifth of its cost


def edge(app: ASGIApp, metrics: HttpMetrics) -> ASGIApp:
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        token = _request_id.set(request_id)
        method = str(scope["method"])
        is_head = method == "HEAD"
        if is_head:
            scope["method"] = "GET"  # type: ignore[typeddict-unknown-key]
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}  # type: ignore[typeddict-item]
            elif is_head and message["type"] == "http.response.body":
                message = {
                    "type": "http.response.body",
                    "body": b"",
                    "more_body": message.get("more_body", False),
                }
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = str(scope.get("path_template") or "unmatched")
            metrics.observe(method, route, status, elapsed)
            access_log.info(
                "%s %s %d %.1fms",
                method,
                scope.get("path", ""),
                status,
                elapsed * 1000,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": scope.get("path", ""),
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )
            _request_id.reset(token)

    return answer
