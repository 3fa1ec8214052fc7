"""NIP-05 names: `name@domain` pointing at a pubkey, served from /.well-known/nostr.json."""

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.errors import InvalidInput
from domain.pubkeys import parse_hex_pubkey
from domain.records.transitions import check_transition

ROOT_NAME = "_"
MAX_NAME_LENGTH = 64
MAX_RELAYS = 20
NAME_SHAPE = re.compile(r"[a-z0-9._-]{1,64}")
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# The service's own domain may be a single label with a port in development (localhost:8000).
SERVING_DOMAIN_SHAPE = re.compile(rf"{LABEL}(?:\.{LABEL})*(?::[0-9]{{1,5}})?")
RELAY_URL_SHAPE = re.compile(r"wss?://[^\s/?#]+[^\s]*")


class Nip05Status(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


NIP05_TRANSITIONS = {
    Nip05Status.ACTIVE: frozenset({Nip05Status.SUSPENDED}),
    Nip05Status.SUSPENDED: frozenset({Nip05Status.ACTIVE}),
}


def parse_nip05_name(value: str) -> str:
    """NIP-05 local parts use only a-z, 0-9, `-`, `_` and `.`; `_` alone is the domain's root name.

    Input is lowercased first, since names are matched case-insensitively.
    """
    name = value.strip().lower() if isinstance(value, str) else ""
    if NAME_SHAPE.fullmatch(name) is None:
        raise InvalidInput(
            f"name must be 1 to {MAX_NAME_LENGTH} characters of a-z, 0-9, '-', '_' or '.'",
            {"name": "invalid characters or length"},
        )
    return name


def parse_serving_domain(value: str) -> str:
    """A host name nostr.json is served for, lowercased, without a trailing dot."""
    domain = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if len(domain) > 253 or SERVING_DOMAIN_SHAPE.fullmatch(domain) is None:
        raise InvalidInput("domain must be a host name", {"domain": "not a host name"})
    return domain


def parse_relay_urls(values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_RELAYS:
        raise InvalidInput(f"at most {MAX_RELAYS} relays", {"relays": "too many"})
    for url in values:
        if not isinstance(url, str) or RELAY_URL_SHAPE.fullmatch(url) is None:
            raise InvalidInput("relays must be ws:// or wss:// URLs", {"relays": "not a relay URL"})
    return tuple(dict.fromkeys(values))


class Nip05(Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    name: str
    domain: str
    pubkey: str
    relays: tuple[str, ...] = ()
    status: Nip05Status = Nip05Status.ACTIVE
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if parse_nip05_name(self.name) != self.name:
            raise InvalidInput("name must be lowercase", {"name": "must be lowercase"})
        if parse_serving_domain(self.domain) != self.domain:
            raise InvalidInput("domain must be lowercase", {"domain": "must be lowercase"})
        parse_hex_pubkey(self.pubkey)

    @classmethod
    def claim(
        cls,
        *,
        user_id: UUID,
        name: str,
        domain: str,
        pubkey: str,
        now: datetime,
        relays: list[str] | None = None,
        expires_at: datetime | None = None,
    ) -> "Nip05":
        return cls(
            id=uuid4(),
            user_id=user_id,
            name=parse_nip05_name(name),
            domain=parse_serving_domain(domain),
            pubkey=parse_hex_pubkey(pubkey),
            relays=parse_relay_urls(relays or []),
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
        )

    @property
    def is_root(self) -> bool:
        return self.name == ROOT_NAME

    @property
    def identifier(self) -> str:
        """`name@domain`; the root name is written as the bare domain, as NIP-05 clients show it."""
        return self.domain if self.is_root else f"{self.name}@{self.domain}"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def is_served(self, now: datetime) -> bool:
        """Listed in nostr.json: active and not expired."""
        return self.status is Nip05Status.ACTIVE and not self.is_expired(now)

    def suspend(self, now: datetime) -> "Nip05":
        status = check_transition("NIP-05 name", self.status, Nip05Status.SUSPENDED, NIP05_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def unsuspend(self, now: datetime) -> "Nip05":
        status = check_transition("NIP-05 name", self.status, Nip05Status.ACTIVE, NIP05_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def with_relays(self, relays: list[str], now: datetime) -> "Nip05":
        return structs.replace(self, relays=parse_relay_urls(relays), updated_at=now)

    def renewed_until(self, expires_at: datetime | None, now: datetime) -> "Nip05":
        return structs.replace(self, expires_at=expires_at, updated_at=now)
