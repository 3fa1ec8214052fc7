"""NIP-05 names: `name@domain` pointing at a pubkey, served from /.well-known/nostr.json."""

import re
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.names.custom_domains import MAX_DOMAIN_LENGTH
from domain.names.folding import lookalike_of
from domain.nostr.pubkeys import parse_hex_pubkey
from domain.shared.errors import InvalidInput, InvalidTransition
from domain.shared.transitions import check_transition

ROOT_NAME = "_"
MAX_NAME_LENGTH = 64
# A released name is held this long before anyone but its last owner may take it.
RELEASE_COOLDOWN = timedelta(days=30)
# Names that would pass for the service or its staff; `_` is the root name, the domain owner's.
RESERVED_NAMES = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "api",
        "billing",
        "help",
        "hostmaster",
        "info",
        "mail",
        "moderator",
        "mod",
        "noc",
        "nostr",
        "nostr-id",
        "official",
        "postmaster",
        "root",
        "security",
        "staff",
        "support",
        "system",
        "webmaster",
        "www",
    }
)
# Every size a user controls here has a limit, so a nostr.json answer is at most MAX_ANSWER_BYTES:
# the name as stored (64 ASCII characters) and as asked (64 characters that lowercase to it, up to
# 3 bytes each), one pubkey, MAX_RELAYS relays of MAX_RELAY_URL_LENGTH printable ASCII characters
# (one byte each in JSON, none needs an escape): about 5.7 KB.
MAX_RELAYS = 20
MAX_RELAY_URL_LENGTH = 256
MAX_ANSWER_BYTES = 6 * 1024
NAME_SHAPE = re.compile(r"[a-z0-9._-]{1,64}")
_WORD = "[A-Za-z0-9_]+"
# A name as a request may give it (lowercased before use): words of letters, digits and `_`
# joined by `-` and `.`, never two dots in a row. Reserved names and `_` are refused apart.
NAME_PATTERN = rf"^{_WORD}(?:(?:-|\.-)+\.?{_WORD}|\.{_WORD})*$"
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# The service's own domain may be a single label with a port in development (localhost:8000).
SERVING_DOMAIN_SHAPE = re.compile(rf"{LABEL}(?:\.{LABEL})*(?::[0-9]{{1,5}})?")
_ANY_CASE_LABEL = LABEL.replace("a-z", "A-Za-z")
# A serving domain as a request may give it: lowercased and without its trailing dot before use.
SERVING_DOMAIN_PATTERN = rf"^{_ANY_CASE_LABEL}(?:\.{_ANY_CASE_LABEL})*(?::[0-9]{{1,5}})?\.?$"
# ws:// or wss://, a host of URI characters, then printable ASCII but for `"` and `\` (so each
# character is one byte in a JSON answer): the same rule in Python and in the ECMA-262 dialect of
# the OpenAPI document.
RELAY_URL_PATTERN = r"^wss?://[A-Za-z0-9._~%!$&'()*+,;=:@\[\]-]+(?:[/?#][!#-\[\]-~]*)?$"
RELAY_URL_SHAPE = re.compile(RELAY_URL_PATTERN)


