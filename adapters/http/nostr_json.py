"""GET /.well-known/nostr.json: the hottest public path, served by a bare ASGI endpoint.

The endpoint is registered as a Litestar `@asgi` route, and `nostr_json_fast_path` hands requests
for exactly this path to it before Litestar's router and the HTTP edge: a warm answer then costs
a dict lookup and two `send` calls. The fast path still counts each answer in the request metrics and
carries an X-Request-ID like every answer; it writes no access-log line (the hottest path stays out
of the log).

The directory keeps ready answers (encoded body and ETag) in this process, in front of the Cache
and PostgreSQL. Every answer, errors and preflights
included, carries `Access-Control-Allow-Origin: *`; nothing redirects.
"""

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import msgspec
from litestar import asgi
from litestar.handlers import ASGIRouteHandler
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    Reference,
    Schema,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.edge import request_id_of
from adapters.http.metrics import HttpMetrics
from adapters.http.problems import PROBLEM_JSON
from application.names.nostr_json import Answer, NostrJsonDirectory
from domain.errors import DependencyUnavailable
from domain.pubkeys import HEX_PUBKEY

log = logging.getLogger("nostr_id.http")
PATH = "/.well-known/nostr.json"
CACHE_CONTROL = b"public, max-age=60"
CORS = (b"access-control-allow-origin", b"*")
PREFLIGHT_HEADERS = [
    CORS,
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-max-age", b"86400"),
    (b"allow", b"GET, HEAD, OPTIONS"),
]


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _requested_name(query: bytes) -> str | None:
    if query.startswith(b"name=") and b"&" not in query and b"%" not in query and b"+" not in query:
        return query[5:].decode("latin-1")
    values = parse_qs(query.decode("latin-1"), keep_blank_values=True).get("name")
    return values[0] if values else None


def _etag_matches(if_none_match: bytes, etag: str) -> bool:
    wanted = etag.encode()
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == wanted:
            return True
    return False


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_answer(scope: Scope, send: Send, answer: Answer) -> None:
    headers = [
        CORS,
        (b"cache-control", CACHE_CONTROL),
        (b"etag", answer.etag.encode()),
    ]
    if_none_match = _header(scope, b"if-none-match")
    if if_none_match is not None and _etag_matches(if_none_match, answer.etag):
        await _send(send, 304, headers)
        return
    headers.append((b"content-type", b"application/json"))
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await _send(send, 200, headers, b"" if scope["method"] == "HEAD" else answer.body)


def _problem(status: int, title: str, detail: str) -> bytes:
    return msgspec.json.encode({"type": "about:blank", "title": title, "status": status, "detail": detail})


def nostr_json_endpoint(directory_of: Callable[[], Any], default_host: str) -> ASGIApp:
    """The endpoint, with the directory looked up from the container on the first request."""
    found: list[NostrJsonDirectory] = []
    default = default_host.encode()

    async def nostr_json(scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "OPTIONS":
            await _send(send, 204, PREFLIGHT_HEADERS)
            return
        if method not in ("GET", "HEAD"):
            body = _problem(405, "Method Not Allowed", "nostr.json answers GET, HEAD and OPTIONS")
            await _send(send, 405, [*PREFLIGHT_HEADERS, (b"content-type", b"application/problem+json")], body)
            return
        if not found:
            found.append(directory_of())
        directory = found[0]
        host = (_header(scope, b"host") or default).decode("latin-1")
        try:
            answer = await directory.answer(host, _requested_name(scope["query_string"]))
        except DependencyUnavailable as error:
            body = _problem(503, error.title, "names cannot be looked up right now; retry shortly")
            headers = [CORS, (b"content-type", b"application/problem+json"), (b"retry-after", b"5")]
            await _send(send, 503, headers, body)
            return
        except Exception:  # any other failure still answers with CORS, as a problem
            log.exception("nostr.json failed")
            body = _problem(500, "Internal Server Error", "The server could not complete the request.")
            await _send(send, 500, [CORS, (b"content-type", b"application/problem+json")], body)
            return
        await _send_answer(scope, send, answer)

    return nostr_json


def nostr_json_route(endpoint: ASGIApp) -> ASGIRouteHandler:
    """The endpoint as Litestar's lightest route (reached only when the fast path is not in front)."""
    return asgi(PATH, copy_scope=False)(endpoint)


def nostr_json_fast_path(app: ASGIApp, endpoint: ASGIApp, metrics: HttpMetrics) -> ASGIApp:
    """Answers requests for exactly PATH with the endpoint; everything else goes to `app`."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = request_id_of(scope).encode()

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message["headers"], (b"x-request-id", request_id)]
                message = {**message, "headers": headers}  # type: ignore[typeddict-item]
            await send(message)

        try:
            await endpoint(scope, receive, counted)
        finally:
            metrics.observe(scope["method"], PATH, status, time.perf_counter() - started)

    return dispatch


def _answer_schema() -> Schema:
    hex_pubkey = Schema(type=OpenAPIType.STRING, pattern=f"^{HEX_PUBKEY.pattern}$")
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["names"],
        properties={
            "names": Schema(type=OpenAPIType.OBJECT, additional_properties=hex_pubkey),
            "relays": Schema(
                type=OpenAPIType.OBJECT,
                additional_properties=Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING)),
            ),
        },
    )


def document_nostr_json(schema: OpenAPI) -> None:
    """Adds the path to the OpenAPI document: Litestar documents no `@asgi` route by itself."""
    cors = {"Access-Control-Allow-Origin": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING))}
    problem = {PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))}
    operation = Operation(
        tags=["nip-05"],
        summary="NIP-05 names of the domain in the Host header",
        description=(
            "The requested name's pubkey and relays when the name is active on this domain, "
            '`{"names": {}}` otherwise. CORS `*` on every answer; never a redirect; ETag with 304.'
        ),
        operation_id="NostrJson",
        parameters=[
            Parameter(
                name="name",
                param_in="query",
                required=False,
                schema=Schema(type=OpenAPIType.STRING),
                description="The local part of `name@domain`; matched case-insensitively",
            ),
            Parameter(
                name="If-None-Match",
                param_in="header",
                required=False,
                schema=Schema(type=OpenAPIType.STRING),
            ),
        ],
        responses={
            "200": OpenAPIResponse(
                description="The names found",
                headers={
                    **cors,
                    "ETag": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING)),
                    "Cache-Control": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING)),
                },
                content={"application/json": OpenAPIMediaType(schema=_answer_schema())},
            ),
            "304": OpenAPIResponse(description="Unchanged since the given ETag", headers=cors),
            "503": OpenAPIResponse(
                description="Neither the cache nor the database can answer",
                headers={**cors, "Retry-After": OpenAPIHeader(schema=Schema(type=OpenAPIType.INTEGER))},
                content=problem,
            ),
        },
    )
    if schema.paths is None:
        schema.paths = {}
    schema.paths[PATH] = PathItem(get=operation)
