"""Serving Web of Trust scores: cached for one TTL, computed once, stale only when the relays fail."""

import asyncio
import logging

import msgspec

from application.shared_computation import SharedComputation
from application.wot.calculator import WotCalculator
from application.wot.neighbourhood_source import SharedNeighbourhood
from domain.clock import Clock
from domain.errors import DependencyUnavailable, InvalidInput
from domain.nostr.nip19 import parse_pubkey
from domain.ports.cache import Cache, CacheUnavailable
from domain.wot.scoring import WotFigures

logger = logging.getLogger(__name__)

MAX_BATCH = 100
BATCH_CONCURRENCY = 8


class ServedScore(msgspec.Struct, frozen=True):
    """A score as answered: `stale` when it outlived its TTL because the relays could not answer."""

    score: WotFigures
    stale: bool


class ComputeWotFigures:
    """The Web of Trust score of one pubkey (hex or npub).

    Answers from the cache within `cache_ttl`; otherwise computes it once for every concurrent
    caller here and in other processes. When the relays cannot answer within the request deadline,
    the last score (kept for the stale window) is served with `stale=True`; without one the call
    raises DependencyUnavailable, which carries a Retry-After.
    """

    def __init__(
        self,
        calculator: WotCalculator,
        neighbourhood: SharedNeighbourhood,
        cache: Cache,
        clock: Clock,
    ) -> None:
        self._calculator = calculator
        self._neighbourhood = neighbourhood
        self._cache = cache
        self._clock = clock
        settings = calculator.settings
        self._ttl = settings.cache_ttl
        self._keep_for = settings.cache_ttl + settings.stale_for
        self._deadline = settings.request_deadline
        self._prefix = f"wot:score:{settings.fingerprint()}"
        self._shared = SharedComputation(cache, lock_ttl=settings.request_deadline * 3)

    async def __call__(self, pubkey: str) -> ServedScore:
        return await self.for_hex(parse_pubkey(pubkey))

    async def for_hex(self, pubkey: str) -> ServedScore:
        fresh_key = f"{self._prefix}:{pubkey}"
        try:
            async with asyncio.timeout(self._deadline):
                data = await self._shared.get_or_compute(
                    fresh_key, self._ttl, lambda: self._compute(pubkey), wait_timeout=self._deadline
                )
            return ServedScore(score=_decode(data), stale=False)
        except (TimeoutError, DependencyUnavailable) as error:
            if isinstance(error, CacheUnavailable):
                raise
            last = await self._last_known(pubkey)
            if last is None:
                raise _unavailable(error) from error
            return ServedScore(score=last, stale=True)

    async def _compute(self, pubkey: str) -> bytes:
        neighbourhood = await self._neighbourhood.get()
        score = await self._calculator.score(pubkey, neighbourhood, self._clock.now())
        data = msgspec.msgpack.encode(score)
        try:
            await self._cache.set(f"{self._prefix}:{pubkey}:last", data, self._keep_for)
        except CacheUnavailable as error:
            logger.warning("cache unavailable, score of %s not kept for stale serving: %s", pubkey, error)
        return data

    async def _last_known(self, pubkey: str) -> WotFigures | None:
        try:
            data = await self._cache.get(f"{self._prefix}:{pubkey}:last")
        except CacheUnavailable:
            return None
        return None if data is None else _decode(data)


class ComputeWotFiguresBatch:
    """Scores of up to 100 pubkeys, in the order asked; duplicates are computed once."""

    def __init__(self, compute_wot_score: ComputeWotFigures) -> None:
        self._compute = compute_wot_score

    async def __call__(self, pubkeys: list[str]) -> list[ServedScore]:
        if not pubkeys:
            return []
        if len(pubkeys) > MAX_BATCH:
            raise InvalidInput(
                f"at most {MAX_BATCH} pubkeys per batch",
                {"pubkeys": f"{len(pubkeys)} given, {MAX_BATCH} allowed"},
            )
        parsed: list[str] = []
        problems: dict[str, str] = {}
        for position, text in enumerate(pubkeys):
            try:
                parsed.append(parse_pubkey(text))
            except InvalidInput as error:
                problems[f"pubkeys[{position}]"] = str(error)
        if problems:
            raise InvalidInput("some pubkeys are not valid", problems)
        limit = asyncio.Semaphore(BATCH_CONCURRENCY)

        async def one(pubkey: str) -> ServedScore:
            async with limit:
                return await self._compute.for_hex(pubkey)

        distinct = list(dict.fromkeys(parsed))
        served = dict(zip(distinct, await asyncio.gather(*(one(p) for p in distinct)), strict=True))
        return [served[pubkey] for pubkey in parsed]


def _decode(data: bytes) -> WotFigures:
    return msgspec.msgpack.decode(data, type=WotFigures)


def _unavailable(error: Exception) -> DependencyUnavailable:
    if isinstance(error, DependencyUnavailable):
        return DependencyUnavailable(
            f"Web of Trust score unavailable: {error}", retry_after=error.retry_after
        )
    return DependencyUnavailable(
        "the relays did not answer in time; no earlier score to serve", retry_after=5
    )
