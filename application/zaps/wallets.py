"""Connect, show and forget the owner's own wallet (NIP-47). The connection string is sealed at rest."""

from datetime import datetime
from uuid import UUID

from msgspec import Struct

from domain.shared.clock import Clock
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.unit_of_work import UowFactory
from domain.zaps.nwc_uri import format_nwc_uri, parse_nwc_uri
from domain.zaps.ports import REQUIRED_METHODS, SecretSeal, WalletConnection
from domain.zaps.records import WalletConnectionRecord


class WalletView(Struct, frozen=True, kw_only=True):
    """What the owner is shown of a connected wallet: never the secret."""

    alias: str
    relay: str
    methods: tuple[str, ...]
    connected_at: datetime

    @classmethod
    def of(cls, record: WalletConnectionRecord) -> "WalletView":
        return cls(
            alias=record.alias, relay=record.relay, methods=record.methods, connected_at=record.connected_at
        )


class ConnectWallet:
    """Checks a connection string with `get_info` (it must allow make_invoice and lookup_invoice) and
    keeps it sealed, replacing the wallet connected before."""

    def __init__(
        self, uow_factory: UowFactory, wallet: WalletConnection, seal: SecretSeal, clock: Clock
    ) -> None:
        self._uow_factory = uow_factory
        self._wallet = wallet
        self._seal = seal
        self._clock = clock

    async def __call__(self, user_id: UUID, nwc_url: str) -> WalletView:
        uri = parse_nwc_uri(nwc_url)
        info = await self._wallet.get_info(uri)
        missing = sorted(REQUIRED_METHODS - set(info.methods))
        if missing:
            raise InvalidInput(
                f"the wallet does not allow {', '.join(missing)}", {"nwc_url": "missing permissions"}
            )
        record = WalletConnectionRecord(
            user_id=user_id,
            wallet_pubkey=uri.wallet_pubkey,
            relay=uri.relays[0],
            alias=info.alias,
            methods=info.methods,
            sealed_uri=self._seal.seal(format_nwc_uri(uri)),
            connected_at=self._clock.now(),
        )
        async with self._uow_factory() as uow:
            await uow.wallet_connections.put(record)
            await uow.commit()
        return WalletView.of(record)


class ShowWallet:
    """The user's connected wallet; NotFound when none is connected."""

    def __init__(self, uow_factory: UowFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, user_id: UUID) -> WalletView:
        async with self._uow_factory() as uow:
            record = await uow.wallet_connections.get(user_id)
        if record is None:
            raise NotFound("no wallet is connected")
        return WalletView.of(record)


class DisconnectWallet:
    """Forgets the user's wallet and its secret (nothing to forget is not an error)."""

    def __init__(self, uow_factory: UowFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, user_id: UUID) -> None:
        async with self._uow_factory() as uow:
            await uow.wallet_connections.remove(user_id)
            await uow.commit()
