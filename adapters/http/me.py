"""GET /api/v1/me: the signed-in user's account."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody, SkipValidation

from adapters.http.billing_models import SubscriptionResponse
from adapters.http.client_ip import origin_of
from adapters.http.names import NameResponse
from adapters.http.principal import SIGNED_IN_PROBLEMS
from adapters.http.responses import JSON_BODY, problem_responses
from application.auth.me import GetMe, MyAccount, SetReminders
from application.billing.subscribe import GetCurrentSubscription
from application.names.manage_names import ListNames
from domain.auth.principal import Principal
from domain.auth.users import User
from domain.nostr.nip19 import encode_npub
from domain.shared.errors import NotFound


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
    reminders: bool  # renewal reminders by Nostr direct message
    # Filled by the billing and NIP-05 features: the current subscription and the user's names.
    subscription: dict[str, Any] | None
    nip05: list[dict[str, Any]]


async def current_subscription(get: GetCurrentSubscription, user_id: UUID) -> dict[str, Any] | None:
    try:
        return msgspec.to_builtins(SubscriptionResponse.of(await get(user_id)))  # type: ignore[no-any-return]
    except NotFound:
        return None


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    # A literal, not `bool`: request data is converted leniently, which would take 0 or "true".
    reminders: Literal[True, False]


async def _me_response(
    account: MyAccount, get_current_subscription: GetCurrentSubscription, list_names: ListNames
) -> MeResponse:
    user = account.user
    subscription = await current_subscription(get_current_subscription, user.id)
    names = [msgspec.structs.asdict(NameResponse.of(record)) for record in await list_names(user.id)]
    return MeResponse(
        id=str(user.id),
        pubkey=user.pubkey,
        npub=encode_npub(user.pubkey),
        role=user.role.value,
        created_at=user.created_at,
        lnurl_linked=account.lnurl_linked,
        reminders=user.reminders,
        subscription=subscription,
        nip05=names,
    )


@get("/api/v1/me", tags=["account"], **problem_responses(*SIGNED_IN_PROBLEMS))
async def me(
    principal: NamedDependency[Principal],
    get_me: NamedDependency[SkipValidation[GetMe]],
    get_current_subscription: NamedDependency[SkipValidation[GetCurrentSubscription]],
    list_names: NamedDependency[SkipValidation[ListNames]],
) -> MeResponse:
    """The signed-in user's account."""
    return await _me_response(await get_me(principal), get_current_subscription, list_names)


@patch("/api/v1/me", tags=["account"], **problem_responses(*JSON_BODY, *SIGNED_IN_PROBLEMS))
async def patch_me(
    request: Request[Any, Any, Any],
    data: JSONBody[MePatch],
    principal: NamedDependency[Principal],
    set_reminders: NamedDependency[SkipValidation[SetReminders]],
    get_me: NamedDependency[SkipValidation[GetMe]],
    get_current_subscription: NamedDependency[SkipValidation[GetCurrentSubscription]],
    list_names: NamedDependency[SkipValidation[ListNames]],
) -> MeResponse:
    """Turns renewal reminders by Nostr direct message on or off."""
    await set_reminders(principal, data.reminders, origin_of(request))
    return await _me_response(await get_me(principal), get_current_subscription, list_names)
