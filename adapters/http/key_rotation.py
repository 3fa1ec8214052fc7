"""Key rotation: /api/v1/me/key-rotation (with the old key's consent) and its recovery by a wallet."""

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, delete, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, SkipValidation

from adapters.http.auth import SignedEvent
from adapters.http.client_ip import origin_of
from adapters.http.principal import SIGNED_IN_PROBLEMS
from adapters.http.responses import JSON_BODY, problem_responses
from application.auth.key_rotation import (
    CancelKeyRecovery,
    KeyRecoveryRequest,
    KeyRotationRequest,
    RequestKeyRecovery,
    RotateKey,
)
from domain.auth.principal import Principal
from domain.nostr.nip19 import encode_npub


class KeyRotationBody(msgspec.Struct, forbid_unknown_fields=True):
    new_key_event: SignedEvent
    old_key_event: SignedEvent


class KeyRecoveryBody(msgspec.Struct, forbid_unknown_fields=True):
    new_key_event: SignedEvent


class RotatedAccount(msgspec.Struct):
    id: str
    pubkey: str
    npub: str


class KeyRecoveryResponse(msgspec.Struct):
    effective_at: datetime


class KeyRotationController(Controller):
    path = "/api/v1/me/key-rotation"
    tags = ["account"]

    @post("/", status_code=200, **problem_responses(*JSON_BODY, *SIGNED_IN_PROBLEMS, 409, 429))
    async def rotate(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[KeyRotationBody],
        principal: NamedDependency[Principal],
        rotate_key: NamedDependency[SkipValidation[RotateKey]],
    ) -> RotatedAccount:
        """Moves the account to a new key: both kind-22242 events answer one fresh challenge, and
        the old key's names the new key in a `p` tag. Every session of the account ends."""
        user = await rotate_key(
            principal,
            KeyRotationRequest(
                new_key_event=data.new_key_event.to_event(),
                old_key_event=data.old_key_event.to_event(),
                origin=origin_of(request),
            ),
        )
        return RotatedAccount(id=str(user.id), pubkey=user.pubkey, npub=encode_npub(user.pubkey))

    @post("/recovery", status_code=202, **problem_responses(*JSON_BODY, *SIGNED_IN_PROBLEMS, 409, 429))
    async def recover(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[KeyRecoveryBody],
        principal: NamedDependency[Principal],
        request_key_recovery: NamedDependency[SkipValidation[RequestKeyRecovery]],
    ) -> KeyRecoveryResponse:
        """Asked by a session of a linked LNURL-auth wallet: the account moves to the new key after
        seven days, unless the old key cancels it."""
        recovery = await request_key_recovery(
            principal,
            KeyRecoveryRequest(new_key_event=data.new_key_event.to_event(), origin=origin_of(request)),
        )
        return KeyRecoveryResponse(effective_at=recovery.effective_at)

    @delete("/recovery", status_code=204, **problem_responses(*SIGNED_IN_PROBLEMS, 404, 429))
    async def cancel_recovery(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        cancel_key_recovery: NamedDependency[SkipValidation[CancelKeyRecovery]],
    ) -> None:
        """The account's own key cancels a pending recovery."""
        await cancel_key_recovery(principal, origin_of(request))
