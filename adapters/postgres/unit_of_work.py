"""The PostgreSQL unit of work: one pooled connection and one transaction per use case."""

from types import TracebackType
from typing import Self

from psycopg_pool import AsyncConnectionPool

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
from domain.shared.jobs import JobRunRepository
from domain.zaps.ports import PendingZapRepository, WalletConnectionRepository

from .api_key_usage import PostgresApiKeyUsageRepository
from .api_keys import PostgresApiKeyRepository
from .audit_log import PostgresAuditLogRepository
from .auth_challenges import PostgresAuthChallengeRepository
from .custom_domains import PostgresCustomDomainRepository
from .job_runs import PostgresJobRunRepository
from .key_recoveries import PostgresKeyRecoveryRepository
from .lnurl_sessions import PostgresLnurlSessionRepository
from .lnurl_wallets import PostgresLnurlWalletRepository
from .name_holds import PostgresNameHoldRepository
from .nip05_names import PostgresNip05Repository
from .payments import PostgresPaymentRepository
from .pending_names import PostgresPendingNameRepository
from .renewal_reminders import PostgresRenewalReminderRepository
from .sessions import PostgresSessionRepository
from .subscriptions import PostgresSubscriptionRepository
from .transaction import PostgresTransaction
from .transfer_offers import PostgresTransferOfferRepository
from .users import PostgresUserRepository
from .wallet_connections import PostgresPendingZapRepository, PostgresWalletConnectionRepository
from .webhook_events import PostgresProcessedWebhookRepository


class PostgresUnitOfWork:
    """Borrows a connection on entry and returns it on exit; work not committed is rolled back.

    `timeout` bounds the wait for a free connection (the pool's own timeout when None).
    """

    def __init__(self, pool: AsyncConnectionPool, timeout: float | None = None) -> None:
        self._tx = PostgresTransaction(pool, timeout)
        self.users: UserRepository = PostgresUserRepository(self._tx)
        self.sessions: SessionRepository = PostgresSessionRepository(self._tx)
        self.auth_challenges: AuthChallengeRepository = PostgresAuthChallengeRepository(self._tx)
        self.lnurl_sessions: LnurlSessionRepository = PostgresLnurlSessionRepository(self._tx)
        self.lnurl_wallets: LnurlWalletRepository = PostgresLnurlWalletRepository(self._tx)
        self.api_keys: ApiKeyRepository = PostgresApiKeyRepository(self._tx)
        self.api_key_usage: ApiKeyUsageRepository = PostgresApiKeyUsageRepository(self._tx)
        self.nip05_names: Nip05Repository = PostgresNip05Repository(self._tx)
        self.domains: CustomDomainRepository = PostgresCustomDomainRepository(self._tx)
        self.subscriptions: SubscriptionRepository = PostgresSubscriptionRepository(self._tx)
        self.payments: PaymentRepository = PostgresPaymentRepository(self._tx)
        self.audit_log: AuditLogRepository = PostgresAuditLogRepository(self._tx)
        self.webhook_events: ProcessedWebhookRepository = PostgresProcessedWebhookRepository(self._tx)
        self.name_holds: NameHoldRepository = PostgresNameHoldRepository(self._tx)
        self.pending_names: PendingNameRepository = PostgresPendingNameRepository(self._tx)
        self.transfer_offers: TransferOfferRepository = PostgresTransferOfferRepository(self._tx)
        self.job_runs: JobRunRepository = PostgresJobRunRepository(self._tx)
        self.wallet_connections: WalletConnectionRepository = PostgresWalletConnectionRepository(self._tx)
        self.pending_zaps: PendingZapRepository = PostgresPendingZapRepository(self._tx)
        self.key_recoveries: KeyRecoveryRepository = PostgresKeyRecoveryRepository(self._tx)
        self.renewal_reminders: RenewalReminderRepository = PostgresRenewalReminderRepository(self._tx)

    async def __aenter__(self) -> Self:
        await self._tx.acquire()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._tx.release()

    async def commit(self) -> None:
        await self._tx.commit()

    async def rollback(self) -> None:
        await self._tx.rollback()
