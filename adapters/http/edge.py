"""What wraps every answer, outside Litestar's router so 404, 405 and preflight answers get it too:
an `X-Request-ID`, HEAD wherever GET answers, request metrics and the access log.

The access log writes a path with its control characters (and backslashes) escaped, so a `%0a` in a
URL cannot forge a second line, and writes the route's template instead of the path for a route
whose path carries a secret (declared with `opt=SECRET_PATH`)."""

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
_answering_head: ContextVar[bool] = ContextVar("answering_head", default=False)
access_log = logging.getLogger("nostr_id.access")
# Route option: the path holds a secret (a poll secret), so logs show the route's template instead.
SECRET_PATH = {"secret_path": True}
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def answering_head() -> bool:
    """True while a HEAD request is answered (the router sees it as a GET): a handler must not
    hand out anything once-only, as the body is dropped."""
    return _answering_head.get()


def escape_for_log(text: str) -> str:
    """The text with control characters and backslashes written as `\\xNN` escapes: one log line."""
    return _UNPRINTABLE.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def loggable_path(scope: Scope) -> str:
    """The request's path as logs may show it: escaped, or the route's template for a secret path."""
    handler = scope.get("route_handler")
    if handler is not None and getattr(handler, "opt", {}).get("secret_path"):
        return str(scope.get("path_template") or "-")
    return escape_for_log(str(scope.get("path", "")))


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
        head_token = _answering_head.set(is_head)
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
            path = loggable_path(scope)
            access_log.info(
                "%s %s %d %.1fms",
                method,
                path,
                status,
                elapsed * 1000,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )
            _answering_head.reset(head_token)
            _request_id.reset(token)

    return answer
