"""Persistence ports: one repository per aggregate, and a unit of work that spans one use case.

Every adapter has the same semantics. `add` of a record that collides with a unique key (an id, a
pubkey, a token digest, a NIP-05 name on its domain, a provider invoice) raises Conflict and
changes nothing; so does an `update` that would make two records collide. `get`/`find` answer None
when nothing matches. Repositories see only the work of their own unit of work until it commits.
An unreachable database raises DatabaseUnavailable.
"""

from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from domain.errors import DependencyUnavailable
from domain.records.api_keys import ApiKey, ApiKeyUsage
from domain.records.audit import AuditLog, AuditLogQuery
from domain.records.auth import AuthChallenge
from domain.records.billing import Payment, PaymentProviderName, Subscription
from domain.records.domains import Domain
from domain.records.lnurl import LnurlSession, LnurlWallet
from domain.records.names import Nip05
from domain.records.paging import PageCursor
from domain.records.sessions import OpenSession, Session
from domain.records.users import User


class DatabaseUnavailable(DependencyUnavailable):
    """The database could not be reached or did not answer in time."""


class UserRepository(Protocol):
    """Accounts, by id and by Nostr pubkey."""

    async def add(self, user: User) -> None: ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_pubkey(self, pubkey: str) -> User | None: ...

    async def get_for_update(self, user_id: UUID) -> User | None:
        """The user, its row locked to the end of the transaction (serialises quota checks)."""
        ...

    async def update(self, user: User) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def search(self, *, pubkey_prefix: str | None, after: PageCursor | None, limit: int) -> list[User]:
        """Users oldest first (by created_at, id), optionally whose pubkey starts with a hex prefix."""
        ...


class SessionRepository(Protocol):
    """Refresh-token sessions, one row per token, grouped in rotation families."""

    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: UUID) -> Session | None: ...

    async def get_by_refresh_token_hash(self, refresh_token_hash: str) -> Session | None: ...

    async def update(self, session: Session) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def list_open_for_user(self, user_id: UUID, now: datetime) -> list[OpenSession]:
        """The user's open sessions (a usable token: not rotated, revoked or expired) with when each
        family began, the latest begun first."""
        ...

    async def find_open_in_family(self, family_id: UUID, now: datetime) -> Session | None:
        """The family's usable session (not rotated, revoked or expired), if it has one."""
        ...

    async def mark_rotated(self, session_id: UUID, now: datetime) -> bool:
        """Atomically marks a usable session rotated (and used at `now`); False when it was
        already rotated, revoked or expired. Of concurrent calls for one session, at most one wins."""
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        """Revokes every not-yet-revoked session of the family; returns how many."""
        ...

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        """Revokes every not-yet-revoked session of the user; returns how many."""
        ...


class AuthChallengeRepository(Protocol):
    """Nostr sign-in challenges."""

    async def add(self, challenge: AuthChallenge) -> None: ...

    async def consume(self, challenge: str, now: datetime) -> AuthChallenge | None:
        """Atomically marks an unused, unexpired challenge used and returns it; otherwise None.

        Of any number of concurrent calls with the same challenge, at most one gets it.
        """
        ...

    async def delete_expired(self, before: datetime) -> int:
        """Removes challenges that expired before the given time; returns how many."""
        ...


class LnurlSessionRepository(Protocol):
    """LNURL-auth sessions, by their k1 (the wallet's) or the digest of their poll secret (the browser's)."""

    async def add(self, session: LnurlSession) -> None: ...

    async def get_by_k1(self, k1: str) -> LnurlSession | None: ...

    async def get_by_poll_secret_hash(self, poll_secret_hash: str) -> LnurlSession | None: ...

    async def complete(self, k1: str, linking_key: str, user_id: UUID, now: datetime) -> LnurlSession | None:
        """Atomically completes a pending, unexpired session; None when it is unknown, expired,
        already completed, or started by another user. Of concurrent calls at most one succeeds."""
        ...

    async def claim_tokens(self, k1: str, now: datetime) -> LnurlSession | None:
        """Atomically marks a completed session's tokens as handed out; None if not completed or
        already claimed."""
        ...

    async def delete_expired(self, before: datetime) -> int:
        """Removes sessions that expired before the given time; returns how many."""
        ...


