"""The fixed world both sides of the API contract agree on: the time, the public origin, the
signing secret, and the records each provider state sets up (in PostgreSQL, through the real
repositories). The consumer tests build their credentials from it; the provider verification
sets the states up with `set_up(state, dsn)`."""

import asyncio
import contextlib
import functools
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
from msgspec import structs

from adapters.postgres.pool import create_pool
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from adapters.tokens.jwt_tokens import ACCESS_AUDIENCE, ACCESS_TYPE, HEADER_TYPE, JwtAccessTokens
from domain.api_keys.keys import ApiKey, ApiKeyScope
from domain.auth.challenges import AuthChallenge
from domain.auth.key_rotation import KeyRecovery
from domain.auth.lnurl import LnurlAction, LnurlSession, LnurlWallet
from domain.auth.sessions import Session
from domain.auth.users import User, UserRole
from domain.billing.subscriptions import Currency, Payment, PaymentProviderName, Subscription
from domain.names.custom_domains import CustomDomain
from domain.names.nip05 import Nip05
from domain.names.transfers import OFFER_LIFETIME, TransferOffer
from domain.nostr.signing import public_key_of
from domain.shared.errors import Conflict
from domain.shared.hashing import secret_digest
from domain.shared.unit_of_work import UnitOfWork

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PUBLIC_URL = "https://id.example.com"
JWT_SECRET = hashlib.sha256(b"nostr-id pact provider verification").hexdigest()

ALICE_SECRET = hashlib.sha256(b"alice").hexdigest()
ALICE = User(
    id=UUID("a11ce000-0000-4000-8000-000000000001"),
    pubkey=public_key_of(ALICE_SECRET),
    created_at=NOW - timedelta(days=7),
    updated_at=NOW - timedelta(days=7),
)
BOB_SECRET = hashlib.sha256(b"bob").hexdigest()
BOB = User(
    id=UUID("b0b00000-0000-4000-8000-000000000001"),
    pubkey=public_key_of(BOB_SECRET),
    created_at=NOW - timedelta(days=7),
    updated_at=NOW - timedelta(days=7),
)
BOB_FAMILY = UUID("5e551000-0000-4000-8000-0000000000b0")
SIGNED_IN_FAMILY = UUID("5e551000-0000-4000-8000-000000000001")
ENDING_FAMILY = UUID("5e551000-0000-4000-8000-000000000002")
REFRESH_TOKEN = "nid_rt_pact-refresh-token-of-alice-000000000000"
CHALLENGE = "c" * 64
ALICE_KEY_ID = UUID("0a91e000-0000-4000-8000-000000000001")
ALICE_KEY = "nid_" + "a1" * 32
ALICE_WOT_KEY = "nid_" + "b2" * 32
PENDING_K1 = "d" * 64
PENDING_POLL = "nid_lp_" + "p" * 43
ALICE_WALLET_ID = UUID("3a11e700-0000-4000-8000-000000000001")
ALICE_OLD_WALLET_ID = UUID("3a11e700-0000-4000-8000-000000000002")
# BIP-340 auxiliary randomness of the contract's signed events, so their signatures repeat.
AUX_RAND = bytes(32)

SIGNED_IN = "alice is signed in"
ENDING_SESSION = "alice is signed in on a session she ends"
HOLDS_REFRESH_TOKEN = "alice holds a refresh token"
CHALLENGE_ISSUED = "a sign-in challenge was issued"
HAS_API_KEY = "alice has an API key"
HAS_USED_API_KEY = "alice has an API key that was used"
HAS_WOT_KEY = "alice has an API key with wot:read"
LNURL_PENDING = "an LNURL login is pending"
HAS_WALLET = "alice has a linked wallet"
UNLINKS_WALLET = "alice has a linked wallet she unlinks"
PENDING_PAYMENT = "alice has a pending payment"
# A fake provider's invoice in sats carries a regtest bolt11, as a Lightning provider's does.
PENDING_BOLT11 = "lnbcrt210u1p5pendingpact"
PAID_SUBSCRIPTION = "alice has a paid subscription"
PENDING_PAYMENT_ID = UUID("9a000000-0000-4000-8000-000000000001")
PAID_PAYMENT_ID = UUID("9a000000-0000-4000-8000-000000000002")
RECEIPT_NUMBER = "NID-2026-000001"

