"""An in-memory unit of work with the semantics of the PostgreSQL one, for tests of use cases.

Ordinary writes are buffered and reach the shared `MemoryStore` on commit; reads see the store
plus the unit's own writes. Atomic claims (consuming a challenge, completing an LNURL session,
marking a webhook processed, incrementing usage) take effect in the store at once, so of several
concurrent claimers exactly one wins, and are undone if the unit rolls back. Unique keys are
checked as PostgreSQL's unique indexes check them and a collision raises Conflict.
"""

import asyncio
from collections.abc import Callable, Hashable, Iterator
from datetime import date, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from uuid import UUID

from msgspec import Struct, structs

from domain.api_keys.keys import ApiKey, ApiKeyUsage
from domain.audit.entries import AuditLog, AuditLogQuery
from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlSession, LnurlWallet
from domain.auth.sessions import OpenSession, Session
from domain.auth.users import User
from domain.billing.subscriptions import Payment, PaymentProviderName, Subscription, SubscriptionStatus
from domain.names.custom_domains import CustomDomain, CustomDomainStatus
from domain.names.folding import fold_name
from domain.names.nip05 import Nip05, Nip05Status
from domain.names.transfers import TransferOffer
from domain.shared.errors import Conflict, InvalidInput, NotFound
from domain.shared.jobs import JobRun
from domain.shared.paging import PageCursor
from tests.fakes.names_for_life import (
    FakeKeyRecoveryRepository,
    FakeRenewalReminderRepository,
    WalletSession,
)
from tests.fakes.zaps import FakePendingZapRepository, FakeWalletConnectionRepository

R = TypeVar("R", bound=Struct)
_DELETED = object()
STATUS_CLASSES = frozenset({"1xx", "2xx", "3xx", "4xx", "5xx"})


