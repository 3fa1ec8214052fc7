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
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.http.asgi import header
from adapters.http.edge import request_id_of
from adapters.http.metrics import HttpMetrics
from adapters.http.problems import PROBLEM_JSON, problem_document
from application.names.nostr_json import Answer, NostrJsonDirectory
from domain.nostr.pubkeys import HEX_PUBKEY
from domain.shared.errors import DependencyUnavailable

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


# An answer as the endpoint builds it: status, headers (a fresh list the caller may extend) and body.
Reply = tuple[int, list[tuple[bytes, bytes]], bytes]


def _answer_reply(scope: Scope, answer: Answer) -> Reply:
    headers = [CORS, (b"cache-control", CACHE_CONTROL), (b"etag", answer.etag.encode())]
    if_none_match = header(scope, b"if-none-match")
    if if_none_match is not None and _etag_matches(if_none_match, answer.etag):
        return 304, headers, b""
    headers.append((b"content-type", b"application/json"))
    headers.append((b"content-length", str(len(answer.body)).encode()))
    return 200, headers, b"" if scope["method"] == "HEAD" else answer.body


def _problem(status: int, title: str, detail: str, *headers: tuple[bytes, bytes]) -> Reply:
    body = msgspec.json.encode(problem_document(status, detail, title=title))
    return status, [*headers, (b"content-type", PROBLEM_JSON.encode())], body


async def _send(send: Send, reply: Reply) -> None:
    status, headers, body = reply
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class NostrJsonEndpoint:
    """The endpoint, with the directory looked up from the container on the first request."""

    def __init__(self, directory_of: Callable[[], Any], default_host: str) -> None:
        self._directory_of = directory_of
        self._directory: NostrJsonDirectory | None = None
        self._default_host = default_host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _send(send, await self.reply(scope))

    async def reply(self, scope: Scope) -> Reply:
        """The answer to a request for PATH; never raises (a failure is a problem answer with CORS)."""
        method = scope["method"]
        if method == "OPTIONS":
            return 204, list(PREFLIGHT_HEADERS), b""
        if method not in ("GET", "HEAD"):
            return _problem(
                405, "Method Not Allowed", "nostr.json answers GET, HEAD and OPTIONS", *PREFLIGHT_HEADERS
            )
        directory = self._directory
        if directory is None:
            directory = self._directory = self._directory_of()
        host = header(scope, b"host")
        try:
            answer = await directory.answer(
                self._default_host if host is None else host.decode("latin-1"),
                _requested_name(scope["query_string"]),
            )
        except DependencyUnavailable as error:
            detail = "names cannot be looked up right now; retry shortly"
            return _problem(503, error.title, detail, CORS, (b"retry-after", b"5"))
        except Exception:  # any other failure still answers with CORS, as a problem
            log.exception("nostr.json failed")
            return _problem(500, "Internal Server Error", "The server could not complete the request.", CORS)
        return _answer_reply(scope, answer)


def nostr_json_route(endpoint: NostrJsonEndpoint) -> ASGIRouteHandler:
    """The endpoint as Litestar's lightest route (reached only when the fast path is not in front)."""
    return asgi(PATH, copy_scope=False)(endpoint)


def nostr_json_fast_path(app: ASGIApp, endpoint: NostrJsonEndpoint, metrics: HttpMetrics) -> ASGIApp:
    """Answers requests for exactly PATH with the endpoint; everything else goes to `app`."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        try:
            status, headers, body = await endpoint.reply(scope)
            headers.append((b"x-request-id", request_id_of(scope).encode()))
            await _send(send, (status, headers, body))
        finally:
            metrics.observe_soon(scope["method"], PATH, status, time.perf_counter() - started)

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
