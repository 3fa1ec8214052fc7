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
    reminders: bool = True  # renewal reminders by Nostr direct message


class RotatedAccount(msgspec.Struct, frozen=True):
    """The account after a key rotation, on its new key."""

    id: str
    pubkey: str
    npub: str


class KeyRecovery(msgspec.Struct, frozen=True):
    """When a wallet's key recovery moves the account, unless the old key cancels it first."""

    effective_at: datetime


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
    poll: str  # the poll secret: keep it to this client, it is not in the LNURL
    expires_at: datetime


class LnurlPoll(msgspec.Struct, frozen=True):
    status: str
    tokens: Tokens | None = None


class LinkedWallet(msgspec.Struct, frozen=True):
    id: str
    key_prefix: str
    linked_at: datetime
    last_used_at: datetime | None


class PlanFeatures(msgspec.Struct, frozen=True):
    names: int
    custom_domains: int
    api_requests_per_minute: int


class Plan(msgspec.Struct, frozen=True):
    """A plan with its list prices and the caller's prices after their Web-of-Trust discount."""

    id: str
    name: str
    period_days: int
    price_sats: int
    price_usd_cents: int
    discount_percent: int
    discounted_price_sats: int
    discounted_price_usd_cents: int
    features: PlanFeatures


class Subscription(msgspec.Struct, frozen=True):
    id: str
    plan_id: str
    status: str
    created_at: datetime
    starts_at: datetime | None
    expires_at: datetime | None
    canceled_at: datetime | None
    cancel_at_period_end: bool


class Payment(msgspec.Struct, frozen=True):
    """`amount` is in the currency's smallest unit (sats or US cents)."""

    id: str
    status: str
    provider: str
    amount: int
    currency: str
    checkout_url: str | None
    bolt11: str | None
    expires_at: datetime | None
    paid_at: datetime | None
    plan_id: str | None
    subscription_id: str | None
    list_amount: int | None
    discount_percent: int
    receipt_number: str | None
    created_at: datetime


class Checkout(msgspec.Struct, frozen=True):
    subscription: Subscription
    payment: Payment


class Receipt(msgspec.Struct, frozen=True):
    receipt_number: str
    payment_id: str
    plan_id: str | None
    provider: str
    amount: int
    currency: str
    list_amount: int | None
    discount_percent: int
    paid_at: datetime | None
    refunded_at: datetime | None


class Nip05Name(msgspec.Struct, frozen=True):
    id: str
    name: str
    domain: str
    identifier: str
    pubkey: str
    relays: list[str]
    status: str
    expires_at: datetime | None
    # True refuses transfer offers.
    locked: bool = False


class TransferOffer(msgspec.Struct, frozen=True):
    """An offer of a name to another pubkey; `direction` is "made" (by you) or "received"."""

    id: str
    name: str
    to_pubkey: str
    expires_at: datetime
    domain: str | None = None
    created_at: datetime | None = None
    direction: str | None = None


class NameAvailability(msgspec.Struct, frozen=True):
    name: str
    domain: str
    available: bool
    reason: str | None


class DomainVerificationRecord(msgspec.Struct, frozen=True):
    type: str
    name: str
    value: str


class CustomDomain(msgspec.Struct, frozen=True):
    id: str
    domain: str
    status: str
    verification: DomainVerificationRecord


class DomainCheck(msgspec.Struct, frozen=True):
    status: str
    checked_at: datetime
    detail: str


class AdminUser(msgspec.Struct, frozen=True):
    id: str
    pubkey: str
    npub: str
    role: str
    status: str
    created_at: datetime


class AuditEntry(msgspec.Struct, frozen=True):
    id: str
    occurred_at: datetime
    action: str
    actor_user_id: str | None
    target_type: str | None
    target_id: str | None
    details: dict[str, object]


class Page(msgspec.Struct, frozen=True):
    items: list[msgspec.Raw]
    next_cursor: str | None


class NostrJson(msgspec.Struct, frozen=True):
    names: dict[str, str]
    relays: dict[str, list[str]] = {}
