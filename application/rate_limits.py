"""Rate limits: one atomic attempt in the cache per request, by the subject the request is charged to.

Limits protect reads and sign-in; they are not what keeps anything secure. When the cache cannot
answer, the request passes (fail open) and the caller is told, so it can log and count it.
"""

import logging

from msgspec import Struct, structs

from domain.shared.cache import Cache, CacheUnavailable, RateDecision

log = logging.getLogger(__name__)
MINUTE = 60.0


class RatePolicy(Struct, frozen=True, kw_only=True):
    """`limit` attempts per `period` seconds; `name` tells the policies apart in keys and logs."""

    name: str
    limit: int
    period: float


class RatePolicies(Struct, frozen=True, kw_only=True):
    """Per account for keyed requests (the default, for keys whose owner's plan rate is not known),
    per client address for anonymous calls, and the stricter one for sign-in endpoints (challenge,
    login, LNURL), per client address."""

    api_key: RatePolicy
    anonymous: RatePolicy
    sign_in: RatePolicy

    def for_api_key(self, requests_per_minute: int | None) -> RatePolicy:
        """The keyed-request policy at the rate of the owner account's plan (the default when None)."""
        if requests_per_minute is None:
            return self.api_key
        return structs.replace(self.api_key, limit=requests_per_minute, period=MINUTE)


class LimitRate:
    """Charges one attempt to a subject under a policy; None when the cache could not answer."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def __call__(self, policy: RatePolicy, subject: str) -> RateDecision | None:
        try:
            key = f"rate:{policy.name}:{subject}"
            return await self._cache.acquire_rate(key, policy.limit, policy.period)
        except CacheUnavailable as error:
            log.warning("rate limit %s not checked, request let through: %s", policy.name, error)
            return None
