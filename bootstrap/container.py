"""The composition root: which adapter plays each port, and how use cases get them."""

import functools
from collections.abc import AsyncIterator
from datetime import timedelta

from dependency_injector import containers, providers
from prometheus_client import CollectorRegistry
from psycopg_pool import AsyncConnectionPool

from adapters.cache.memory_cache import MemoryCache
from adapters.cache.redis_cache import RedisCache
from adapters.dns.dnspython_resolver import DnspythonResolver
from adapters.nwc.metrics import PrometheusZapCounters
from adapters.nwc.nostr_wallet_connect import NostrWalletConnection
from adapters.nwc.receipts import WebsocketReceiptPublisher
from adapters.postgres.notifying_cache import PostgresNotifyingCache
from adapters.postgres.pool import create_pool, ping
from adapters.postgres.schema_version import PostgresSchemaVersion
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from adapters.relay.config import MIB, RelayLimits
from adapters.relay.memory_relay import MemoryRelay
from adapters.relay.websocket_pool import WebsocketRelayPool
from adapters.tokens.jwt_tokens import JwtAccessTokens
from application.admin.actions import ListUsers, ReadAuditLog, SuspendName
from application.api_keys.keys import (
    ApiKeyPlanChanges,
    CreateApiKey,
    GetApiKeyUsage,
    ListApiKeys,
    RevokeApiKey,
    VerifyApiKey,
)
from application.api_keys.metering import FlushApiKeyUsage, HeldUsage, MeterApiKeyUse
from application.auth.admin_users import ChangeRole, SetSuspension
from application.auth.auth_verdicts import AuthVerdicts
from application.auth.authenticate import Authenticate
from application.auth.cleanup import DeleteExpiredSignIns
from application.auth.lnurl import PollLnurlAuth, RedeemLnurlAuth, StartLnurlAuth
from application.auth.me import GetMe
from application.auth.own_sessions import (
    ListSessions,
    RefreshSession,
    RevokeSession,
    SignOut,
    SignOutEverywhere,
)
from application.auth.sign_in import IssueChallenge, Login
from application.auth.wallets import ListWallets, UnlinkWallet
from application.billing.admin import CompSubscription, RefundPayment
from application.billing.jobs import EndSubscriptions, ExpireUnpaidInvoices, SuspendLapsedNames
from application.billing.payments import FakeSettle, GetPayment, GetReceipt, HandleWebhook
from application.billing.plans import GetQuotas, ListPlans, WotDiscount
from application.billing.settle import ApplyInvoiceState
from application.billing.subscribe import CancelSubscription, GetCurrentSubscription, StartSubscription
from application.check_readiness import CheckReadiness
from application.custom_domains.manage_custom_domains import (
    AddDomain,
    ListDomains,
    RecheckDomains,
    RemoveDomain,
    VerifyDomain,
)
from application.demo.seed_demo_graph import SeedDemoGraph
from application.jobs import ListJobRuns, RecordJobRun
from application.names.manage_names import (
    CheckNameAvailability,
    ListNames,
    RegisterName,
    ReleaseName,
    UpdateNameRelays,
)
from application.names.nostr_json import NostrJsonDirectory
from application.rate_limits import LimitRate
from application.verdicts import Verdicts, is_invalidation_key
from application.wot.admission import ComputeAdmission
from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.explain_figures import ExplainFigures
from application.wot.publish_assertion import DescribeProvider, PublishAssertion
from application.wot.publish_assertions_job import PublishOwnersAssertions
from application.wot.shared_neighbourhood import SharedNeighbourhood
from application.wot.viewer_figures import (
    ComputeViewerFigures,
    ComputeViewerFiguresBatch,
    ViewerNeighbourhoods,
)
from application.zaps.addresses import LightningAddresses
from application.zaps.notifications import PaymentListeners
from application.zaps.pay import DescribeAddress, RequestInvoice, VerifyInvoice
from application.zaps.receipts import PublishZapReceipt, WatchZapInvoices
from application.zaps.wallets import ConnectWallet, DisconnectWallet, ShowWallet
from bootstrap import zaps as zap_wiring
from bootstrap.current_wot import CurrentWot, WotFactories
from bootstrap.job_metrics import JobRunCollector, refresh_job_runs
from bootstrap.keys import jwt_secret, service_secret_key
from bootstrap.metering import rate_policies as rate_policies_of
from bootstrap.metering import run_usage_flusher
from bootstrap.metrics import exposition_registry
from bootstrap.payments import fake_payment_provider, offered_payment_names
from bootstrap.payments import payment_providers as configured_payment_providers
from bootstrap.settings import Settings
from bootstrap.wot_settings import wot_settings as wot_settings_of
from domain.billing.plans import PlanCatalog
from domain.nostr.ports import RelayPort
from domain.shared.cache import Cache
from domain.shared.clock import SystemClock

