"""The API's answers as typed, immutable records (msgspec Structs); unknown fields are ignored."""

from datetime import date, datetime

import msgspec


class User(msgspec.Struct, frozen=True):
    id: str
    pubkey: str
    npub: str
    role: str
    created_at: datetime


class Me(msgspec.Struct, frozen=True):
    id: str
    pubkey: str
    npub: str
    role: str
    created_at: datetime
    lnurl_linked: bool


class Challenge(msgspec.Struct, frozen=True):
    challenge: str
    expires_at: datetime


class Tokens(msgspec.Struct, frozen=True):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    user: User


class SessionInfo(msgspec.Struct, frozen=True):
    id: str
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


class CreatedApiKey(msgspec.Struct, frozen=True):
    id: str
    name: str
    key: str
    prefix: str
    scopes: list[str]
    created_at: datetime


class ApiKey(msgspec.Struct, frozen=True):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class UsageItem(msgspec.Struct, frozen=True):
    day: date
    endpoint: str
    status_class: str
    count: int


class Usage(msgspec.Struct, frozen=True):
    items: list[UsageItem]
    total: int


class WotFigures(msgspec.Struct, frozen=True):
    pubkey: str
    npub: str
    followers_count: int
    following_count: int
    wot_depth: int | None
    trust_score: float
    is_likely_bot: bool
    bot_reasons: list[str]
    account_age_score: float
    activity_score: float
    discount_percent: int
    computed_at: datetime
    stale: bool


class LnurlStart(msgspec.Struct, frozen=True):
    k1: str
    lnurl: str
    callback_url: str
    expires_at: datetime


class LnurlPoll(msgspec.Struct, frozen=True):
    status: str
    tokens: Tokens | None = None
