"""LUD-16 Lightning addresses: `name@domain` resolved by the nostr.json directory's own rules.

A name is an address when the directory serves it on that domain (the same Host, name-shape,
custom-domain and suspension rules as nostr.json) and its owner has connected a wallet.
"""

from uuid import UUID

import msgspec

from application.names.nostr_json import NostrJsonDirectory
from domain.shared.errors import NotFound
from domain.shared.unit_of_work import UowFactory
from domain.zaps.nwc_uri import NwcUri, parse_nwc_uri
from domain.zaps.ports import SecretSeal


class AddressOwner(msgspec.Struct, frozen=True, kw_only=True):
    """The holder of `name@domain` and the wallet that makes its invoices."""

    name: str
    domain: str
    user_id: UUID
    pubkey: str
    wallet: NwcUri


class _Names(msgspec.Struct):
    names: dict[str, str]


_names = msgspec.json.Decoder(_Names).decode


class LightningAddresses:
    """Finds the owner of an address; NotFound when the name is not served there or has no wallet."""

    def __init__(self, uow_factory: UowFactory, directory: NostrJsonDirectory, seal: SecretSeal) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._seal = seal

    def domain_of(self, host: str) -> str:
        return self._directory.serving_domain(host)

    async def owner(self, host: str, name: str) -> AddressOwner:
        answer = await self._directory.answer(host, name)
        pubkey = _names(answer.body).names.get(name)
        if pubkey is None:
            raise NotFound(f"{name} is not a Lightning address here")
        async with self._uow_factory() as uow:
            user = await uow.users.get_by_pubkey(pubkey)
            record = await uow.wallet_connections.get(user.id) if user is not None else None
        if user is None or record is None:
            raise NotFound(f"{name} has no wallet connected")
        return AddressOwner(
            name=name,
            domain=self.domain_of(host),
            user_id=user.id,
            pubkey=pubkey,
            wallet=parse_nwc_uri(self._seal.open(record.sealed_uri)),
        )