DEFAULT_DOMAIN = "id.example.com"  # the host of PUBLIC_URL
ALICE_NAME_ID = UUID("05000000-0000-4000-8000-000000000001")
ALICE_OLD_NAME_ID = UUID("05000000-0000-4000-8000-000000000002")
ALICE_FLAGGED_NAME_ID = UUID("05000000-0000-4000-8000-000000000003")
ALICE_DOMAIN_ID = UUID("d0000000-0000-4000-8000-000000000001")
ALICE_OLD_DOMAIN_ID = UUID("d0000000-0000-4000-8000-000000000002")
DOMAIN_TOKEN = "7" * 32
ADMIN_SECRET = hashlib.sha256(b"admin").hexdigest()
ADMIN = User(
    id=UUID("ad000000-0000-4000-8000-000000000001"),
    pubkey=public_key_of(ADMIN_SECRET),
    role=UserRole.ADMIN,
    created_at=NOW - timedelta(days=30),
    updated_at=NOW - timedelta(days=30),
)
ADMIN_FAMILY = UUID("5e551000-0000-4000-8000-0000000000ad")
HAS_NAME = "alice has a NIP-05 name"
RELEASES_NAME = "alice has a NIP-05 name she releases"
FLAGGED_NAME = "alice has a NIP-05 name an admin suspends"
HAS_DOMAIN = "alice has a custom domain"
REMOVES_DOMAIN = "alice has a custom domain she removes"
ADMIN_SIGNED_IN = "an admin is signed in"
# Key rotation: Carol moves to Dave's key; Alice's wallet asks to move her to Erin's key.
CAROL_SECRET = hashlib.sha256(b"carol").hexdigest()
CAROL = User(
    id=UUID("ca201000-0000-4000-8000-000000000001"),
    pubkey=public_key_of(CAROL_SECRET),
    created_at=NOW - timedelta(days=7),
    updated_at=NOW - timedelta(days=7),
)
CAROL_FAMILY = UUID("5e551000-0000-4000-8000-0000000000ca")
DAVE_SECRET = hashlib.sha256(b"dave").hexdigest()
ERIN_SECRET = hashlib.sha256(b"erin").hexdigest()
ROTATION_CHALLENGE = "e" * 64
RECOVERY_CHALLENGE = "f" * 64
WALLET_FAMILY = UUID("5e551000-0000-4000-8000-0000000000f1")
ALICE_RECOVERY_WALLET_ID = UUID("3a11e700-0000-4000-8000-000000000003")
CAN_ROTATE = "carol is signed in and a challenge was issued"
WALLET_SIGNED_IN = "alice is signed in with her linked wallet and a challenge was issued"
RECOVERY_PENDING = "alice is signed in and a key recovery is pending"
LOCKS_NAME = "alice has a NIP-05 name she locks"
OFFERS_NAME = "alice has a NIP-05 name she offers to bob"
CANCELS_OFFER = "alice has offered a NIP-05 name to bob and withdraws the offer"
BOB_HAS_OFFER = "bob is signed in and alice has offered him a NIP-05 name"
BOB_ACCEPTS_OFFER = "bob is signed in and accepts alice's offer of a NIP-05 name"
BOB_SIGNED_IN = "bob is signed in"
ALICE_LOCKED_NAME_ID = UUID("05000000-0000-4000-8000-000000000004")
ALICE_OFFERED_NAME_ID = UUID("05000000-0000-4000-8000-000000000005")
ALICE_CANCELED_NAME_ID = UUID("05000000-0000-4000-8000-000000000006")
ALICE_LISTED_NAME_ID = UUID("05000000-0000-4000-8000-000000000007")
ALICE_GIFT_NAME_ID = UUID("05000000-0000-4000-8000-000000000008")
CANCELED_OFFER_ID = UUID("0ff00000-0000-4000-8000-000000000001")
LISTED_OFFER_ID = UUID("0ff00000-0000-4000-8000-000000000002")
ACCEPTED_OFFER_ID = UUID("0ff00000-0000-4000-8000-000000000003")


@functools.cache
def admin_access_token() -> str:
    return access_token(ADMIN_FAMILY, user_id=ADMIN.id)


@functools.cache
def bob_access_token() -> str:
    return access_token(BOB_FAMILY, user_id=BOB.id)


def _name(name_id: UUID, name: str) -> Nip05:
    return Nip05(
        id=name_id,
        user_id=ALICE.id,
        name=name,
        domain=DEFAULT_DOMAIN,
        pubkey=ALICE.pubkey,
        relays=("wss://relay.example.com",),
        created_at=NOW - timedelta(days=1),
        updated_at=NOW - timedelta(days=1),
    )


