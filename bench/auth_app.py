"""The app the auth-paths benchmark serves: the real container and app (one wiring), with the Redis
cache in the benchmark's own namespace, and anonymous requests let through without a rate-limit
check, so the anonymous read is the unlimited baseline. Keyed requests keep the real limiter.

Served by granian as `bench.auth_app:create_bench_app` (factory); reads the usual settings from the
environment and BENCH_REDIS_NAMESPACE.
"""

import os

from dependency_injector import providers
from litestar import Litestar

from adapters.cache.redis_cache import RedisCache
from adapters.http.app import create_app
from application.rate_limits import LimitRate, RatePolicy
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.shared.cache import RateDecision

UNCHECKED = RateDecision(allowed=True, limit=1, remaining=1, retry_after=0.0, reset_after=0.0)


class AnonymousUnlimited:
    """Charges API keys through the real limiter; answers every other request without the cache."""

    def __init__(self, limiter: LimitRate, anonymous: str) -> None:
        self._limiter = limiter
        self._anonymous = anonymous

    async def __call__(self, policy: RatePolicy, subject: str) -> RateDecision | None:
        if policy.name == self._anonymous:
            return UNCHECKED
        return await self._limiter(policy, subject)


def create_bench_app() -> Litestar:
    settings = load_settings(os.environ)
    container = Container(settings=settings)
    assert settings.redis_url is not None
    namespace = os.environ["BENCH_REDIS_NAMESPACE"]
    container.cache.override(
        providers.Singleton(RedisCache.from_url, settings.redis_url, namespace=namespace)
    )
    anonymous = container.api_keys.rate_policies().anonymous.name
    limiter = container.api_keys.limit_rate()
    container.api_keys.limit_rate.override(providers.Object(AnonymousUnlimited(limiter, anonymous)))
    return create_app(container)
