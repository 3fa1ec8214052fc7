"""Custom domains a user brings for NIP-05 names, proven by a DNS TXT record with a random token."""

import re
import secrets
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.errors import InvalidInput
from domain.records.transitions import check_transition

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_SHAPE = re.compile(rf"{LABEL}(?:\.{LABEL})+")
TOKEN_SHAPE = re.compile(r"[0-9a-f]{32,128}")
TXT_RECORD_LABEL = "_nostr-id"
TXT_VALUE_PREFIX = "nostr-id-verify="


class DomainStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    FAILED = "failed"


DOMAIN_TRANSITIONS = {
    DomainStatus.PENDING: frozenset({DomainStatus.VERIFIED, DomainStatus.FAILED}),
    DomainStatus.VERIFIED: frozenset({DomainStatus.FAILED}),
    DomainStatus.FAILED: frozenset({DomainStatus.VERIFIED}),
}


def parse_domain_name(value: str) -> str:
    """A public DNS name with at least two labels, lowercased, without a trailing dot."""
    domain = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if len(domain) > 253 or DOMAIN_SHAPE.fullmatch(domain) is None:
        raise InvalidInput("domain must be a DNS name such as example.com", {"domain": "not a DNS name"})
    return domain


class Domain(Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    domain: str
    verification_token: str
    status: DomainStatus = DomainStatus.PENDING
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None = None
    last_checked_at: datetime | None = None

    def __post_init__(self) -> None:
        if parse_domain_name(self.domain) != self.domain:
            raise InvalidInput("domain must be lowercase", {"domain": "must be lowercase"})
        if TOKEN_SHAPE.fullmatch(self.verification_token) is None:
            raise InvalidInput("verification token must be 32 to 128 lowercase hex characters")

    @classmethod
    def claim(cls, *, user_id: UUID, domain: str, now: datetime) -> "Domain":
        return cls(
            id=uuid4(),
            user_id=user_id,
            domain=parse_domain_name(domain),
            verification_token=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
        )

    @property
    def txt_record_name(self) -> str:
        return f"{TXT_RECORD_LABEL}.{self.domain}"

    @property
    def txt_record_value(self) -> str:
        return f"{TXT_VALUE_PREFIX}{self.verification_token}"

    def mark_verified(self, now: datetime) -> "Domain":
        status = check_transition("domain", self.status, DomainStatus.VERIFIED, DOMAIN_TRANSITIONS)
        return structs.replace(self, status=status, verified_at=now, last_checked_at=now, updated_at=now)

    def mark_failed(self, now: datetime) -> "Domain":
        status = check_transition("domain", self.status, DomainStatus.FAILED, DOMAIN_TRANSITIONS)
        return structs.replace(self, status=status, last_checked_at=now, updated_at=now)

    def checked(self, now: datetime) -> "Domain":
        """A check that changed nothing (the record is not there yet)."""
        return structs.replace(self, last_checked_at=now, updated_at=now)