def _offer(offer_id: UUID, name_id: UUID, name: str) -> TransferOffer:
    return TransferOffer(
        id=offer_id,
        nip05_id=name_id,
        name=name,
        domain=DEFAULT_DOMAIN,
        from_user_id=ALICE.id,
        to_pubkey=BOB.pubkey,
        created_at=NOW - timedelta(hours=1),
        expires_at=NOW - timedelta(hours=1) + OFFER_LIFETIME,
    )


def _domain(domain_id: UUID, domain: str) -> CustomDomain:
    return CustomDomain(
        id=domain_id,
        user_id=ALICE.id,
        domain=domain,
        verification_token=DOMAIN_TOKEN,
        created_at=NOW - timedelta(days=1),
        updated_at=NOW - timedelta(days=1),
    )


@functools.cache
def access_token(family_id: UUID, user_id: UUID | None = None) -> str:
    """The session's access token at the contract's time, with a fixed token id so the pact file
    is the same on every run; the provider's JwtAccessTokens verifies it."""
    issued = int(NOW.timestamp())
    claims = {
        "sub": str(user_id or ALICE.id),
        "sid": str(family_id),
        "jti": "pact-" + str(family_id),
        "iat": issued,
        "exp": issued + JwtAccessTokens(JWT_SECRET, issuer=PUBLIC_URL).lifetime_seconds,
        "iss": PUBLIC_URL,
        "aud": ACCESS_AUDIENCE,
        "typ": ACCESS_TYPE,
    }
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"typ": HEADER_TYPE})


def _session(family_id: UUID, refresh_token: str) -> Session:
    return Session(
        id=family_id,
        user_id=ALICE.id,
        family_id=family_id,
        refresh_token_hash=secret_digest(refresh_token),
        created_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(days=30),
        last_used_at=NOW - timedelta(hours=1),
        user_agent="pact",
    )


def _api_key(key_id: UUID, key: str, scopes: tuple[ApiKeyScope, ...]) -> ApiKey:
    return ApiKey(
        id=key_id,
        user_id=ALICE.id,
        name="crawler",
        prefix=key[:12],
        key_hash=secret_digest(key),
        scopes=scopes,
        created_at=NOW - timedelta(days=1),
    )


def _wallet(wallet_id: UUID, linking_key: str) -> LnurlWallet:
    return LnurlWallet(
        id=wallet_id, user_id=ALICE.id, linking_key=linking_key, linked_at=NOW - timedelta(days=1)
    )


async def _add(uow: UnitOfWork, add: Callable[[], Awaitable[None]]) -> None:
    with contextlib.suppress(Conflict):  # set up by an earlier interaction
        await add()


