"""Valid records with random keys, for tests; override any field by keyword."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from msgspec import structs

from domain.api_keys.keys import ApiKey, ApiKeyScope
from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlAction, LnurlSession
from domain.auth.sessions import Session
from domain.auth.users import User
from domain.billing.subscriptions import Currency, Payment, PaymentProviderName, Subscription
from domain.names.custom_domains import CustomDomain
from domain.names.nip05 import Nip05
from domain.nostr.signing import generate_secret_key, public_key_of
from domain.shared.hashing import secret_digest

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def pubkey() -> str:
    """A real x-only public key: one that can sign and be sent messages (a random 64 hex is off the
    curve about half the time)."""
    return public_key_of(generate_secret_key())


def linking_key() -> str:
    return "02" + secrets.token_hex(32)


def user(**fields: Any) -> User:
    return structs.replace(User.register(pubkey(), NOW), **fields)


def session(user_id: UUID, **fields: Any) -> Session:
    started = Session.start(
        user_id=user_id,
        refresh_token_hash=secret_digest(secrets.token_hex(16)),
        now=NOW,
        lifetime=timedelta(days=30),
        origin=RequestOrigin(user_agent="test-agent/1.0", ip="203.0.113.7"),
    )
    return structs.replace(started, **fields)


def challenge(**fields: Any) -> AuthChallenge:
    return structs.replace(AuthChallenge.issue(NOW, timedelta(minutes=5)), **fields)


def lnurl_session(action: LnurlAction = LnurlAction.LOGIN, user_id: UUID | None = None) -> LnurlSession:
    return LnurlSession.start(action, NOW, timedelta(minutes=5), user_id=user_id)[0]


def api_key(user_id: UUID, **fields: Any) -> ApiKey:
    issued = ApiKey.issue(user_id=user_id, name="ci", scopes=[ApiKeyScope.WOT_READ.value], now=NOW)
    return structs.replace(issued.api_key, **fields)


def nip05(user_id: UUID, **fields: Any) -> Nip05:
    claimed = Nip05.claim(
        user_id=user_id,
        name="n" + secrets.token_hex(6),
        domain="example.com",
        pubkey=pubkey(),
        now=NOW,
        relays=["wss://relay.example.com"],
    )
    return structs.replace(claimed, **fields)


def domain(user_id: UUID, **fields: Any) -> CustomDomain:
    claimed = CustomDomain.claim(user_id=user_id, domain=f"d{secrets.token_hex(6)}.example.org", now=NOW)
    return structs.replace(claimed, **fields)


def subscription(user_id: UUID, **fields: Any) -> Subscription:
    return structs.replace(Subscription.order(user_id=user_id, plan_id="monthly", now=NOW), **fields)


def payment(user_id: UUID, **fields: Any) -> Payment:
    opened = Payment.open(
        user_id=user_id,
        provider=PaymentProviderName.FAKE,
        provider_invoice_id=f"inv_{uuid4().hex}",
        amount=21_000,
        currency=Currency.SAT,
        now=NOW,
        checkout_url="https://pay.example.com/i/1",
        bolt11="lnbc210u1fake",
        expires_at=NOW + timedelta(minutes=30),
    )
    return structs.replace(opened, **fields)


def audit_entry(actor_user_id: UUID | None = None, **fields: Any) -> AuditLog:
    entry = AuditLog.record(
        action="admin.user.suspend",
        now=NOW,
        actor=Actor(
            user_id=actor_user_id, origin=RequestOrigin(ip="2001:db8::1", user_agent="admin-console/2.0")
        ),
        target=("user", uuid4()),
        details={"reason": "spam", "count": 3},
    )
    return structs.replace(entry, **fields)