class ApiKeyRepository(Protocol):
    """API keys, looked up by the digest of the presented key or by their visible prefix."""

    async def add(self, api_key: ApiKey) -> None: ...

    async def get(self, api_key_id: UUID) -> ApiKey | None: ...

    async def get_by_hash(self, key_hash: str) -> ApiKey | None: ...

    async def list_by_prefix(self, prefix: str) -> list[ApiKey]:
        """Keys whose visible prefix is `prefix`, revoked ones included."""
        ...

    async def list_for_user(self, user_id: UUID) -> list[ApiKey]:
        """The user's keys, revoked ones included, newest first."""
        ...

    async def update(self, api_key: ApiKey) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...


class ApiKeyUsageRepository(Protocol):
    """Request counters per key, day, endpoint and status class."""

    async def increment(
        self, api_key_id: UUID, day: date, endpoint: str, status_class: str, amount: int = 1
    ) -> int:
        """Adds to the counter (creating it at zero) and returns the new count; exact under
        concurrency."""
        ...

    async def list_for_key(self, api_key_id: UUID, first_day: date, last_day: date) -> list[ApiKeyUsage]:
        """Counters from first_day to last_day inclusive, by day, endpoint, status class."""
        ...

    async def add_flush(self, flush_id: UUID, usages: list[ApiKeyUsage], now: datetime) -> bool:
        """Adds a batch of counts once: records the batch id and adds each count to its counter.

        False (and nothing added) when a batch with this id was added before. Counts of keys that
        no longer exist are dropped. The keys counted are marked used at `now` (the flush time, a few
        seconds after the uses). Concurrent calls with one id: exactly one adds.
        """
        ...


class Nip05Repository(Protocol):
    """NIP-05 names; a name is unique per domain, case-insensitively."""

    async def add(self, nip05: Nip05) -> None: ...

    async def get(self, nip05_id: UUID) -> Nip05 | None: ...

    async def find(self, name: str, domain: str) -> Nip05 | None:
        """The record for name@domain, whatever its status, matched case-insensitively."""
        ...

    async def list_for_user(self, user_id: UUID) -> list[Nip05]:
        """The user's names, oldest first."""
        ...

    async def list_for_domain(self, domain: str) -> list[Nip05]:
        """Every name on the domain whatever its status, matched case-insensitively, by name."""
        ...

    async def delete_for_user_on_domain(self, user_id: UUID, domain: str) -> list[str]:
        """Removes every name the user holds on the domain, whatever its status; their names."""
        ...

    async def delete_for_others_on_domain(self, domain: str, user_id: UUID) -> list[str]:
        """Removes every name on the domain held by anyone but the user, whatever its status;
        their names."""
        ...

    async def list_held_names(self, domain: str) -> list[str]:
        """The names (lowercase) on the domain that are not released, whatever else their status."""
        ...

    async def list_active_pubkeys(self) -> list[str]:
        """The distinct pubkeys that active names point to, in order."""
        ...

    async def update(self, nip05: Nip05) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def delete(self, nip05_id: UUID) -> bool:
        """Removes the name; True when it existed."""
        ...


class DomainRepository(Protocol):
    """Custom domains and their verification state."""

    async def add(self, domain: Domain) -> None: ...

    async def get(self, domain_id: UUID) -> Domain | None: ...

    async def find_verified(self, domain: str) -> Domain | None:
        """The verified claim on a domain name, matched case-insensitively."""
        ...

    async def list_claims(self, domain: str) -> list[Domain]:
        """Every user's claim on a domain name, matched case-insensitively, locked until the end of
        the transaction."""
        ...

    async def list_verified_names(self) -> list[str]:
        """Every verified domain name, lowercase."""
        ...

    async def list_for_user(self, user_id: UUID) -> list[Domain]:
        """The user's domains, oldest first."""
        ...

    async def list_due_for_check(self, checked_before: datetime, limit: int) -> list[Domain]:
        """Domains never checked or last checked before the given time, least recently checked
        first."""
        ...

    async def update(self, domain: Domain) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def delete(self, domain_id: UUID) -> bool:
        """Removes the domain; True when it existed."""
        ...


