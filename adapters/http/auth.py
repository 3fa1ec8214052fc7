"""Sign-in and sessions: /api/v1/auth/*."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, SkipValidation

from adapters.http.client_ip import origin_of
from adapters.http.me import UserResponse
from adapters.http.principal import SIGNED_IN_PROBLEMS
from adapters.http.responses import JSON_BODY, problem_responses
from application.auth.own_sessions import (
    ListSessions,
    RefreshSession,
    RevokeSession,
    SignOut,
    SignOutEverywhere,
)
from application.auth.sessions import SignedIn
from application.auth.sign_in import IssueChallenge, Login, SignInRequest
from domain.auth.principal import Principal
from domain.nostr.event import Event
from domain.nostr.pubkeys import HEX_PUBKEY


class ChallengeResponse(msgspec.Struct):
    challenge: str
    expires_at: datetime


HEX64 = f"^{HEX_PUBKEY.pattern}$"  # event ids and pubkeys: 32 bytes in lowercase hex
HEX128 = "^[0-9a-f]{128}$"


class SignedEvent(msgspec.Struct):
    """A signed Nostr event (NIP-01) as it travels in JSON. Left open: signers and libraries may
    carry fields of their own beside the signed ones, which are ignored."""

    id: Annotated[str, msgspec.Meta(pattern=HEX64, description="lowercase hex event id")]
    pubkey: Annotated[str, msgspec.Meta(pattern=HEX64, description="lowercase hex public key")]
    created_at: Annotated[int, msgspec.Meta(ge=0, le=2**40, description="Unix time in seconds")]
    kind: Annotated[int, msgspec.Meta(ge=0, le=65535)]
    tags: Annotated[list[list[str]], msgspec.Meta(max_length=100)]
    content: Annotated[str, msgspec.Meta(max_length=4096)]
    sig: Annotated[str, msgspec.Meta(pattern=HEX128, description="lowercase hex BIP-340 signature")]

    def to_event(self) -> Event:
        return Event(
            id=self.id,
            pubkey=self.pubkey,
            created_at=self.created_at,
            kind=self.kind,
            tags=tuple(tuple(tag) for tag in self.tags),
            content=self.content,
            sig=self.sig,
        )


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    event: SignedEvent


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class TokenResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    user: UserResponse

    @classmethod
    def of(cls, signed_in: SignedIn) -> "TokenResponse":
        return cls(
            access_token=signed_in.access_token,
            token_type="Bearer",  # noqa: S106 - the token scheme, not a secret
            expires_in=signed_in.expires_in,
            refresh_token=signed_in.refresh_token,
            user=UserResponse.of(signed_in.user),
        )


class SessionResponse(msgspec.Struct):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


class SessionsResponse(msgspec.Struct):
    items: list[SessionResponse]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["sign-in and sessions"]

    @post("/challenge", status_code=201, **problem_responses(429, 503))
    async def challenge(
        self, issue_challenge: NamedDependency[SkipValidation[IssueChallenge]]
    ) -> ChallengeResponse:
        """A single-use sign-in challenge, valid for five minutes."""
        issued = await issue_challenge()
        return ChallengeResponse(challenge=issued.challenge, expires_at=issued.expires_at)

    @post("/login", status_code=200, **problem_responses(*JSON_BODY, 401, 403, 429, 503))
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        login: NamedDependency[SkipValidation[Login]],
    ) -> TokenResponse:
        """Signs in with a kind-22242 event carrying the challenge and this service's URL as `relay`."""
        signed_in = await login(SignInRequest(event=data.event.to_event(), origin=origin_of(request)))
        return TokenResponse.of(signed_in)

    @post("/refresh", status_code=200, **problem_responses(*JSON_BODY, 401, 429, 503))
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RefreshRequest],
        refresh_session: NamedDependency[SkipValidation[RefreshSession]],
    ) -> TokenResponse:
        """A new token pair for a refresh token, which is used up; reusing it ends its session."""
        return TokenResponse.of(await refresh_session(data.refresh_token, origin_of(request)))

    @post("/logout", status_code=204, **problem_responses(*SIGNED_IN_PROBLEMS))
    async def logout(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        sign_out: NamedDependency[SkipValidation[SignOut]],
    ) -> None:
        """Ends this session."""
        await sign_out(principal, origin_of(request))

    @post("/logout-all", status_code=204, **problem_responses(*SIGNED_IN_PROBLEMS))
    async def logout_all(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        sign_out_everywhere: NamedDependency[SkipValidation[SignOutEverywhere]],
    ) -> None:
        """Ends every session of the signed-in user."""
        await sign_out_everywhere(principal, origin_of(request))

    @get("/sessions", **problem_responses(*SIGNED_IN_PROBLEMS))
    async def sessions(
        self,
        principal: NamedDependency[Principal],
        list_sessions: NamedDependency[SkipValidation[ListSessions]],
    ) -> SessionsResponse:
        """The signed-in user's open sessions."""
        views = await list_sessions(principal)
        return SessionsResponse(items=[SessionResponse(**msgspec.structs.asdict(view)) for view in views])

    @delete(
        "/sessions/{session_id:uuid}", status_code=204, **problem_responses(*SIGNED_IN_PROBLEMS, 404, 422)
    )
    async def revoke_session(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        revoke_session: NamedDependency[SkipValidation[RevokeSession]],
    ) -> None:
        """Ends one of the signed-in user's sessions."""
        await revoke_session(principal, session_id, origin_of(request))
