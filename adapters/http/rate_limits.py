"""Rate limits and API key metering at the HTTP edge, for every `/api/` request.

A request is charged to its API key when it presents a valid one, at the rate of the key owner's
plan (carried on the key's cached verdict, so no database round trip), otherwise to
its client IP (the anonymous limit); the sign-in endpoints (challenge, login, LNURL start and
callback) are charged per client IP under the stricter sign-in limit whatever the request presents.
The client IP is the peer address: forwarded headers are not trusted. Every answer carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a refusal is a 429 problem with
`Retry-After`. When the cache cannot answer the request passes, and the miss is logged and counted
(`nostr_id_rate_limit_fail_open_total`). Each request made with a valid API key is metered by
day, endpoint (method and route template) and status class.
"""

import logging
import math
import re
from typing import Any

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter

from adapters.http.asgi import header
from adapters.http.principal import API_KEY_HEADER
from adapters.http.problems import PROBLEM_JSON, problem_document
from application.rate_limits import RatePolicies, RatePolicy
from domain.errors import DomainError
from domain.ports.auth import ApiKeyGrant
from domain.ports.cache import RateDecision

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
SIGN_IN_PATHS = ("/api/v1/auth/challenge", "/api/v1/auth/login", "/api/v1/auth/lnurl")
# The browser polls GET /api/v1/auth/lnurl/{k1} while the wallet signs: that poll is an ordinary read.
LNURL_POLL = re.compile(r"/api/v1/auth/lnurl/[^/]+")
CONVERTER = re.compile(r":[a-z]+}")


def _is_sign_in(method: str, path: str) -> bool:
    if method == "GET" and LNURL_POLL.fullmatch(path) and not path.endswith("/callback"):
        return False
    return path.startswith(SIGN_IN_PATHS)


def rate_headers(decision: RateDecision) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(math.ceil(decision.reset_after)).encode()),
    ]
    if not decision.allowed:
        headers.append((b"retry-after", str(max(1, math.ceil(decision.retry_after))).encode()))
    return headers


class RateLimiting:
    """The ASGI middleware; it reads its use cases from the container on every request."""

    def __init__(self, container: Any, registry: CollectorRegistry) -> None:
        self._container = container
        self.fail_open = Counter(
            "nostr_id_rate_limit_fail_open_total",
            "Requests let through unchecked because the rate-limit store could not answer",
            ["policy"],
            registry=registry,
        )

    async def _api_key_grant(self, presented: str | None) -> ApiKeyGrant | None:
        if not presented:
            return None
        try:
            grant: ApiKeyGrant = await self._container.api_key_verifier().verify(presented)
        except DomainError:
            return None  # the handler answers 401 or 503; the request is charged as anonymous
        return grant

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"] != "http" or not path.startswith(API_PREFIX):
                await app(scope, receive, send)
                return
            method = str(scope.get("method", ""))
            policies: RatePolicies = self._container.rate_policies()
            client = scope.get("client")
            ip = client[0] if client else "unknown"
            presented = header(scope, API_KEY_HEADER.encode())
            grant = await self._api_key_grant(None if presented is None else presented.decode("latin-1"))
            api_key_id = grant.api_key_id if grant is not None else None
            policy: RatePolicy
            if _is_sign_in(method, path):
                policy, subject = policies.sign_in, ip
            elif grant is not None:
                policy, subject = policies.for_api_key(grant.requests_per_minute), str(grant.api_key_id)
            else:
                policy, subject = policies.anonymous, ip
            decision = await self._container.limit_rate()(policy, subject)
            if decision is None:
                self.fail_open.labels(policy.name).inc()
            status = 500

            async def with_headers(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    if decision is not None:
                        message["headers"] = [*message.get("headers", []), *rate_headers(decision)]
                await send(message)

            try:
                if decision is not None and not decision.allowed:
                    await self._refuse(decision, with_headers)
                else:
                    await app(scope, receive, with_headers)
            finally:
                if api_key_id is not None:
                    template = CONVERTER.sub("}", str(scope.get("path_template") or path))
                    await self._container.meter_api_key_use()(api_key_id, f"{method} {template}", status)

        return limited

    async def _refuse(self, decision: RateDecision, send: Send) -> None:
        retry = max(1, math.ceil(decision.retry_after))
        detail = f"rate limit of {decision.limit} requests exceeded; retry in {retry} s"
        body = msgspec.json.encode(problem_document(429, detail))
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
