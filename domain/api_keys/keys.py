"""API keys for machine clients: stored as a digest with a visible prefix, scoped, revocable."""

import re
import secrets
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.shared.errors import InvalidInput
from domain.shared.hashing import is_secret_digest, secret_digest

KEY_PREFIX = "nid_"
# 32 random bytes: well over the 128 bits a key must carry.
KEY_RANDOM_BYTES = 32
VISIBLE_PREFIX_LENGTH = 12
PREFIX_SHAPE = re.compile(r"[A-Za-z0-9_]{4,32}")
MAX_NAME_LENGTH = 100
# A key name is one line of text with at least one character that str.strip() keeps (the name is
# stored stripped): no control character, and not white space alone.
_LINE = r"[^\x00-\x1f\x7f-\x9f]*"
_KEPT = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
NAME_PATTERN = f"^{_LINE}{_KEPT}{_LINE}$"
_NAME_SHAPE = re.compile(NAME_PATTERN)
MAX_ENDPOINT_LENGTH = 200


class ApiKeyScope(StrEnum):
    WOT_READ = "wot:read"
    NIP05_READ = "nip05:read"
    WOT_PUBLISH = "wot:publish"


class IssuedApiKey(Struct, frozen=True, kw_only=True):
    """A new key: the record to store and the clear key to show once."""

    api_key: "ApiKey"
    key: str


def parse_scopes(values: list[str]) -> tuple[ApiKeyScope, ...]:
    try:
        scopes = {ApiKeyScope(value) for value in values}
    except ValueError as exc:
        known = ", ".join(scope.value for scope in ApiKeyScope)
        raise InvalidInput(f"unknown scope; known scopes: {known}", {"scopes": "unknown scope"}) from exc
    return tuple(sorted(scopes))


def status_class_of(status_code: int) -> str:
    """`2xx` for 204, and so on: how usage is counted."""
    if not 100 <= status_code <= 599:
        raise InvalidInput(f"not an HTTP status code: {status_code}")
    return f"{status_code // 100}xx"


class ApiKey(Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    name: str
    prefix: str
    key_hash: str
    scopes: tuple[ApiKeyScope, ...]
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.name) <= MAX_NAME_LENGTH:
            raise InvalidInput(f"name must be 1 to {MAX_NAME_LENGTH} characters", {"name": "length"})
        if PREFIX_SHAPE.fullmatch(self.prefix) is None:
            raise InvalidInput("prefix must be 4 to 32 letters, digits or underscores")
        if not is_secret_digest(self.key_hash):
            raise InvalidInput("key_hash must be a SHA-256 hex digest")

    @classmethod
    def issue(cls, *, user_id: UUID, name: str, scopes: list[str], now: datetime) -> IssuedApiKey:
        if _NAME_SHAPE.search(name) is None:
            raise InvalidInput(
                "name must be one line without control characters, not white space alone",
                {"name": "control character or blank"},
            )
        key = KEY_PREFIX + secrets.token_hex(KEY_RANDOM_BYTES)
        api_key = cls(
            id=uuid4(),
            user_id=user_id,
            name=name.strip(),
            prefix=key[:VISIBLE_PREFIX_LENGTH],
            key_hash=secret_digest(key),
            scopes=parse_scopes(scopes),
            created_at=now,
        )
        return IssuedApiKey(api_key=api_key, key=key)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> "ApiKey":
        if self.revoked_at is not None:
            return self
        return structs.replace(self, revoked_at=now)

    def used(self, now: datetime) -> "ApiKey":
        return structs.replace(self, last_used_at=now)


class ApiKeyUsage(Struct, frozen=True, kw_only=True):
    """Requests made with one key on one day to one endpoint, by status class."""

    api_key_id: UUID
    day: date
    endpoint: str
    status_class: str
    count: int