class MemoryStore:
    """The committed state shared by every FakeUnitOfWork built on it."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Hashable, Any]] = {}
        self.receipt_counters: dict[int, int] = {}
        self.row_locks: dict[Hashable, asyncio.Lock] = {}

    def table(self, name: str) -> dict[Hashable, Any]:
        return self.tables.setdefault(name, {})


class _Table(Generic[R]):
    """One table as seen from one unit of work: committed rows overlaid with its own changes."""

    def __init__(
        self,
        uow: "FakeUnitOfWork",
        name: str,
        unique: dict[str, Callable[[R], Hashable | None]],
        references: dict[str, str],
    ) -> None:
        self._uow = uow
        self._name = name
        self._unique = unique
        self._references = references
        self._changes: dict[Hashable, Any] = {}

    @property
    def _committed(self) -> dict[Hashable, R]:
        return self._uow.store.table(self._name)

    def get(self, key: Hashable) -> R | None:
        value = self._changes.get(key, self._committed.get(key))
        return None if value is _DELETED else value

    def rows(self) -> Iterator[R]:
        for key in {**self._committed, **self._changes}:
            row = self.get(key)
            if row is not None:
                yield row

    def _check_unique(self, key: Hashable, record: R) -> None:
        for index, key_of in self._unique.items():
            value = key_of(record)
            if value is None:
                continue
            for other_key in {**self._committed, **self._changes}:
                other = self.get(other_key)
                if other is not None and other_key != key and key_of(other) == value:
                    raise Conflict(f"{self._name}: {index} already exists")

    def _check_references(self, record: R) -> None:
        for attribute, table in self._references.items():
            target = getattr(record, attribute)
            if target is not None and self._uow.lookup(table, target) is None:
                raise Conflict("the record refers to, or is referred to by, another record")

    def insert(self, key: Hashable, record: R) -> None:
        if self.get(key) is not None:
            raise Conflict(f"{self._name}: id already exists")
        self._check_references(record)
        self._check_unique(key, record)
        self._changes[key] = record

    def replace(self, key: Hashable, record: R) -> None:
        if self.get(key) is None:
            raise NotFound(f"{self._name}: not found")
        self._check_references(record)
        self._check_unique(key, record)
        self._changes[key] = record

    def delete(self, key: Hashable) -> bool:
        if self.get(key) is None:
            return False
        self._changes[key] = _DELETED
        return True

    def write_through(self, key: Hashable, record: R) -> None:
        """Stores at once in the committed state; undone if the unit of work rolls back."""
        previous = self._committed.get(key)
        self._committed[key] = record
        self._uow.on_rollback(lambda: self._restore(key, previous))

    def _restore(self, key: Hashable, previous: R | None) -> None:
        if previous is None:
            self._committed.pop(key, None)
        else:
            self._committed[key] = previous

    def commit(self) -> None:
        for key, value in self._changes.items():
            if value is _DELETED:
                self._committed.pop(key, None)
            else:
                self._committed[key] = value
        self._changes.clear()

    def discard(self) -> None:
        self._changes.clear()


def _after(cursor: PageCursor | None, at: datetime, record_id: UUID) -> bool:
    return cursor is None or (at, record_id) > (cursor.at, cursor.id)


class FakeUserRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[User] = uow.table("users", pubkey=lambda u: u.pubkey)

    async def add(self, user: User) -> None:
        self._rows.insert(user.id, user)

    async def get(self, user_id: UUID) -> User | None:
        return self._rows.get(user_id)

    async def get_for_update(self, user_id: UUID) -> User | None:
        # Like SELECT ... FOR UPDATE: held until the unit of work ends, then read afresh.
        await self._uow.lock(("users", user_id))
        return self._rows.get(user_id)

    async def get_by_pubkey(self, pubkey: str) -> User | None:
        return next((u for u in self._rows.rows() if u.pubkey == pubkey), None)

    async def update(self, user: User) -> None:
        self._rows.replace(user.id, user)

    async def search(self, *, pubkey_prefix: str | None, after: PageCursor | None, limit: int) -> list[User]:
        found = [
            u
            for u in self._rows.rows()
            if (pubkey_prefix is None or u.pubkey.startswith(pubkey_prefix))
            and _after(after, u.created_at, u.id)
        ]
        return sorted(found, key=lambda u: (u.created_at, u.id))[:limit]


class FakeSessionRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[Session] = uow.table(
            "sessions", references={"user_id": "users"}, refresh_token_hash=lambda s: s.refresh_token_hash
        )

    async def add(self, session: Session) -> None:
        self._rows.insert(session.id, session)

    async def get(self, session_id: UUID) -> Session | None:
        return self._rows.get(session_id)

    async def get_by_refresh_token_hash(self, refresh_token_hash: str) -> Session | None:
        return next((s for s in self._rows.rows() if s.refresh_token_hash == refresh_token_hash), None)

    async def update(self, session: Session) -> None:
        self._rows.replace(session.id, session)

    async def list_open_for_user(self, user_id: UUID, now: datetime) -> list[OpenSession]:
        found = [
            OpenSession(latest=s, started_at=min(f.created_at for f in self._family(s.family_id)))
            for s in self._rows.rows()
            if s.user_id == user_id and s.is_usable(now)
        ]
        by_family = sorted(found, key=lambda o: o.latest.family_id)
        return sorted(by_family, key=lambda o: o.started_at, reverse=True)

    def _family(self, family_id: UUID) -> list[Session]:
        return [s for s in self._rows.rows() if s.family_id == family_id]

    async def find_open_in_family(self, family_id: UUID, now: datetime) -> Session | None:
        found = [s for s in self._rows.rows() if s.family_id == family_id and s.is_usable(now)]
        return max(found, key=lambda s: s.created_at, default=None)

    async def mark_rotated(self, session_id: UUID, now: datetime) -> bool:
        session = self._rows.get(session_id)
        if session is None or not session.is_usable(now):
            return False
        self._rows.write_through(session_id, structs.replace(session, rotated_at=now, last_used_at=now))
        return True

    async def _revoke_where(self, matches: Callable[[Session], bool], now: datetime) -> int:
        chosen = [s for s in self._rows.rows() if matches(s) and s.revoked_at is None]
        for session in chosen:
            self._rows.replace(session.id, session.revoke(now))
        return len(chosen)

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        return await self._revoke_where(lambda s: s.family_id == family_id, now)

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        return await self._revoke_where(lambda s: s.user_id == user_id, now)


class FakeAuthChallengeRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[AuthChallenge] = uow.table("auth_challenges", challenge=lambda c: c.challenge)

    async def add(self, challenge: AuthChallenge) -> None:
        self._rows.insert(challenge.id, challenge)

    async def consume(self, challenge: str, now: datetime) -> AuthChallenge | None:
        found = next((c for c in self._rows.rows() if c.challenge == challenge), None)
        if found is None or not found.is_usable(now):
            return None
        consumed = found.consume(now)
        self._rows.write_through(found.id, consumed)
        return consumed

    async def delete_expired(self, before: datetime) -> int:
        expired = [c for c in self._rows.rows() if c.expires_at < before]
        for challenge in expired:
            self._rows.delete(challenge.id)
        return len(expired)


class FakeLnurlSessionRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[LnurlSession] = uow.table(
            "lnurl_sessions",
            references={"user_id": "users"},
            k1=lambda s: s.k1,
            poll_secret_hash=lambda s: s.poll_secret_hash,
        )

    async def add(self, session: LnurlSession) -> None:
        self._rows.insert(session.id, session)

    async def get_by_k1(self, k1: str) -> LnurlSession | None:
        return next((s for s in self._rows.rows() if s.k1 == k1), None)

    async def get_by_poll_secret_hash(self, poll_secret_hash: str) -> LnurlSession | None:
        return next((s for s in self._rows.rows() if s.poll_secret_hash == poll_secret_hash), None)

    async def complete(self, k1: str, linking_key: str, user_id: UUID, now: datetime) -> LnurlSession | None:
        found = await self.get_by_k1(k1)
        if found is None or found.completed_at is not None or found.is_expired(now):
            return None
        if found.user_id is not None and found.user_id != user_id:
            return None
        if self._uow.lookup("users", user_id) is None:
            raise Conflict("the record refers to, or is referred to by, another record")
        completed = found.complete(linking_key, user_id, now)
        self._rows.write_through(found.id, completed)
        return completed

    async def claim_tokens(self, k1: str, now: datetime) -> LnurlSession | None:
        found = await self.get_by_k1(k1)
        if found is None or found.completed_at is None or found.tokens_claimed_at is not None:
            return None
        claimed = found.claim_tokens(now)
        self._rows.write_through(found.id, claimed)
        return claimed

    async def delete_expired(self, before: datetime) -> int:
        expired = [s for s in self._rows.rows() if s.expires_at < before]
        for session in expired:
            self._rows.delete(session.id)
        return len(expired)


class FakeLnurlWalletRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[LnurlWallet] = uow.table(
            "lnurl_wallets", references={"user_id": "users"}, linking_key=lambda w: w.linking_key
        )
        self._sessions: _Table[WalletSession] = uow.table(
            "lnurl_wallet_sessions", references={"wallet_id": "lnurl_wallets"}
        )

    async def add(self, wallet: LnurlWallet) -> None:
        self._rows.insert(wallet.id, wallet)

    async def get_by_linking_key(self, linking_key: str) -> LnurlWallet | None:
        return next((w for w in self._rows.rows() if w.linking_key == linking_key), None)

    async def list_for_user(self, user_id: UUID) -> list[LnurlWallet]:
        return sorted(
            (w for w in self._rows.rows() if w.user_id == user_id), key=lambda w: (w.linked_at, w.id)
        )

    async def remove(self, user_id: UUID, wallet_id: UUID) -> LnurlWallet | None:
        found = self._rows.get(wallet_id)
        if found is None or found.user_id != user_id:
            return None
        self._rows.delete(wallet_id)
        return found

    async def mark_used(self, wallet_id: UUID, now: datetime) -> None:
        found = self._rows.get(wallet_id)
        if found is not None:
            self._rows.replace(wallet_id, structs.replace(found, last_used_at=now))

    async def add_session(self, wallet_id: UUID, family_id: UUID) -> None:
        if self._sessions.get(family_id) is None:
            self._sessions.insert(family_id, WalletSession(family_id=family_id, wallet_id=wallet_id))

    async def get_by_session(self, family_id: UUID) -> LnurlWallet | None:
        found = self._sessions.get(family_id)
        return None if found is None else self._rows.get(found.wallet_id)


class FakeApiKeyRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[ApiKey] = uow.table(
            "api_keys", references={"user_id": "users"}, key_hash=lambda k: k.key_hash
        )

    async def add(self, api_key: ApiKey) -> None:
        self._rows.insert(api_key.id, api_key)

    async def get(self, api_key_id: UUID) -> ApiKey | None:
        return self._rows.get(api_key_id)

    async def get_by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self._rows.rows() if k.key_hash == key_hash), None)

    async def list_by_prefix(self, prefix: str) -> list[ApiKey]:
        return [k for k in self._rows.rows() if k.prefix == prefix]

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        found = sorted((k for k in self._rows.rows() if k.user_id == user_id), key=lambda k: k.id)
        return sorted(found, key=lambda k: k.created_at, reverse=True)

    async def update(self, api_key: ApiKey) -> None:
        self._rows.replace(api_key.id, api_key)


class FakeApiKeyUsageRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[ApiKeyUsage] = uow.table("api_key_usage", references={"api_key_id": "api_keys"})

    async def increment(
        self, api_key_id: UUID, day: date, endpoint: str, status_class: str, amount: int = 1
    ) -> int:
        if status_class not in STATUS_CLASSES or not 1 <= len(endpoint) <= 200:
            raise InvalidInput("the record breaks a rule of the schema")
        if self._uow.lookup("api_keys", api_key_id) is None:
            raise Conflict("the record refers to, or is referred to by, another record")
        key = (api_key_id, day, endpoint, status_class)
        current = self._rows.get(key)
        count = (current.count if current else 0) + amount
        if count < 0:
            raise InvalidInput("the record breaks a rule of the schema")
        usage = ApiKeyUsage(
            api_key_id=api_key_id, day=day, endpoint=endpoint, status_class=status_class, count=count
        )
        self._rows.write_through(key, usage)
        return count

    async def list_for_key(self, api_key_id: UUID, first_day: date, last_day: date) -> list[ApiKeyUsage]:
        found = [
            u for u in self._rows.rows() if u.api_key_id == api_key_id and first_day <= u.day <= last_day
        ]
        return sorted(found, key=lambda u: (u.day, u.endpoint, u.status_class))

    async def add_flush(self, flush_id: UUID, usages: list[ApiKeyUsage], now: datetime) -> bool:
        flushes = self._uow.store.table("api_key_usage_flushes")
        if flush_id in flushes:
            return False
        flushes[flush_id] = now
        self._uow.on_rollback(lambda: flushes.pop(flush_id, None))
        for usage in usages:
            key = self._uow.lookup("api_keys", usage.api_key_id)
            if key is not None:
                await self.increment(
                    usage.api_key_id, usage.day, usage.endpoint, usage.status_class, usage.count
                )
                if key.last_used_at is None or key.last_used_at < now:
                    await self._uow.api_keys.update(key.used(now))
        return True


class FakeNip05Repository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[Nip05] = uow.table(
            "nip05_names",
            references={"user_id": "users"},
            name_domain=lambda n: (n.name.lower(), n.domain.lower()),
        )

    async def add(self, nip05: Nip05) -> None:
        try:
            self._check_lookalikes(nip05)
            self._rows.insert(nip05.id, nip05)
        except Conflict as exc:
            raise Conflict(
                f"{nip05.identifier} is already taken, or passes for another account's name"
            ) from exc

    def _check_lookalikes(self, nip05: Nip05) -> None:
        """As the look-alike trigger: no two accounts hold names of one fold on one domain."""
        if nip05.status is Nip05Status.RELEASED:
            return
        fold = fold_name(nip05.name)
        for other in self._rows.rows():
            if (
                other.id != nip05.id
                and other.user_id != nip05.user_id
                and other.domain == nip05.domain
                and other.status is not Nip05Status.RELEASED
                and fold_name(other.name) == fold
            ):
                raise Conflict("the record collides with another record (an exclusion rule)")

    async def get(self, nip05_id: UUID) -> Nip05 | None:
        return self._rows.get(nip05_id)

    async def get_for_update(self, nip05_id: UUID) -> Nip05 | None:
        await self._uow.lock(("nip05_names", nip05_id))
        return self._rows.get(nip05_id)

    async def find_lookalike(
        self, fold: str, domain: str, other_than: UUID | None, excluding: UUID | None = None
    ) -> Nip05 | None:
        found = sorted(
            (
                n
                for n in self._rows.rows()
                if n.domain == domain.lower()
                and fold_name(n.name) == fold
                and n.status is not Nip05Status.RELEASED
                and (other_than is None or n.user_id != other_than)
                and (excluding is None or n.id != excluding)
            ),
            key=lambda n: (n.created_at, n.id),
        )
        return found[0] if found else None

    async def find(self, name: str, domain: str) -> Nip05 | None:
        wanted = (name.lower(), domain.lower())
        return next((n for n in self._rows.rows() if (n.name.lower(), n.domain.lower()) == wanted), None)

    async def list_for_user(self, user_id: UUID) -> list[Nip05]:
        return sorted(
            (n for n in self._rows.rows() if n.user_id == user_id), key=lambda n: (n.created_at, n.id)
        )

    async def list_for_domain(self, domain: str) -> list[Nip05]:
        return sorted(
            (n for n in self._rows.rows() if n.domain.lower() == domain.lower()), key=lambda n: n.name
        )

    async def delete_for_user_on_domain(self, user_id: UUID, domain: str) -> list[str]:
        return self._delete_where(lambda n: n.user_id == user_id and n.domain.lower() == domain.lower())

    async def delete_for_others_on_domain(self, domain: str, user_id: UUID) -> list[str]:
        return self._delete_where(lambda n: n.user_id != user_id and n.domain.lower() == domain.lower())

    def _delete_where(self, chosen: Callable[[Nip05], bool]) -> list[str]:
        doomed = [n for n in self._rows.rows() if chosen(n)]
        for nip05 in doomed:
            self._rows.delete(nip05.id)
        return sorted(n.name for n in doomed)

    async def list_held_names(self, domain: str) -> list[str]:
        return [
            n.name.lower()
            for n in self._rows.rows()
            if n.domain.lower() == domain.lower() and n.status is not Nip05Status.RELEASED
        ]

    async def list_active_pubkeys(self) -> list[str]:
        return sorted({n.pubkey for n in self._rows.rows() if n.status is Nip05Status.ACTIVE})

    async def update(self, nip05: Nip05) -> None:
        self._check_lookalikes(nip05)
        self._rows.replace(nip05.id, nip05)

    async def delete(self, nip05_id: UUID) -> bool:
        return self._rows.delete(nip05_id)


class _PendingName(Struct, frozen=True):
    payment_id: UUID


class FakePendingNameRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[_PendingName] = uow.table("nip05_payment_holds")

    async def hold(self, nip05_id: UUID, payment_id: UUID) -> None:
        self._rows.insert(nip05_id, _PendingName(payment_id=payment_id))

    async def release_for_payment(self, payment_id: UUID) -> list[UUID]:
        keys = {**self._rows._committed, **self._rows._changes}
        held = sorted(
            k for k in keys if (row := self._rows.get(k)) is not None and row.payment_id == payment_id
        )
        for key in held:
            self._rows.delete(key)
        return held  # type: ignore[return-value]


class FakeTransferOfferRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[TransferOffer] = uow.table(
            "nip05_transfer_offers", references={"nip05_id": "nip05_names", "from_user_id": "users"}
        )

    async def add(self, offer: TransferOffer) -> None:
        self._rows.insert(offer.id, offer)

    async def get(self, offer_id: UUID) -> TransferOffer | None:
        return self._rows.get(offer_id)

    async def claim(self, offer_id: UUID, to_pubkey: str) -> TransferOffer | None:
        await self._uow.lock(("nip05_transfer_offers", offer_id))
        offer = self._rows.get(offer_id)
        if offer is None or offer.to_pubkey != to_pubkey:
            return None
        self._rows.delete(offer_id)
        return offer

    async def delete_for_name(self, nip05_id: UUID) -> int:
        doomed = [o.id for o in self._rows.rows() if o.nip05_id == nip05_id]
        for offer_id in doomed:
            self._rows.delete(offer_id)
        return len(doomed)

    async def delete_expired_for_name(self, nip05_id: UUID, now: datetime) -> int:
        doomed = [o.id for o in self._rows.rows() if o.nip05_id == nip05_id and o.is_expired(now)]
        for offer_id in doomed:
            self._rows.delete(offer_id)
        return len(doomed)

    async def count_open(self, nip05_id: UUID, now: datetime) -> int:
        return sum(1 for o in self._rows.rows() if o.nip05_id == nip05_id and not o.is_expired(now))

    async def cancel(self, offer_id: UUID, from_user_id: UUID) -> bool:
        offer = self._rows.get(offer_id)
        return offer is not None and offer.from_user_id == from_user_id and self._rows.delete(offer_id)

    async def list_open(
        self, user_id: UUID, pubkey: str, now: datetime, after: PageCursor | None, limit: int
    ) -> list[TransferOffer]:
        found = [
            o
            for o in self._rows.rows()
            if (o.from_user_id == user_id or o.to_pubkey == pubkey)
            and not o.is_expired(now)
            and _after(after, o.created_at, o.id)
        ]
        return sorted(found, key=lambda o: (o.created_at, o.id))[:limit]


class FakeCustomDomainRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[CustomDomain] = uow.table(
            "domains",
            references={"user_id": "users"},
            user_domain=lambda d: (d.user_id, d.domain.lower()),
            verified_domain=lambda d: d.domain.lower() if d.status is CustomDomainStatus.VERIFIED else None,
        )

    async def add(self, domain: CustomDomain) -> None:
        self._rows.insert(domain.id, domain)

    async def get(self, domain_id: UUID) -> CustomDomain | None:
        return self._rows.get(domain_id)

    async def list_verified_names(self) -> list[str]:
        return [d.domain.lower() for d in self._rows.rows() if d.status is CustomDomainStatus.VERIFIED]

    async def find_verified(self, domain: str) -> CustomDomain | None:
        wanted = domain.lower()
        return next(
            (
                d
                for d in self._rows.rows()
                if d.domain.lower() == wanted and d.status is CustomDomainStatus.VERIFIED
            ),
            None,
        )

    async def list_claims(self, domain: str) -> list[CustomDomain]:
        return sorted(
            (d for d in self._rows.rows() if d.domain.lower() == domain.lower()),
            key=lambda d: (d.created_at, d.id),
        )

    async def list_for_user(self, user_id: UUID) -> list[CustomDomain]:
        return sorted(
            (d for d in self._rows.rows() if d.user_id == user_id), key=lambda d: (d.created_at, d.id)
        )

    async def list_due_for_check(self, checked_before: datetime, limit: int) -> list[CustomDomain]:
        due = [
            d for d in self._rows.rows() if d.last_checked_at is None or d.last_checked_at < checked_before
        ]
        never = sorted((d for d in due if d.last_checked_at is None), key=lambda d: d.id)
        checked = sorted(
            (d for d in due if d.last_checked_at is not None), key=lambda d: (d.last_checked_at, d.id)
        )
        return (never + checked)[:limit]

    async def update(self, domain: CustomDomain) -> None:
        self._rows.replace(domain.id, domain)

    async def delete(self, domain_id: UUID) -> bool:
        return self._rows.delete(domain_id)


class FakeSubscriptionRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[Subscription] = uow.table(
            "subscriptions",
            references={"user_id": "users"},
            active_user=lambda s: s.user_id if s.status is SubscriptionStatus.ACTIVE else None,
        )

    async def add(self, subscription: Subscription) -> None:
        self._rows.insert(subscription.id, subscription)

    async def get(self, subscription_id: UUID) -> Subscription | None:
        return self._rows.get(subscription_id)

    async def get_active_for_user(self, user_id: UUID) -> Subscription | None:
        return next(
            (s for s in self._rows.rows() if s.user_id == user_id and s.status is SubscriptionStatus.ACTIVE),
            None,
        )

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        found = sorted((s for s in self._rows.rows() if s.user_id == user_id), key=lambda s: s.id)
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    async def list_due_to_expire(self, now: datetime, limit: int) -> list[Subscription]:
        due = [
            s
            for s in self._rows.rows()
            if s.status is SubscriptionStatus.ACTIVE and s.expires_at is not None and s.expires_at <= now
        ]
        return sorted(due, key=lambda s: (s.expires_at, s.id))[:limit]

    async def list_lapsed_users(self, before: datetime, free_names: int, limit: int) -> list[UUID]:
        rows = list(self._rows.rows())
        active_users = {s.user_id for s in rows if s.status is SubscriptionStatus.ACTIVE}
        names = list(self._uow.nip05_names._rows.rows())
        lapsed: dict[UUID, datetime] = {}
        for s in rows:
            if (
                s.status in (SubscriptionStatus.EXPIRED, SubscriptionStatus.CANCELED)
                and s.expires_at is not None
                and s.expires_at <= before
                and s.user_id not in active_users
                and sum(1 for n in names if n.user_id == s.user_id and n.status is Nip05Status.ACTIVE)
                > free_names
            ):
                lapsed[s.user_id] = min(lapsed.get(s.user_id, s.expires_at), s.expires_at)
        return sorted(lapsed, key=lambda user_id: (lapsed[user_id], user_id))[:limit]

    async def update(self, subscription: Subscription) -> None:
        self._rows.replace(subscription.id, subscription)


class FakePaymentRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._store = uow.store
        self._rows: _Table[Payment] = uow.table(
            "payments",
            references={"user_id": "users", "subscription_id": "subscriptions"},
            provider_invoice=lambda p: (p.provider, p.provider_invoice_id),
            receipt_number=lambda p: p.receipt_number,
        )

    async def add(self, payment: Payment) -> None:
        self._rows.insert(payment.id, payment)

    async def get(self, payment_id: UUID) -> Payment | None:
        return self._rows.get(payment_id)

    async def get_by_provider_invoice(
        self, provider: PaymentProviderName, provider_invoice_id: str
    ) -> Payment | None:
        return next(
            (
                p
                for p in self._rows.rows()
                if (p.provider, p.provider_invoice_id) == (provider, provider_invoice_id)
            ),
            None,
        )

    async def list_for_user(self, user_id: UUID) -> list[Payment]:
        found = sorted((p for p in self._rows.rows() if p.user_id == user_id), key=lambda p: p.id)
        return sorted(found, key=lambda p: p.created_at, reverse=True)

    async def get_for_update(self, payment_id: UUID) -> Payment | None:
        # Like SELECT ... FOR UPDATE: held until the unit of work ends, then read afresh.
        await self._uow.lock(("payments", payment_id))
        return self._rows.get(payment_id)

    async def list_overdue(self, now: datetime, limit: int) -> list[Payment]:
        due = [p for p in self._rows.rows() if p.is_overdue(now)]
        tried = self._store.table("payment_expiry_tries")

        def order(p: Payment) -> tuple[bool, datetime, datetime | None, UUID]:
            return (p.id in tried, tried.get(p.id, now), p.expires_at, p.id)

        return sorted(due, key=order)[:limit]

    async def mark_expiry_tried(self, payment_id: UUID, now: datetime) -> None:
        self._store.table("payment_expiry_tries")[payment_id] = now

    async def next_receipt_number(self, year: int) -> int:
        # Like the counter row: taken at once, given back if the unit of work rolls back.
        counters = self._store.receipt_counters
        previous = counters.get(year, 0)
        counters[year] = previous + 1
        self._uow.on_rollback(lambda: counters.__setitem__(year, previous))
        return previous + 1

    async def update(self, payment: Payment) -> None:
        self._rows.replace(payment.id, payment)


class FakeAuditLogRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[AuditLog] = uow.table("audit_log", references={"actor_user_id": "users"})

    async def add(self, entry: AuditLog) -> None:
        self._rows.insert(entry.id, entry)

    async def search(self, query: AuditLogQuery) -> list[AuditLog]:
        found = [
            e
            for e in self._rows.rows()
            if (query.actor_user_id is None or e.actor_user_id == query.actor_user_id)
            and (query.action is None or e.action == query.action)
            and (query.since is None or e.occurred_at >= query.since)
            and (query.until is None or e.occurred_at < query.until)
            and _after(query.after, e.occurred_at, e.id)
        ]
        return sorted(found, key=lambda e: (e.occurred_at, e.id))[: query.limit]


class FakeProcessedWebhookRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[datetime] = uow.table("processed_webhook_events")  # when it was processed

    async def mark_processed(self, provider: PaymentProviderName, event_id: str, now: datetime) -> bool:
        key = (provider, event_id)
        if self._rows.get(key) is not None:
            return False
        self._rows.write_through(key, now)
        return True


class _Hold(Struct, frozen=True):
    user_id: UUID


class FakeNameHoldRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._uow = uow
        self._rows: _Table[_Hold] = uow.table("nip05_billing_holds")

    async def hold(self, nip05_id: UUID, user_id: UUID, now: datetime) -> bool:
        if self._rows.get(nip05_id) is not None:
            return False
        if self._uow.lookup("nip05_names", nip05_id) is None or self._uow.lookup("users", user_id) is None:
            raise Conflict("the record refers to, or is referred to by, another record")
        self._rows.insert(nip05_id, _Hold(user_id=user_id))
        return True

    async def release_for_user(self, user_id: UUID) -> list[UUID]:
        held = sorted(key for key, hold in self._held() if hold.user_id == user_id)
        for key in held:
            self._rows.delete(key)
        return held

    def _held(self) -> list[tuple[UUID, _Hold]]:
        keys = {**self._rows._committed, **self._rows._changes}
        return [(key, row) for key in keys if (row := self._rows.get(key)) is not None]  # type: ignore[misc]


class FakeJobRunRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[JobRun] = uow.table("job_runs")

    async def record(self, job: str, succeeded: bool, now: datetime) -> None:
        run = self._rows.get(job)
        if run is None:
            self._rows.insert(job, JobRun(job=job, last_success_at=now if succeeded else None, failures=0))
            run = self._rows.get(job)
            assert run is not None
        if succeeded:
            self._rows.replace(job, structs.replace(run, last_success_at=now))
        else:
            self._rows.replace(job, structs.replace(run, failures=run.failures + 1))

    async def list_all(self) -> list[JobRun]:
        return sorted(self._rows.rows(), key=lambda run: run.job)


class FakeUnitOfWork:
    """The memory twin of PostgresUnitOfWork; `committed` tells whether the last work was committed."""

    def __init__(self, store: MemoryStore | None = None, timeout: float | None = None) -> None:
        self.store = store or MemoryStore()
        self.committed = False
        self._tables: list[_Table[Any]] = []
        self._undo: list[Callable[[], None]] = []
        self._entered = False
        self._by_name: dict[str, _Table[Any]] = {}
        self._held_locks: dict[Hashable, asyncio.Lock] = {}
        self.users = FakeUserRepository(self)
        self.sessions = FakeSessionRepository(self)
        self.auth_challenges = FakeAuthChallengeRepository(self)
        self.lnurl_sessions = FakeLnurlSessionRepository(self)
        self.lnurl_wallets = FakeLnurlWalletRepository(self)
        self.api_keys = FakeApiKeyRepository(self)
        self.api_key_usage = FakeApiKeyUsageRepository(self)
        self.nip05_names = FakeNip05Repository(self)
        self.domains = FakeCustomDomainRepository(self)
        self.subscriptions = FakeSubscriptionRepository(self)
        self.payments = FakePaymentRepository(self)
        self.audit_log = FakeAuditLogRepository(self)
        self.webhook_events = FakeProcessedWebhookRepository(self)
        self.name_holds = FakeNameHoldRepository(self)
        self.pending_names = FakePendingNameRepository(self)
        self.transfer_offers = FakeTransferOfferRepository(self)
        self.job_runs = FakeJobRunRepository(self)
        self.wallet_connections = FakeWalletConnectionRepository(self)
        self.pending_zaps = FakePendingZapRepository(self)
        self.key_recoveries = FakeKeyRecoveryRepository(self)
        self.renewal_reminders = FakeRenewalReminderRepository(self)

    def table(
        self, name: str, references: dict[str, str] | None = None, **unique: Callable[[Any], Hashable | None]
    ) -> _Table[Any]:
        """A table with unique keys (name -> key of a record) and foreign keys (attribute -> table)."""
        table: _Table[Any] = _Table(self, name, unique, references or {})
        self._tables.append(table)
        self._by_name[name] = table
        return table

    def lookup(self, table: str, key: Hashable) -> Any:
        return self._by_name[table].get(key)

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    async def lock(self, key: Hashable) -> None:
        """A row lock held until the unit of work is left, as PostgreSQL holds it to the transaction's end."""
        if key in self._held_locks:
            return
        lock = self.store.row_locks.setdefault(key, asyncio.Lock())
        await lock.acquire()
        self._held_locks[key] = lock

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("this unit of work is already in use")
        self._entered = True
        self.committed = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()
        self._entered = False
        held, self._held_locks = self._held_locks, {}
        for lock in held.values():
            lock.release()

    async def commit(self) -> None:
        for table in self._tables:
            table.commit()
        self._undo.clear()
        self.committed = True

    async def rollback(self) -> None:
        for table in self._tables:
            table.discard()
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
