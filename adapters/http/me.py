"""GET /api/v1/me: the signed-in user's account."""

from datetime import datetime
from typing import Any

import msgspec
from litestar import get
from litestar.params import SkipValidation

from adapters.http.principal import SIGNED_IN
from adapters.http.responses import problem_responses
from application.auth.me import GetMe
from domain.auth.principal import Principal
from domain.nostr.nip19 import encode_npub
from domain.records.users import User


class UserResponse(msgspec.Struct):
    id: str
    pubkey: str
    npub: str
    role: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> "UserResponse":
        return cls(
            id=str(user.id),
            pubkey=user.pubkey,
            npub=encode_npub(user.pubkey),
            role=user.role.value,
            created_at=user.created_at,
        )


class MeResponse(msgspec.Struct):
    id: str
    pubkey: str
    npub: str
    role: str
    created_at: datetime
    lnurl_linked: bool
    # Filled by the billing and NIP-05 features: the current subscription and the user's names.
    subscription: dict[str, Any] | None
    nip05: list[dict[str, Any]]


@get("/api/v1/me", tags=["account"], **problem_responses(*SIGNED_IN))
async def me(principal: Principal, get_me: SkipValidation[GetMe]) -> MeResponse:
    """The signed-in user's account."""
    user = await get_me(principal)
    return MeResponse(
        id=str(user.id),
        pubkey=user.pubkey,
        npub=encode_npub(user.pubkey),
        role=user.role.value,
        created_at=user.created_at,
        lnurl_linked=user.lnurl_key is not None,
        subscription=None,
        nip05=[],
    )
