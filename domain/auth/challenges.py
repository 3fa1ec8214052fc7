"""Login challenges for Nostr sign-in (NIP-42 style): random, single-use, short-lived."""

import re
import secrets
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.shared.errors import InvalidInput, InvalidTransition

CHALLENGE_BYTES = 32
# At least 128 random bits, written as lowercase hex.
CHALLENGE_SHAPE = re.compile(r"[0-9a-f]{32,128}")


def new_challenge() -> str:
    return secrets.token_hex(CHALLENGE_BYTES)


class AuthChallenge(Struct, frozen=True, kw_only=True):
    id: UUID
    challenge: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def __post_init__(self) -> None:
        if CHALLENGE_SHAPE.fullmatch(self.challenge) is None:
            raise InvalidInput("challenge must be 32 to 128 lowercase hex characters")
        if self.expires_at <= self.created_at:
            raise InvalidInput("a challenge must expire after it is issued")

    @classmethod
    def issue(cls, now: datetime, ttl: timedelta, challenge: str | None = None) -> "AuthChallenge":
        return cls(id=uuid4(), challenge=challenge or new_challenge(), created_at=now, expires_at=now + ttl)

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and not self.is_expired(now)

    def consume(self, now: datetime) -> "AuthChallenge":
        if self.used_at is not None:
            raise InvalidTransition("challenge was already used")
        if self.is_expired(now):
            raise InvalidTransition("challenge has expired")
        return structs.replace(self, used_at=now)
