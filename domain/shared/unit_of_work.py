"""The unit of work that spans one use case, gathering one repository per aggregate.

Each repository port is declared in its feature's `ports` module. Every adapter has the same
semantics. `add` of a record that collides with a unique key (an id, a pubkey, a token digest, a
NIP-05 name on its domain, a provider invoice) raises Conflict and changes nothing; so does an
`update` that would make two records collide. `get`/`find` answer None when nothing matches.
Repositories see only the work of their own unit of work until it commits. An unreachable database
raises DatabaseUnavailable.
"""

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from domain.api_keys.ports import ApiKeyRepository, ApiKeyUsageRepository
from domain.audit.ports import AuditLogRepository
from domain.auth.ports import (
    AuthChallengeRepository,
    KeyRecoveryRepository,
    LnurlSessionRepository,
    LnurlWalletRepository,
    SessionRepository,
    UserRepository,
)
from domain.billing.ports import (
    PaymentRepository,
    ProcessedWebhookRepository,
    RenewalReminderRepository,
    SubscriptionRepository,
)
from domain.names.ports import (
    CustomDomainRepository,
    NameHoldRepository,
    Nip05Repository,
    PendingNameRepository,
    TransferOfferRepository,
)
from domain.shared.errors import DependencyUnavailable
from domain.shared.jobs import JobRunRepository
from domain.zaps.ports import PendingZapRepository, WalletConnectionRepository


class DatabaseUnavailable(DependencyUnavailable):
    """The database could not be reached or did not answer in time."""


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
    domains: CustomDomainRepository
    subscriptions: SubscriptionRepository
    payments: PaymentRepository
    audit_log: AuditLogRepository
    webhook_events: ProcessedWebhookRepository
    name_holds: NameHoldRepository
    pending_names: PendingNameRepository
    transfer_offers: TransferOfferRepository
    job_runs: JobRunRepository
    wallet_connections: WalletConnectionRepository
    pending_zaps: PendingZapRepository
    key_recoveries: KeyRecoveryRepository
    renewal_reminders: RenewalReminderRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


# How every use case gets its transactions: one fresh unit of work per `async with`.
UowFactory = Callable[[], UnitOfWork]


class SchemaVersion(Protocol):
    """Whether the database holds every migration this version of the service needs."""

    async def missing_migrations(self) -> list[str]:
        """The ids of the migrations this version knows and the database has not applied, in order;
        raises DatabaseUnavailable when the database cannot tell."""
        ...
