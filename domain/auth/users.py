"""Accounts: one per Nostr pubkey (the wallets linked to one are `LnurlWallet` records)."""

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.nostr.pubkeys import parse_hex_pubkey
from domain.shared.errors import InvalidInput
from domain.shared.transitions import check_transition

# LUD-04 linking keys are 33-byte compressed secp256k1 public keys.
COMPRESSED_KEY = re.compile(r"0[23][0-9a-f]{64}")


class UserRole(StrEnum):
    USER = "user"
    ADMIN = "admin"


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


USER_TRANSITIONS = {
    UserStatus.ACTIVE: frozenset({UserStatus.SUSPENDED}),
    UserStatus.SUSPENDED: frozenset({UserStatus.ACTIVE}),
}


def parse_linking_key(value: str) -> str:
    """A LUD-04 linking key: 66 lowercase hex characters of a compressed public key."""
    if not isinstance(value, str) or COMPRESSED_KEY.fullmatch(value) is None:
        raise InvalidInput("key must be a compressed public key in lowercase hex", {"key": "invalid"})
    return value


class User(Struct, frozen=True, kw_only=True):
    id: UUID
    pubkey: str
    role: UserRole = UserRole.USER
    status: UserStatus = UserStatus.ACTIVE
    created_at: datetime
    updated_at: datetime
    # Renewal reminders by Nostr direct message (NIP-17); the owner may turn them off.
    reminders: bool = True

    def __post_init__(self) -> None:
        parse_hex_pubkey(self.pubkey)

    @classmethod
    def register(cls, pubkey: str, now: datetime, role: UserRole = UserRole.USER) -> "User":
        return cls(id=uuid4(), pubkey=pubkey, role=role, created_at=now, updated_at=now)

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN

    def suspend(self, now: datetime) -> "User":
        status = check_transition("user", self.status, UserStatus.SUSPENDED, USER_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def unsuspend(self, now: datetime) -> "User":
        status = check_transition("user", self.status, UserStatus.ACTIVE, USER_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def with_role(self, role: UserRole, now: datetime) -> "User":
        return structs.replace(self, role=role, updated_at=now)

    def with_pubkey(self, pubkey: str, now: datetime) -> "User":
        """The same account on another Nostr key."""
        return structs.replace(self, pubkey=parse_hex_pubkey(pubkey), updated_at=now)

    def with_reminders(self, reminders: bool, now: datetime) -> "User":
        return structs.replace(self, reminders=reminders, updated_at=now)