READINESS_TIMEOUT = 2.0
# Caps per relay per call: large enough for a trust neighbourhood's contact lists.
RELAY_LIMITS = RelayLimits(max_events=250_000, max_bytes=512 * MIB)
# How long a price waits for the buyer's WoT discount before charging the list price.
WOT_DISCOUNT_DEADLINE = 1.0
# Cold score computations running at once per process; more queue, or are refused at once when
# they could not start within the request deadline.
WOT_COLD_COMPUTATIONS = 64
# nostr.json waits at most this long for a database connection before answering 503.
NOSTR_JSON_DATABASE_TIMEOUT = 2.0
DNS_TIMEOUT = 3.0


def cache_kind(settings: Settings) -> str:
    """Redis when configured; else the in-process cache, whose invalidations reach the other
    processes through PostgreSQL when there is a database (a command without one is alone)."""
    if settings.redis_url:
        return "redis"
    return "memory_notified" if settings.database_url else "memory"


def relay_kind(settings: Settings) -> str:
    return "memory" if settings.relay_urls == ("memory://",) else "websocket"


async def open_pool(pool: AsyncConnectionPool) -> AsyncIterator[AsyncConnectionPool]:
    # wait=False: an unreachable database must not stop start-up; the pool keeps trying by itself.
    await pool.open(wait=False)
    yield pool
    await pool.close()


async def run_relay(relay: RelayPort) -> AsyncIterator[RelayPort]:
    start = getattr(relay, "start", None)
    if start is not None:
        await start()
    yield relay
    close = getattr(relay, "close", None)
    if close is not None:
        await close()


async def run_cache(cache: Cache) -> AsyncIterator[Cache]:
    """Starts the cache when it has something to start (listening for other processes' changes)."""
    start = getattr(cache, "start", None)
    if start is not None:
        await start()
    yield cache
    await cache.close()


def grace_period(settings: Settings) -> timedelta:
    return timedelta(days=settings.billing_grace_days)


def is_production(settings: Settings) -> bool:
    return settings.environment == "production"


