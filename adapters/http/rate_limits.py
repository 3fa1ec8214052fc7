"""Rate limits and API key metering at the HTTP edge, for every `/api/` request.

A request that presents a valid API key is charged to the key's owner account, at the rate of its
plan (carried on the key's cached verdict, so no database round trip): every key of one account
draws on the same bucket. Any other request is charged to its client's address (the anonymous
limit; IPv6 per /64, see adapters/http/client_ip.py); the sign-in endpoints (challenge, login,
LNURL start and callback) and the Lightning address callbacks (/api/v1/lnurlp/) are charged per
client address under the stricter sign-in limit whatever the request presents; so are the web
pages' sign-in paths (`sign_in_pages`: the sign-in page, which starts an LNURL-auth, its challenge
and its login). The pages that answer what the API answers to anyone (`read_pages`: the name
search; `read_page_prefixes`: the trust figures under /trust/) are charged as anonymous API
requests; no other page path is charged. A key this process
does not hold a verdict for is looked up (in the cache, then PostgreSQL) only after its request has
been charged to the client's address, so made-up keys cost their sender the anonymous limit and never
more lookups than it allows. Every answer carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a refusal is a 429 problem with
`Retry-After`. When the cache cannot answer the request passes, and the miss is logged and counted
(`nostr_id_rate_limit_fail_open_total`). Each request made with a valid API key is metered by
day, endpoint (method and route template) and status class.
"""

import logging
import math
import re
from collections.abc import Callable

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter

from adapters.http.asgi import header
from adapters.http.client_ip import rate_subject
from adapters.http.principal import API_KEY_HEADER
from adapters.http.problems import PROBLEM_JSON, problem_document
from application.api_keys.metering import MeterApiKeyUse
from application.rate_limits import LimitRate, RatePolicies, RatePolicy
from domain.auth.ports import ApiKeyGrant, ApiKeyVerifier
from domain.shared.cache import RateDecision
from domain.shared.errors import DomainError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
SIGN_IN_PATHS = ("/api/v1/auth/challenge", "/api/v1/auth/login", "/api/v1/auth/lnurl", "/api/v1/lnurlp/")
# The browser polls GET /api/v1/auth/lnurl/{poll} while the wallet signs: that poll is an ordinary read.
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
    """The ASGI middleware. It is given the providers of its collaborators and calls them on every
    request, so an override in a test applies at once."""

    def __init__(
        self,
        *,
        limit_rate: Callable[[], LimitRate],
        api_key_verifier: Callable[[], ApiKeyVerifier],
        rate_policies: Callable[[], RatePolicies],
        meter_api_key_use: Callable[[], MeterApiKeyUse],
        registry: CollectorRegistry,
        sign_in_pages: frozenset[str] = frozenset(),
        read_pages: frozenset[str] = frozenset(),
        read_page_prefixes: tuple[str, ...] = (),
    ) -> None:
        self._sign_in_pages = sign_in_pages
        self._charged_pages = sign_in_pages | read_pages
        self._charged_prefixes = (API_PREFIX, *read_page_prefixes)
        self._limit_rate = limit_rate
        self._api_key_verifier = api_key_verifier
        self._rate_policies = rate_policies
        self._meter_api_key_use = meter_api_key_use
        self.fail_open = Counter(
            "nostr_id_rate_limit_fail_open_total",
            "Requests let through unchecked because the rate-limit store could not answer",
            ["policy"],
            registry=registry,
        )

    async def _charge(self, policy: RatePolicy, subject: str) -> RateDecision | None:
        decision: RateDecision | None = await self._limit_rate()(policy, subject)
        if decision is None:
            self.fail_open.labels(policy.name).inc()
        return decision

    async def _held_grant(self, presented: str | None) -> tuple[ApiKeyGrant | None, bool]:
        """The grant of a key whose verdict this process holds, and whether no lookup is needed."""
        if not presented:
            return None, True
        try:
            grant: ApiKeyGrant | None = await self._api_key_verifier().verify_held(presented)
        except DomainError:
            return None, True  # malformed, unknown or revoked: the handler answers 401
        return grant, grant is not None

    async def _looked_up_grant(self, presented: str) -> ApiKeyGrant | None:
        try:
            grant: ApiKeyGrant = await self._api_key_verifier().verify(presented)
        except DomainError:
            return None  # the handler answers 401 or 503; the request is charged as anonymous
        return grant

    async def _admit(
        self, method: str, path: str, presented: str | None, address: str
    ) -> tuple[RateDecision | None, ApiKeyGrant | None]:
        """Charges the request; the decision, and the grant of the valid API key it presents."""
        policies: RatePolicies = self._rate_policies()
        sign_in = _is_sign_in(method, path) or path.rstrip("/") in self._sign_in_pages
        by_address = policies.sign_in if sign_in else policies.anonymous
        grant, held = await self._held_grant(presented)
        if not held and presented:
            # Charged to the address before the lookup: made-up keys reach the cache and PostgreSQL
            # no more often than the address's own limit allows.
            toll = await self._charge(by_address, address)
            if toll is not None and not toll.allowed:
                return toll, None
            grant = await self._looked_up_grant(presented)
            if grant is None or sign_in:
                return toll, grant
        if grant is None or sign_in:
            return await self._charge(by_address, address), grant
        return await self._charge(policies.for_api_key(grant.requests_per_minute), str(grant.user_id)), grant

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            charged = (
                path.startswith(self._charged_prefixes) or (path.rstrip("/") or "/") in self._charged_pages
            )
            if scope["type"] != "http" or not charged:
                await app(scope, receive, send)
                return
            method = str(scope.get("method", ""))
            raw_key = header(scope, API_KEY_HEADER.encode())
            presented = None if raw_key is None else raw_key.decode("latin-1")
            decision, grant = await self._admit(method, path, presented, rate_subject(scope))
            api_key_id = grant.api_key_id if grant is not None else None
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
                    await self._meter_api_key_use()(api_key_id, f"{method} {template}", status)

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