async def _set_up(state: str, uow: UnitOfWork) -> None:
    await _add(uow, lambda: uow.users.add(ALICE))
    if state in (
        SIGNED_IN,
        HAS_API_KEY,
        HAS_USED_API_KEY,
        HAS_WOT_KEY,
        HAS_NAME,
        RELEASES_NAME,
        HAS_DOMAIN,
        REMOVES_DOMAIN,
        HAS_WALLET,
        UNLINKS_WALLET,
        LOCKS_NAME,
        OFFERS_NAME,
        CANCELS_OFFER,
    ):
        await _add(uow, lambda: uow.sessions.add(_session(SIGNED_IN_FAMILY, "nid_rt_signed-in")))
    await _set_up_transfers(state, uow)
    if state == HAS_WALLET:
        await _add(uow, lambda: uow.lnurl_wallets.add(_wallet(ALICE_WALLET_ID, "02" + "a1" * 32)))
    if state == UNLINKS_WALLET:
        await _add(uow, lambda: uow.lnurl_wallets.add(_wallet(ALICE_OLD_WALLET_ID, "03" + "b2" * 32)))
    if state == ENDING_SESSION:
        await _add(uow, lambda: uow.sessions.add(_session(ENDING_FAMILY, "nid_rt_ending")))
    if state == HOLDS_REFRESH_TOKEN:
        family = UUID("5e551000-0000-4000-8000-000000000003")
        await _add(uow, lambda: uow.sessions.add(_session(family, REFRESH_TOKEN)))
    if state == CHALLENGE_ISSUED:
        challenge = AuthChallenge(
            id=UUID("c0000000-0000-4000-8000-000000000001"),
            challenge=CHALLENGE,
            created_at=NOW,
            expires_at=NOW + timedelta(minutes=5),
        )
        await _add(uow, lambda: uow.auth_challenges.add(challenge))
    if state in (HAS_API_KEY, HAS_USED_API_KEY):
        await _add(uow, lambda: uow.api_keys.add(_api_key(ALICE_KEY_ID, ALICE_KEY, (ApiKeyScope.WOT_READ,))))
    if state == HAS_USED_API_KEY:
        await uow.api_key_usage.increment(ALICE_KEY_ID, NOW.date(), "GET /api/v1/wot/{pubkey}", "2xx", 3)
    if state == HAS_WOT_KEY:
        wot_key = _api_key(
            UUID("0a91e000-0000-4000-8000-000000000002"), ALICE_WOT_KEY, (ApiKeyScope.WOT_READ,)
        )
        await _add(uow, lambda: uow.api_keys.add(wot_key))
    if state == HAS_NAME:
        await _add(uow, lambda: uow.nip05_names.add(_name(ALICE_NAME_ID, "alice")))
    if state == RELEASES_NAME:
        await _add(uow, lambda: uow.nip05_names.add(_name(ALICE_OLD_NAME_ID, "alice-old")))
    if state == FLAGGED_NAME:
        await _add(uow, lambda: uow.nip05_names.add(_name(ALICE_FLAGGED_NAME_ID, "alice-flagged")))
    if state == HAS_DOMAIN:
        await _add(uow, lambda: uow.domains.add(_domain(ALICE_DOMAIN_ID, "alice-names.org")))
    if state == REMOVES_DOMAIN:
        await _add(uow, lambda: uow.domains.add(_domain(ALICE_OLD_DOMAIN_ID, "old-alice-names.org")))
    if state == ADMIN_SIGNED_IN:
        await _add(uow, lambda: uow.users.add(ADMIN))
        admin_session = structs.replace(_session(ADMIN_FAMILY, "nid_rt_admin"), user_id=ADMIN.id)
        await _add(uow, lambda: uow.sessions.add(admin_session))
    if state == LNURL_PENDING:
        session = LnurlSession(
            id=UUID("1e000000-0000-4000-8000-000000000001"),
            k1=PENDING_K1,
            action=LnurlAction.LOGIN,
            poll_secret_hash=secret_digest(PENDING_POLL),
            created_at=NOW,
            expires_at=NOW + timedelta(minutes=5),
        )
        await _add(uow, lambda: uow.lnurl_sessions.add(session))
    if state in (PENDING_PAYMENT, PAID_SUBSCRIPTION):
        await _add(uow, lambda: uow.sessions.add(_session(SIGNED_IN_FAMILY, "nid_rt_signed-in")))
        await _set_up_billing(state, uow)
    if state in (CAN_ROTATE, WALLET_SIGNED_IN, RECOVERY_PENDING):
        await _set_up_key_rotation(state, uow)


def _challenge(challenge: str) -> AuthChallenge:
    return AuthChallenge(
        id=UUID(f"c0000000-0000-4000-8000-0000000000{challenge[:2]}"),
        challenge=challenge,
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=5),
    )


async def _set_up_key_rotation(state: str, uow: UnitOfWork) -> None:
    wallet = _wallet(ALICE_RECOVERY_WALLET_ID, "02" + "c3" * 32)
    if state == CAN_ROTATE:
        await _add(uow, lambda: uow.users.add(CAROL))
        carol_session = structs.replace(_session(CAROL_FAMILY, "nid_rt_carol"), user_id=CAROL.id)
        await _add(uow, lambda: uow.sessions.add(carol_session))
        await _add(uow, lambda: uow.auth_challenges.add(_challenge(ROTATION_CHALLENGE)))
    if state == WALLET_SIGNED_IN:
        await _add(uow, lambda: uow.lnurl_wallets.add(wallet))
        await _add(uow, lambda: uow.sessions.add(_session(WALLET_FAMILY, "nid_rt_wallet")))
        await uow.lnurl_wallets.add_session(wallet.id, WALLET_FAMILY)
        await _add(uow, lambda: uow.auth_challenges.add(_challenge(RECOVERY_CHALLENGE)))
    if state == RECOVERY_PENDING:
        await _add(uow, lambda: uow.sessions.add(_session(SIGNED_IN_FAMILY, "nid_rt_signed-in")))
        await _add(uow, lambda: uow.lnurl_wallets.add(wallet))
        recovery = KeyRecovery.request(
            user_id=ALICE.id, wallet_id=wallet.id, new_pubkey=public_key_of(ERIN_SECRET), now=NOW
        )
        await _add(uow, lambda: uow.key_recoveries.add(recovery))


