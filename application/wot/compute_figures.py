"""Serving Web of Trust figures: cached for one TTL, computed once, stale only when the relays fail."""

import asyncio
import logging

import msgspec

from application.shared_computation import SharedComputation
from application.wot.admission import ComputeAdmission
from application.wot.calculator import WotCalculator
from application.wot.shared_neighbourhood import SharedNeighbourhood
from domain.nostr.nip19 import parse_pubkey
from domain.shared.cache import Cache, CacheUnavailable
from domain.shared.clock import Clock
from domain.shared.errors import DependencyUnavailable, InvalidInput
from domain.wot.figures import WotFigures
from domain.wot.settings import WotSettings

logger = logging.getLogger(__name__)

MAX_BATCH = 100


class ServedFigures(msgspec.Struct, frozen=True):
    """Figures as answered: `stale` when it outlived its TTL because the relays could not answer."""

    figures: WotFigures
    stale: bool


class UnavailableFigures(msgspec.Struct, frozen=True):
    """A batch item with neither fresh nor earlier figures within the deadline."""

    pubkey: str
    detail: str
    retry_after: int


class ComputeWotFigures:
    """The Web of Trust figures of one pubkey (hex or npub).

    Answers from the cache within `cache_ttl`; otherwise computes them once for every concurrent
    caller here and in other processes, through the process's admission gate. When the relays
    cannot answer within the request deadline, or the gate refuses the computation because it
    could not start in time, the last figures (kept for the stale window) are served with
    `stale=True`; without them the call raises DependencyUnavailable, which carries a Retry-After.
    A computation that every caller has given up on is cancelled.
    """

    def __init__(
        self,
        calculator: WotCalculator,
        neighbourhood: SharedNeighbourhood,
        cache: Cache,
        clock: Clock,
        settings: WotSettings,
        admission: ComputeAdmission,
    ) -> None:
        self._calculator = calculator
        self._neighbourhood = neighbourhood
        self._cache = cache
        self._clock = clock
        self._settings = settings
        self._ttl = settings.cache_ttl
        self._keep_for = settings.cache_ttl + settings.stale_for
        self._deadline = settings.request_deadline
        self._prefix = f"wot:score:{settings.fingerprint()}"
        self._shared = SharedComputation(cache, lock_ttl=settings.request_deadline * 3)
        self._admission = admission

    @property
    def deadline(self) -> float:
        """Seconds one request may spend on relay work."""
        return self._deadline

    async def __call__(self, pubkey: str) -> ServedFigures:
        return await self.for_hex(parse_pubkey(pubkey))

    async def for_hex(self, pubkey: str) -> ServedFigures:
        try:
            async with asyncio.timeout(self._deadline):
                return await self.fresh(pubkey)
        except (TimeoutError, DependencyUnavailable) as error:
            return await self.stale_or_raise(pubkey, error)

    async def fresh(self, pubkey: str) -> ServedFigures:
        """Figures within their TTL, computed now if need be; no deadline of its own."""
        data = await self._shared.get_or_compute(
            f"{self._prefix}:{pubkey}", self._ttl, lambda: self._compute(pubkey), wait_timeout=self._deadline
        )
        return ServedFigures(figures=_decode(data), stale=False)

    async def stale_or_raise(self, pubkey: str, error: BaseException) -> ServedFigures:
        """The last figures known, flagged stale, after `error` kept fresh ones from being served."""
        if isinstance(error, CacheUnavailable):
            raise error
        last = await self._last_known(pubkey)
        if last is None:
            raise _unavailable(error) from error
        return ServedFigures(figures=last, stale=True)

    async def _compute(self, pubkey: str) -> bytes:
        return await self._admission.run(lambda: self._compute_now(pubkey), deadline=self._deadline)

    async def _compute_now(self, pubkey: str) -> bytes:
        neighbourhood = await self._neighbourhood.get()
        figures = await self._calculator.figures(pubkey, neighbourhood, self._clock.now())
        data = msgspec.msgpack.encode(figures)
        try:
            await self._cache.set(f"{self._prefix}:{pubkey}:last", data, self._keep_for)
        except CacheUnavailable as error:
            logger.warning("cache unavailable, figures of %s not kept for stale serving: %s", pubkey, error)
        return data

    async def _last_known(self, pubkey: str) -> WotFigures | None:
        try:
            data = await self._cache.get(f"{self._prefix}:{pubkey}:last")
        except CacheUnavailable:
            return None
        return None if data is None else _decode(data)


class ComputeWotFiguresBatch:
    """Figures of up to 100 pubkeys, in the order asked, within one request deadline.

    Duplicates are computed once. An item not computed within the deadline is served stale when
    earlier figures are kept, or comes back as UnavailableFigures; its computation is then cancelled,
    so nothing of the batch runs on after the answer.
    """

    def __init__(self, compute_wot_figures: ComputeWotFigures) -> None:
        self._compute = compute_wot_figures

    async def __call__(self, pubkeys: list[str]) -> list[ServedFigures | UnavailableFigures]:
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
        distinct = list(dict.fromkeys(parsed))
        tasks = {pubkey: asyncio.create_task(self._compute.fresh(pubkey)) for pubkey in distinct}
        try:
            await asyncio.wait(tasks.values(), timeout=self._compute.deadline)
        finally:
            late = [task for task in tasks.values() if not task.done()]
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        served = {pubkey: await self._item(pubkey, task) for pubkey, task in tasks.items()}
        return [served[pubkey] for pubkey in parsed]

    async def _item(
        self, pubkey: str, task: "asyncio.Task[ServedFigures]"
    ) -> ServedFigures | UnavailableFigures:
        error: BaseException
        if task.cancelled():
            error = TimeoutError()
        else:
            failure = task.exception()
            if failure is None:
                return task.result()
            error = failure
        if not isinstance(error, (TimeoutError, DependencyUnavailable)):
            raise error
        try:
            return await self._compute.stale_or_raise(pubkey, error)
        except DependencyUnavailable as down:
            return UnavailableFigures(pubkey=pubkey, detail=str(down), retry_after=down.retry_after)


def _decode(data: bytes) -> WotFigures:
    return msgspec.msgpack.decode(data, type=WotFigures)


def _unavailable(error: BaseException) -> DependencyUnavailable:
    if isinstance(error, DependencyUnavailable):
        return DependencyUnavailable(
            f"Web of Trust score unavailable: {error}", retry_after=error.retry_after
        )
    return DependencyUnavailable(
        "the relays did not answer in time; no earlier score to serve", retry_after=5
    )
