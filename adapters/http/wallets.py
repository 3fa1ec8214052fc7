"""The LNURL-auth wallets linked to the signed-in account: /api/v1/auth/wallets."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation

from adapters.http.client_ip import origin_of
from adapters.http.principal import SIGNED_IN_PROBLEMS
from adapters.http.responses import problem_responses
from application.auth.wallets import ListWallets, UnlinkWallet
from domain.auth.lnurl import LnurlWallet
from domain.auth.principal import Principal


class WalletResponse(msgspec.Struct):
    id: UUID
    key_prefix: str
    linked_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, wallet: LnurlWallet) -> "WalletResponse":
        return cls(
            id=wallet.id,
            key_prefix=wallet.key_prefix,
            linked_at=wallet.linked_at,
            last_used_at=wallet.last_used_at,
        )


class WalletsResponse(msgspec.Struct):
    items: list[WalletResponse]


class WalletController(Controller):
    path = "/api/v1/auth/wallets"
    tags = ["sign-in and sessions"]

    @get("/", **problem_responses(*SIGNED_IN_PROBLEMS))
    async def wallets(
        self,
        principal: NamedDependency[Principal],
        list_wallets: NamedDependency[SkipValidation[ListWallets]],
    ) -> WalletsResponse:
        """The LNURL-auth wallets linked to the signed-in account (any number), oldest first."""
        return WalletsResponse(items=[WalletResponse.of(wallet) for wallet in await list_wallets(principal)])

    @delete("/{wallet_id:uuid}", status_code=204, **problem_responses(*SIGNED_IN_PROBLEMS, 404, 422))
    async def unlink(
        self,
        request: Request[Any, Any, Any],
        wallet_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        unlink_wallet: NamedDependency[SkipValidation[UnlinkWallet]],
    ) -> None:
        """Unlinks one of the signed-in account's wallets: it signs no one in from then on."""
        await unlink_wallet(principal, wallet_id, origin_of(request))