async def _offered(uow: UnitOfWork, name_id: UUID, name: str, offer_id: UUID) -> None:
    await _add(uow, lambda: uow.nip05_names.add(_name(name_id, name)))
    await _add(uow, lambda: uow.transfer_offers.add(_offer(offer_id, name_id, name)))


async def _set_up_transfers(state: str, uow: UnitOfWork) -> None:
    if state in (BOB_HAS_OFFER, BOB_ACCEPTS_OFFER, BOB_SIGNED_IN):
        await _add(uow, lambda: uow.users.add(BOB))
        bob_session = structs.replace(_session(BOB_FAMILY, "nid_rt_bob"), user_id=BOB.id)
        await _add(uow, lambda: uow.sessions.add(bob_session))
    if state == LOCKS_NAME:
        await _add(uow, lambda: uow.nip05_names.add(_name(ALICE_LOCKED_NAME_ID, "alice-locked")))
    if state == OFFERS_NAME:
        await _add(uow, lambda: uow.users.add(BOB))
        await _add(uow, lambda: uow.nip05_names.add(_name(ALICE_OFFERED_NAME_ID, "alice-offered")))
    if state == CANCELS_OFFER:
        await _add(uow, lambda: uow.users.add(BOB))
        await _offered(uow, ALICE_CANCELED_NAME_ID, "alice-withdrawn", CANCELED_OFFER_ID)
    if state == BOB_HAS_OFFER:
        await _offered(uow, ALICE_LISTED_NAME_ID, "alice-listed", LISTED_OFFER_ID)
    if state == BOB_ACCEPTS_OFFER:
        await _offered(uow, ALICE_GIFT_NAME_ID, "alice-gift", ACCEPTED_OFFER_ID)


async def _set_up_billing(state: str, uow: UnitOfWork) -> None:
    if state == PENDING_PAYMENT:
        pending = Subscription.order(user_id=ALICE.id, plan_id="pro-monthly", now=NOW)
        pending = structs.replace(pending, id=UUID("5b000000-0000-4000-8000-000000000001"))
        payment = Payment.open(
            payment_id=PENDING_PAYMENT_ID,
            user_id=ALICE.id,
            subscription_id=pending.id,
            provider=PaymentProviderName.FAKE,
            provider_invoice_id="fake_pact_pending",
            amount=21_000,
            currency=Currency.SAT,
            now=NOW,
            checkout_url=f"{PUBLIC_URL}/api/v1/payments/{PENDING_PAYMENT_ID}",
            expires_at=NOW + timedelta(hours=1),
            plan_id="pro-monthly",
            list_amount=21_000,
            bolt11=PENDING_BOLT11,
        )
        await _add(uow, lambda: uow.subscriptions.add(pending))
        await _add(uow, lambda: uow.payments.add(payment))
    if state == PAID_SUBSCRIPTION:
        active = Subscription.order(user_id=ALICE.id, plan_id="pro-monthly", now=NOW - timedelta(days=1))
        active = structs.replace(active, id=UUID("5b000000-0000-4000-8000-000000000002"))
        active = active.activate(NOW - timedelta(days=1), timedelta(days=30))
        paid = Payment.open(
            payment_id=PAID_PAYMENT_ID,
            user_id=ALICE.id,
            subscription_id=active.id,
            provider=PaymentProviderName.FAKE,
            provider_invoice_id="fake_pact_paid",
            amount=21_000,
            currency=Currency.SAT,
            now=NOW - timedelta(days=1),
            plan_id="pro-monthly",
            list_amount=21_000,
        ).mark_paid(NOW - timedelta(days=1), RECEIPT_NUMBER)
        await _add(uow, lambda: uow.subscriptions.add(active))
        await _add(uow, lambda: uow.payments.add(paid))


def set_up(state: str, dsn: str) -> None:
    """Makes the records of a provider state exist (idempotent), in a transaction of its own."""

    async def run() -> None:
        pool = create_pool(dsn, min_size=1, max_size=1)
        await pool.open(wait=True, timeout=10)
        try:
            async with PostgresUnitOfWork(pool) as uow:
                await _set_up(state, uow)
                await uow.commit()
        finally:
            await pool.close()

    asyncio.run(run())