def database_probe(pool: AsyncConnectionPool) -> functools.partial[object]:
    return functools.partial(ping, pool, READINESS_TIMEOUT)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    metrics_registry = providers.Singleton(CollectorRegistry)
    # Periodic jobs' outcomes, recorded by `nostr-id jobs run` in PostgreSQL (bootstrap/job_metrics.py).
    job_run_collector = providers.Singleton(JobRunCollector)
    # What /metrics shows: this registry, or every worker's values summed in multiprocess mode, and
    # the jobs' outcomes.
    metrics_exposition = providers.Singleton(
        exposition_registry, settings.provided.prometheus_multiproc_dir, metrics_registry, job_run_collector
    )
    service_key = providers.Singleton(service_secret_key, settings)

    db_pool = providers.Singleton(create_pool, settings.provided.database_url)
    db_pool_lifecycle = providers.Resource(open_pool, db_pool)
    unit_of_work = providers.Factory(PostgresUnitOfWork, pool=db_pool)

    cache = providers.Selector(
        providers.Callable(cache_kind, settings),
        redis=providers.Singleton(RedisCache.from_url, settings.provided.redis_url),
        memory=providers.Singleton(MemoryCache, clock=clock),
        memory_notified=providers.Singleton(
            PostgresNotifyingCache,
            local=providers.Singleton(MemoryCache, clock=clock),
            pool=db_pool,
            dsn=settings.provided.database_url,
            is_invalidation_key=providers.Object(is_invalidation_key),
        ),
    )
    cache_lifecycle = providers.Resource(run_cache, cache)

    relay = providers.Selector(
        providers.Callable(relay_kind, settings),
        websocket=providers.Singleton(
            WebsocketRelayPool,
            urls=settings.provided.relay_urls,
            service_secret_key=service_key,
            registry=metrics_registry,
            limits=RELAY_LIMITS,
        ),
        memory=providers.Singleton(MemoryRelay),
    )
    relay_lifecycle = providers.Resource(run_relay, relay)

    # Read afresh when called (the demo's seeds live in DATA_DIR/demo.json); override to fix them.
    wot_settings = providers.Callable(wot_settings_of, settings)
    wot_admission = providers.Singleton(ComputeAdmission, WOT_COLD_COMPUTATIONS)
    # How each Web of Trust class is built; CurrentWot gives the settings in force.
    make_wot_calculator = providers.Factory(WotCalculator, relay)
    make_wot_neighbourhood = providers.Factory(SharedNeighbourhood, cache=cache, clock=clock)
    make_compute_wot_figures = providers.Factory(
        ComputeWotFigures, cache=cache, clock=clock, admission=wot_admission
    )
    make_compute_wot_figures_batch = providers.Factory(ComputeWotFiguresBatch)
    wot_factories = providers.Singleton(
        WotFactories,
        calculator=make_wot_calculator.provider,
        neighbourhood=make_wot_neighbourhood.provider,
        figures=make_compute_wot_figures.provider,
        batch=make_compute_wot_figures_batch.provider,
    )
    # The use cases for the settings in force: rewired when `demo seed` records new seeds.
    current_wot = providers.Singleton(CurrentWot, settings, wot_settings.provider, wot_factories)
    wot_use_cases = providers.Callable(lambda current: current(), current_wot)
    wot_neighbourhood = providers.Callable(lambda wot: wot.neighbourhood, wot_use_cases)
    compute_wot_figures = providers.Callable(lambda wot: wot.figures, wot_use_cases)
    compute_wot_figures_batch = providers.Callable(lambda wot: wot.batch, wot_use_cases)
    # Web of Trust from a viewer's perspective: the viewer as the only seed (issue 19, V1).
    viewer_neighbourhoods = providers.Singleton(
        ViewerNeighbourhoods,
        calculator=make_wot_calculator.provider,
        neighbourhood=make_wot_neighbourhood.provider,
    )
    compute_viewer_figures = providers.Factory(
        ComputeViewerFigures, compute_wot_figures, viewer_neighbourhoods, wot_use_cases.provided.settings
    )
    compute_viewer_figures_batch = providers.Factory(
        ComputeViewerFiguresBatch,
        compute_wot_figures_batch,
        viewer_neighbourhoods,
        wot_use_cases.provided.settings,
    )
    # Explained figures (issue 19, V2).
    explain_wot_figures = providers.Factory(
        ExplainFigures,
        calculator=providers.Factory(WotCalculator, relay, settings=wot_use_cases.provided.settings),
        neighbourhood=wot_neighbourhood,
        viewers=viewer_neighbourhoods,
        relay=relay,
        clock=clock,
        settings=wot_use_cases.provided.settings,
    )
    # NIP-85 assertions, signed by the service key, published, never stored (issue 19, V4).
    publish_wot_assertion = providers.Factory(
        PublishAssertion,
        figures=compute_wot_figures,
        viewer_figures=compute_viewer_figures,
        calculator=providers.Factory(WotCalculator, relay, settings=wot_use_cases.provided.settings),
        relay=relay,
        clock=clock,
        service_secret_key=service_key,
    )
    describe_wot_provider = providers.Factory(DescribeProvider, service_key, settings.provided.relay_urls)
    publish_owners_assertions = providers.Factory(
        PublishOwnersAssertions, uow=unit_of_work, publish=publish_wot_assertion
    )
    # End of the viewer's perspective, explained figures and NIP-85 assertions.

    plan_catalog = providers.Singleton(PlanCatalog, settings.provided.billing_plans)
    # The fake provider keeps its invoices in the cache, so every process of a fleet sees them.
    fake_payments = providers.Singleton(fake_payment_provider, settings, clock, cache)
    payment_providers = providers.Singleton(configured_payment_providers, settings, fake_payments)
    # What `/schema` offers to order with: the names alone, so building the app builds no provider.
    payment_names = providers.Callable(offered_payment_names, settings)
    wot_discount = providers.Factory(WotDiscount, compute_wot_figures, deadline=WOT_DISCOUNT_DEADLINE)
    list_plans = providers.Factory(ListPlans, plan_catalog, wot_discount)
    get_quotas = providers.Factory(GetQuotas, unit_of_work, plan_catalog, clock)
    # Ready answers to hot questions (sessions, API keys, names), shared through the cache.
    verdicts = providers.Singleton(Verdicts, cache)
    api_key_plan_changes = providers.Factory(ApiKeyPlanChanges, verdicts, unit_of_work.provider)
    apply_invoice_state = providers.Factory(
        ApplyInvoiceState, unit_of_work, plan_catalog, clock, api_key_plan_changes
    )
    start_subscription = providers.Factory(
        StartSubscription,
        uow=unit_of_work,
        catalog=plan_catalog,
        providers=payment_providers,
        discount=wot_discount,
        clock=clock,
        public_url=settings.provided.public_url,
    )
    get_current_subscription = providers.Factory(GetCurrentSubscription, unit_of_work)
    cancel_subscription = providers.Factory(CancelSubscription, unit_of_work, clock)
    get_payment = providers.Factory(GetPayment, unit_of_work)
    get_receipt = providers.Factory(GetReceipt, get_payment)
    handle_webhook = providers.Factory(HandleWebhook, payment_providers, apply_invoice_state, clock)
    fake_settle = providers.Factory(
        FakeSettle,
        get_payment,
        payment_providers,
        fake_payments,
        apply_invoice_state,
        production=providers.Callable(is_production, settings),
    )
    refund_payment = providers.Factory(RefundPayment, unit_of_work, clock)
    comp_subscription = providers.Factory(
        CompSubscription, unit_of_work, plan_catalog, clock, api_key_plan_changes
    )
    expire_unpaid_invoices = providers.Factory(
        ExpireUnpaidInvoices, unit_of_work, payment_providers, apply_invoice_state, clock
    )
    end_subscriptions = providers.Factory(EndSubscriptions, unit_of_work, clock, api_key_plan_changes)
    suspend_lapsed_names = providers.Factory(
        SuspendLapsedNames, unit_of_work, plan_catalog, clock, providers.Callable(grace_period, settings)
    )

    # Authentication. `verdicts` is the one hot-path answer cache (see docs/architecture.md); a
    # Singleton, so each process keeps its in-process answers.
    auth_verdicts = providers.Singleton(AuthVerdicts, verdicts, unit_of_work.provider, clock)
    public_url = providers.Callable(lambda settings: settings.public_url, settings)
    access_tokens = providers.Singleton(
        JwtAccessTokens, providers.Callable(jwt_secret, settings, service_key), issuer=public_url
    )
    # API keys are checked against a verdict every process keeps (no PostgreSQL round trip per call).
    api_key_verifier = providers.Singleton(VerifyApiKey, verdicts, unit_of_work.provider, plan_catalog, clock)
    authenticate = providers.Singleton(
        Authenticate,
        tokens=access_tokens,
        api_keys=api_key_verifier,
        verdicts=auth_verdicts,
        cache=cache,
        unit_of_work=unit_of_work.provider,
        clock=clock,
    )
    issue_challenge = providers.Factory(IssueChallenge, unit_of_work.provider, clock)
    login = providers.Factory(
        Login,
        unit_of_work=unit_of_work.provider,
        tokens=access_tokens,
        verdicts=auth_verdicts,
        clock=clock,
        public_url=public_url,
    )

    get_me = providers.Factory(GetMe, unit_of_work.provider)
    refresh_session = providers.Factory(
        RefreshSession, unit_of_work.provider, access_tokens, auth_verdicts, clock
    )
    sign_out = providers.Factory(SignOut, unit_of_work.provider, auth_verdicts, clock)
    sign_out_everywhere = providers.Factory(SignOutEverywhere, unit_of_work.provider, auth_verdicts, clock)
    revoke_session = providers.Factory(RevokeSession, unit_of_work.provider, auth_verdicts, clock)
    list_sessions = providers.Factory(ListSessions, unit_of_work.provider, clock)
    change_role = providers.Factory(ChangeRole, unit_of_work.provider, auth_verdicts, clock)

    # NIP-05 names, custom domains and nostr.json. The directory's answers are verdicts: kept in
    # this process, in front of the Cache, invalidated in every process through it.
    dns_resolver = providers.Singleton(
        DnspythonResolver, settings.provided.dns_nameservers, timeout=DNS_TIMEOUT
    )
    nostr_json_unit_of_work = providers.Factory(
        PostgresUnitOfWork, pool=db_pool, timeout=NOSTR_JSON_DATABASE_TIMEOUT
    )
    nostr_json_directory = providers.Singleton(
        NostrJsonDirectory,
        uow_factory=nostr_json_unit_of_work.provider,
        verdicts=verdicts,
        clock=clock,
        default_domain=settings.provided.default_domain,
    )
    register_name = providers.Factory(
        RegisterName,
        uow=unit_of_work,
        clock=clock,
        changes=nostr_json_directory,
        default_domain=settings.provided.default_domain,
        catalog=plan_catalog,
    )
    list_names = providers.Factory(ListNames, uow=unit_of_work)
    update_name_relays = providers.Factory(
        UpdateNameRelays,
        uow=unit_of_work,
        clock=clock,
        changes=nostr_json_directory,
        default_domain=settings.provided.default_domain,
    )
    release_name = providers.Factory(ReleaseName, uow=unit_of_work, clock=clock, changes=nostr_json_directory)
    check_name_availability = providers.Factory(
        CheckNameAvailability, uow=unit_of_work, clock=clock, default_domain=settings.provided.default_domain
    )
    add_domain = providers.Factory(AddDomain, uow=unit_of_work, clock=clock, catalog=plan_catalog)
    list_domains = providers.Factory(ListDomains, uow=unit_of_work)
    remove_domain = providers.Factory(
        RemoveDomain, uow=unit_of_work, clock=clock, changes=nostr_json_directory
    )
    verify_domain = providers.Factory(
        VerifyDomain, uow=unit_of_work, clock=clock, dns=dns_resolver, changes=nostr_json_directory
    )
    recheck_domains = providers.Factory(
        RecheckDomains, uow=unit_of_work, clock=clock, dns=dns_resolver, changes=nostr_json_directory
    )

    # Administration: each action and its audit entry in one transaction.
    list_users = providers.Factory(ListUsers, uow=unit_of_work)
    set_suspension = providers.Factory(
        SetSuspension, unit_of_work.provider, auth_verdicts, clock, names=nostr_json_directory
    )
    suspend_name = providers.Factory(SuspendName, uow=unit_of_work, clock=clock, changes=nostr_json_directory)
    read_audit_log = providers.Factory(ReadAuditLog, uow=unit_of_work)

    seed_demo_graph = providers.Factory(SeedDemoGraph, relay, clock)

    # Which of this version's migrations the database lacks (the readiness check "schema").
    schema_version = providers.Singleton(PostgresSchemaVersion, db_pool, timeout=READINESS_TIMEOUT)
    check_readiness = providers.Factory(
        CheckReadiness,
        probes=providers.Dict(
            postgres=providers.Callable(database_probe, db_pool),
            cache=cache.provided.ping,
            relay=relay.provided.ping,
        ),
        timeout=READINESS_TIMEOUT,
        schema=schema_version,
    )

    # Rate limits and usage metering of API keys (counted in the cache, flushed in batches).
    rate_policies = providers.Singleton(rate_policies_of, settings)
    limit_rate = providers.Singleton(LimitRate, cache)
    held_api_key_usage = providers.Singleton(HeldUsage)
    meter_api_key_use = providers.Singleton(MeterApiKeyUse, cache, clock, held_api_key_usage)
    flush_api_key_usage = providers.Factory(
        FlushApiKeyUsage, cache, unit_of_work.provider, clock, held_api_key_usage
    )
    delete_expired_sign_ins = providers.Factory(DeleteExpiredSignIns, unit_of_work.provider, clock)
    record_job_run = providers.Factory(RecordJobRun, unit_of_work.provider, clock)
    list_job_runs = providers.Factory(ListJobRuns, unit_of_work.provider)
    job_runs_refresher = providers.Resource(
        refresh_job_runs, job_run_collector, list_job_runs.provider, db_pool_lifecycle
    )
    usage_flusher = providers.Resource(
        run_usage_flusher,
        flush_api_key_usage.provider,
        settings.provided.usage_flush_interval,
        cache_lifecycle,
        db_pool_lifecycle,
    )
    create_api_key = providers.Factory(CreateApiKey, unit_of_work.provider, verdicts, clock, plan_catalog)
    list_api_keys = providers.Factory(ListApiKeys, unit_of_work.provider)
    revoke_api_key = providers.Factory(RevokeApiKey, unit_of_work.provider, verdicts, clock)
    get_api_key_usage = providers.Factory(GetApiKeyUsage, unit_of_work.provider, clock)

    # LNURL-auth (LUD-04): the k1 store is PostgreSQL.
    start_lnurl_auth = providers.Factory(StartLnurlAuth, unit_of_work.provider, clock, public_url)
    redeem_lnurl_auth = providers.Factory(RedeemLnurlAuth, unit_of_work.provider, clock)
    poll_lnurl_auth = providers.Factory(PollLnurlAuth, unit_of_work.provider, access_tokens, clock)
    list_wallets = providers.Factory(ListWallets, unit_of_work.provider)
    unlink_wallet = providers.Factory(UnlinkWallet, unit_of_work.provider, clock)

    # Lightning addresses and zaps (LUD-16, NIP-57), paid into the owner's own wallet over NIP-47.
    wallet_connection = providers.Singleton(
        NostrWalletConnection, public_only=providers.Callable(zap_wiring.public_relays_only, settings)
    )
    wallet_seal = providers.Singleton(zap_wiring.wallet_seal, settings, service_key)
    zap_counters = providers.Singleton(PrometheusZapCounters, metrics_registry)
    receipt_publisher = providers.Singleton(
        WebsocketReceiptPublisher, public_only=providers.Callable(zap_wiring.public_relays_only, settings)
    )
    pay_settings = providers.Singleton(zap_wiring.pay_settings, settings, service_key)
    lightning_addresses = providers.Factory(
        LightningAddresses, unit_of_work.provider, nostr_json_directory, wallet_seal
    )
    connect_wallet = providers.Factory(
        ConnectWallet, unit_of_work.provider, wallet_connection, wallet_seal, clock
    )
    show_wallet = providers.Factory(ShowWallet, unit_of_work.provider)
    disconnect_wallet = providers.Factory(DisconnectWallet, unit_of_work.provider)
    describe_address = providers.Factory(DescribeAddress, lightning_addresses, pay_settings)
    request_invoice = providers.Factory(
        RequestInvoice,
        unit_of_work.provider,
        lightning_addresses,
        wallet_connection,
        limit_rate,
        zap_counters,
        pay_settings,
    )
    verify_invoice = providers.Factory(VerifyInvoice, lightning_addresses, wallet_connection)
    publish_zap_receipt = providers.Factory(
        PublishZapReceipt, unit_of_work.provider, relay, receipt_publisher, zap_counters, service_key
    )
    payment_listeners = providers.Singleton(PaymentListeners, wallet_connection, publish_zap_receipt)
    watch_zap_invoices = providers.Factory(
        WatchZapInvoices,
        unit_of_work.provider,
        wallet_connection,
        wallet_seal,
        publish_zap_receipt,
        clock,
        listen=payment_listeners.provided.keep,
    )
    zap_watcher = providers.Resource(
        zap_wiring.run_zap_watcher,
        watch_zap_invoices.provider,
        payment_listeners.provider,
        zap_wiring.WATCH_INTERVAL,
        db_pool_lifecycle,
        relay_lifecycle,
    )


def describe(settings: Settings) -> dict[str, str]:
    """Which adapter plays each port, for the start-up log."""
    database = "postgres (embedded)" if "database" in settings.embedded else "postgres"
    cache = {
        "redis": "redis",
        "memory": "memory (in-process)",
        "memory_notified": "memory (in-process), changes heard through PostgreSQL",
    }[cache_kind(settings)]
    relay = "memory (in-process)" if relay_kind(settings) == "memory" else "websocket pool"
    if "relay" in settings.embedded:
        relay += " to the embedded relay"
    return {"database": database, "cache": cache, "relay": f"{relay} {','.join(settings.relay_urls)}"}
