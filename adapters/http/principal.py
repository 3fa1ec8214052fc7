"""Who is calling: the `principal`, `maybe_principal` and `admin_principal` dependencies.

Handlers name the key they need:

    @get("/api/v1/me")
    async def me(principal: NamedDependency[Principal]) -> ...  # signed in, else 401

    @get("/api/v1/wot/{pubkey:str}", opt=requires_scope("wot:read"))
    async def score(maybe_principal: NamedDependency[Principal | None]) -> ...  # anonymous allowed

    @post("/api/v1/admin/...")
    async def act(admin_principal: NamedDependency[Principal]) -> ...  # role admin, else 403

A bearer token or a NIP-98 event acts as its user on any endpoint. An API key (`X-API-Key`)
reaches only endpoints declared with `opt=requires_scope(...)` for a scope the key holds; anywhere
else it is refused with 403. A 401 carries `WWW-Authenticate`.
"""

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from adapters.http.client_ip import origin_of
from application.auth.authenticate import Authenticate, Credentials
from domain.audit.entries import Actor
from domain.auth.principal import Principal
from domain.shared.errors import Forbidden, Unauthorized

SCOPE_OPTION = "scope"
# What any route behind `principal` can answer besides its own errors: no or a bad credential (401),
# an API key outside its scopes (403), the database or cache down (503). For `problem_responses`.
SIGNED_IN_PROBLEMS = (401, 403, 503)
AUTHORIZATION = "authorization"
API_KEY_HEADER = "x-api-key"


def requires_scope(scope: str) -> dict[str, str]:
    """Route options that open an endpoint to API keys holding the scope."""
    return {SCOPE_OPTION: scope}


def request_url(request: Request[Any, Any, Any], public_url: str) -> str:
    """The absolute URL of the request on the configured public origin; never from forwarded headers."""
    raw_path = request.scope.get("raw_path")
    # Some servers (and httpx's test transport) leave the query string on raw_path.
    path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else request.scope["path"]
    query = request.scope.get("query_string", b"").decode("latin-1")
    return public_url.rstrip("/") + path + (f"?{query}" if query else "")


async def _maybe_principal(
    request: Request[Any, Any, Any],
    authenticate: NamedDependency[SkipValidation[Authenticate]],
    public_url: NamedDependency[str],
) -> Principal | None:
    authorization = request.headers.get(AUTHORIZATION)
    body = b""
    if authorization and authorization.lstrip()[:6].lower() == "nostr ":
        body = await request.body()
    principal = await authenticate(
        Credentials(
            method=request.method,
            url=request_url(request, public_url),
            authorization=authorization,
            api_key=request.headers.get(API_KEY_HEADER),
            body=body,
            origin=origin_of(request),
        )
    )
    if principal is not None and principal.is_machine:
        scope = request.route_handler.opt.get(SCOPE_OPTION)
        if scope is None or not principal.holds(scope):
            raise Forbidden("this API key's scopes do not cover this endpoint")
    return principal


async def _principal(maybe_principal: NamedDependency[Principal | None]) -> Principal:
    if maybe_principal is None:
        raise Unauthorized("sign in: send 'Authorization: Bearer <token>' or 'Authorization: Nostr <event>'")
    return maybe_principal


async def _admin_principal(principal: NamedDependency[Principal]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this action needs the admin role")
    return principal


def actor_of(request: Request[Any, Any, Any], principal: Principal) -> Actor:
    """The audited actor of a request: the signed-in account, from the request's origin."""
    return Actor(user_id=principal.user_id, pubkey=principal.pubkey, origin=origin_of(request))


PRINCIPAL_DEPENDENCIES = {
    "maybe_principal": Provide(_maybe_principal),
    "principal": Provide(_principal),
    "admin_principal": Provide(_admin_principal),
}
