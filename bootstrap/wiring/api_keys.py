"""API keys wiring: issuing and checking keys, rate limits and usage metering."""

from dependency_injector import containers, providers

from application.api_keys.keys import (
    ApiKeyPlanChanges,
    CreateApiKey,
    GetApiKeyUsage,
    ListApiKeys,
    RevokeApiKey,
    VerifyApiKey,
)
from application.api_keys.metering import FlushApiKeyUsage, HeldUsage, MeterApiKeyUse
from application.rate_limits import LimitRate
from bootstrap.metering import rate_policies as rate_policies_of
from bootstrap.settings import Settings


class ApiKeysContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    cache = providers.Dependency()
    clock = providers.Dependency()
    unit_of_work = providers.Dependency()
    verdicts = providers.Dependency()
    plan_catalog = providers.Dependency()

    # Keys are checked against a verdict every process keeps (no PostgreSQL round trip per call).
    api_key_verifier = providers.Singleton(VerifyApiKey, verdicts, unit_of_work.provider, plan_catalog, clock)
    api_key_plan_changes = providers.Factory(ApiKeyPlanChanges, verdicts, unit_of_work.provider)
    create_api_key = providers.Factory(CreateApiKey, unit_of_work.provider, verdicts, clock, plan_catalog)
    list_api_keys = providers.Factory(ListApiKeys, unit_of_work.provider)
    revoke_api_key = providers.Factory(RevokeApiKey, unit_of_work.provider, verdicts, clock)
    get_api_key_usage = providers.Factory(GetApiKeyUsage, unit_of_work.provider, clock)

    # Rate limits and usage metering (counted in the cache, flushed in batches).
    rate_policies = providers.Singleton(rate_policies_of, settings)
    limit_rate = providers.Singleton(LimitRate, cache)
    # Uses counted while the cache could not answer, kept in this process until the next flush.
    held_api_key_usage = providers.Singleton(HeldUsage)
    meter_api_key_use = providers.Singleton(MeterApiKeyUse, cache, clock, held_api_key_usage)
    flush_api_key_usage = providers.Factory(
        FlushApiKeyUsage, cache, unit_of_work.provider, clock, held_api_key_usage
    )