class SubscriptionRepository(Protocol):
    """Subscriptions; a user has at most one active subscription."""

    async def add(self, subscription: Subscription) -> None: ...

    async def get(self, subscription_id: UUID) -> Subscription | None: ...

    async def get_active_for_user(self, user_id: UUID) -> Subscription | None: ...

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        """The user's subscriptions, newest first."""
        ...

    async def list_due_to_expire(self, now: datetime, limit: int) -> list[Subscription]:
        """Active subscriptions whose period has ended, earliest end first."""
        ...

    async def list_lapsed_users(self, before: datetime, free_names: int, limit: int) -> list[UUID]:
        """Users whose last paid period ended at or before `before`, who have no active subscription
        and more than `free_names` active NIP-05 names; earliest lapse first."""
        ...

    async def update(self, subscription: Subscription) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...


class PaymentRepository(Protocol):
    """Payments; one per (provider, provider invoice id)."""

    async def add(self, payment: Payment) -> None: ...

    async def get(self, payment_id: UUID) -> Payment | None: ...

    async def get_by_provider_invoice(
        self, provider: PaymentProviderName, provider_invoice_id: str
    ) -> Payment | None: ...

    async def list_for_user(self, user_id: UUID) -> list[Payment]:
        """The user's payments, newest first."""
        ...

    async def get_for_update(self, payment_id: UUID) -> Payment | None:
        """Reads the payment and locks it until the unit of work ends: concurrent settlements of
        one payment run one after another and each sees the previous one's outcome."""
        ...

    async def list_overdue(self, now: datetime, limit: int) -> list[Payment]:
        """Pending payments whose invoice expired at or before `now`, earliest first."""
        ...

    async def next_receipt_number(self, year: int) -> int:
        """The next receipt number of the year (starting at 1), without gaps: the number is taken
        inside the unit of work, held until it ends, and given back if it rolls back."""
        ...

    async def update(self, payment: Payment) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...


class AuditLogRepository(Protocol):
    """The append-only audit log."""

    async def add(self, entry: AuditLog) -> None: ...

    async def search(self, query: AuditLogQuery) -> list[AuditLog]:
        """Entries matching the query, oldest first (by occurred_at, id), at most query.limit."""
        ...


class ProcessedWebhookRepository(Protocol):
    """Which payment-provider webhook deliveries were already handled."""

    async def mark_processed(self, provider: PaymentProviderName, event_id: str, now: datetime) -> bool:
        """Records the event; True the first time, False when it was already recorded. Concurrent
        calls for one event: exactly one True once their units of work commit."""
        ...


class NameHoldRepository(Protocol):
    """NIP-05 names suspended by billing (a lapsed subscription, or a name waiting on payment), so
    that a settled payment reactivates exactly those and never a name an admin suspended."""

    async def hold(self, nip05_id: UUID, user_id: UUID, now: datetime) -> bool:
        """Records the hold; False when the name was already held."""
        ...

    async def release_for_user(self, user_id: UUID) -> list[UUID]:
        """Removes and returns the ids of every name held for the user."""
        ...


class LnurlWalletRepository(Protocol):
    """The LNURL-auth wallets linked to accounts; a linking key belongs to at most one account."""

    async def add(self, wallet: LnurlWallet) -> None:
        """Links the wallet; raises Conflict when its linking key is already linked."""
        ...

    async def get_by_linking_key(self, linking_key: str) -> LnurlWallet | None: ...

    async def list_for_user(self, user_id: UUID) -> list[LnurlWallet]:
        """The user's wallets, oldest link first."""
        ...

    async def remove(self, user_id: UUID, wallet_id: UUID) -> LnurlWallet | None:
        """Unlinks one of the user's wallets; None when the user has no wallet with this id."""
        ...

    async def mark_used(self, wallet_id: UUID, now: datetime) -> None: ...


class UnitOfWork(Protocol):
    """One use case's transaction: its repositories see one consistent state.

    Use as `async with uow:`; call `commit()` to keep the work. Leaving the block without
    committing, or with an exception, rolls everything back. A unit of work may be entered again
    after it is left, for another transaction.
    """

    users: UserRepository
    sessions: SessionRepository
    auth_challenges: AuthChallengeRepository
    lnurl_sessions: LnurlSessionRepository
    lnurl_wallets: LnurlWalletRepository
    api_keys: ApiKeyRepository
    api_key_usage: ApiKeyUsageRepository
    nip05_names: Nip05Repository
    domains: DomainRepository
    subscriptions: SubscriptionRepository
    payments: PaymentRepository
    audit_log: AuditLogRepository
    webhook_events: ProcessedWebhookRepository
    name_holds: NameHoldRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