class Nip05Status(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    ACTIVE = "active"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    RELEASED = "released"


NIP05_TRANSITIONS = {
    Nip05Status.PENDING_PAYMENT: frozenset({Nip05Status.ACTIVE, Nip05Status.SUSPENDED, Nip05Status.RELEASED}),
    Nip05Status.ACTIVE: frozenset({Nip05Status.SUSPENDED, Nip05Status.EXPIRED, Nip05Status.RELEASED}),
    Nip05Status.EXPIRED: frozenset({Nip05Status.ACTIVE, Nip05Status.SUSPENDED, Nip05Status.RELEASED}),
    # A suspended name stays with its owner until an administrator lifts the suspension.
    Nip05Status.SUSPENDED: frozenset({Nip05Status.ACTIVE}),
    Nip05Status.RELEASED: frozenset({Nip05Status.ACTIVE}),
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


def name_refusal(name: str, *, owns_domain: bool) -> str | None:
    """Why a well-shaped name may not be registered on a domain, or None when it may.

    `_` (the domain's root) is for the owner of the domain only; reserved names and their
    look-alikes (domain/names/folding.py) for nobody.
    """
    if name == ROOT_NAME:
        return None if owns_domain else "the root name '_' belongs to the owner of the domain"
    if name[0] in ".-" or name[-1] in ".-":
        return "a name may not start or end with '.' or '-'"
    if ".." in name:
        return "a name may not hold two dots in a row"
    if name in RESERVED_NAMES:
        return "this name is reserved"
    if (reserved := lookalike_of(name, RESERVED_NAMES)) is not None:
        return f"this name is reserved: it passes for '{reserved}'"
    return None


def lookalike_refusal(name: str, other: "Nip05") -> str:
    """Why a name is refused when it folds to another account's name on the same domain (N9)."""
    if other.status is Nip05Status.PENDING_PAYMENT:
        if other.name == name:
            return f"{other.identifier} is held for another buyer until their payment ends"
        return f"this name passes for '{other.name}', held for another buyer on {other.domain}"
    if other.name == name:
        return f"{other.identifier} is already taken"
    return f"this name passes for '{other.name}', another account's name on {other.domain}"


def parse_registrable_name(value: str, *, owns_domain: bool) -> str:
    """The lowercased name when it may be registered; InvalidInput naming the reason otherwise."""
    name = parse_nip05_name(value)
    if (reason := name_refusal(name, owns_domain=owns_domain)) is not None:
        raise InvalidInput(reason, {"name": reason})
    return name


def parse_serving_domain(value: str) -> str:
    """A host name nostr.json is served for, lowercased, without a trailing dot."""
    domain = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if len(domain) > MAX_DOMAIN_LENGTH or SERVING_DOMAIN_SHAPE.fullmatch(domain) is None:
        raise InvalidInput("domain must be a host name", {"domain": "not a host name"})
    return domain


def is_relay_url(url: object) -> bool:
    """A ws:// or wss:// URL of at most MAX_RELAY_URL_LENGTH printable ASCII characters."""
    return (
        isinstance(url, str)
        and len(url) <= MAX_RELAY_URL_LENGTH
        and url.isascii()
        and url.isprintable()
        and RELAY_URL_SHAPE.fullmatch(url) is not None
    )


def parse_relay_urls(values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_RELAYS:
        raise InvalidInput(f"at most {MAX_RELAYS} relays", {"relays": "too many"})
    for url in values:
        if not is_relay_url(url):
            raise InvalidInput(
                f"relays must be ws:// or wss:// URLs of at most {MAX_RELAY_URL_LENGTH} characters",
                {"relays": "not a relay URL"},
            )
    return tuple(dict.fromkeys(values))


def served_relays(relays: tuple[str, ...]) -> list[str]:
    """The relays a nostr.json answer lists: within the bounds, whatever an older row holds."""
    return [url for url in relays if is_relay_url(url)][:MAX_RELAYS]


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
    released_at: datetime | None = None
    # A locked name refuses transfer offers.
    locked: bool = False

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
        status: Nip05Status = Nip05Status.ACTIVE,
    ) -> "Nip05":
        return cls(
            id=uuid4(),
            user_id=user_id,
            name=parse_nip05_name(name),
            domain=parse_serving_domain(domain),
            pubkey=parse_hex_pubkey(pubkey),
            relays=parse_relay_urls(relays or []),
            status=status,
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

    def blocks_others(self, now: datetime, cooldown: timedelta = RELEASE_COOLDOWN) -> bool:
        """True while the name is unavailable to other users: held, or released within the cooldown."""
        return self.status is not Nip05Status.RELEASED or (
            self.released_at is not None and now < self.released_at + cooldown
        )

    def release(self, now: datetime) -> "Nip05":
        status = check_transition("NIP-05 name", self.status, Nip05Status.RELEASED, NIP05_TRANSITIONS)
        return structs.replace(self, status=status, released_at=now, updated_at=now)

    def reclaim(self, relays: list[str], now: datetime, expires_at: datetime | None = None) -> "Nip05":
        """The last owner takes a released name back (within or after the cooldown)."""
        status = check_transition("NIP-05 name", self.status, Nip05Status.ACTIVE, NIP05_TRANSITIONS)
        return structs.replace(
            self,
            status=status,
            relays=parse_relay_urls(relays),
            released_at=None,
            expires_at=expires_at,
            updated_at=now,
        )

    def suspend(self, now: datetime) -> "Nip05":
        status = check_transition("NIP-05 name", self.status, Nip05Status.SUSPENDED, NIP05_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def unsuspend(self, now: datetime) -> "Nip05":
        if self.status is not Nip05Status.SUSPENDED:
            raise InvalidTransition(f"NIP-05 name is {self.status.value}, not suspended")
        return self.activate(now)

    def activate(self, now: datetime) -> "Nip05":
        status = check_transition("NIP-05 name", self.status, Nip05Status.ACTIVE, NIP05_TRANSITIONS)
        return structs.replace(self, status=status, released_at=None, updated_at=now)

    def expire(self, now: datetime) -> "Nip05":
        status = check_transition("NIP-05 name", self.status, Nip05Status.EXPIRED, NIP05_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def with_relays(self, relays: list[str], now: datetime) -> "Nip05":
        return structs.replace(self, relays=parse_relay_urls(relays), updated_at=now)

    def with_lock(self, locked: bool, now: datetime) -> "Nip05":
        return structs.replace(self, locked=locked, updated_at=now)

    def transferred_to(self, user_id: UUID, pubkey: str, now: datetime) -> "Nip05":
        """The name, now the receiver's: their pubkey, no relays of the giver's, unlocked."""
        return structs.replace(
            self, user_id=user_id, pubkey=parse_hex_pubkey(pubkey), relays=(), locked=False, updated_at=now
        )

    def renewed_until(self, expires_at: datetime | None, now: datetime) -> "Nip05":
        return structs.replace(self, expires_at=expires_at, updated_at=now)
