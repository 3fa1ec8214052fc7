"""Verdicts: ready answers to hot questions ("is this session valid?", "whose is this name?").

Three layers, built once and used by every hot read:

1. an in-process map of ready answers, so a repeated question costs no I/O at all;
2. the Cache port (Redis across processes, or the memory cache), so a question another process
   already answered costs one cache round trip;
3. the source of truth (PostgreSQL), asked through the caller's `load` only on a miss.

One invalidation mechanism, through the Cache port only: a change stores a new random *tag* for
the key (so a shared answer loaded before the change no longer matches and is ignored) and a new
random *generation* for the namespace. Every process compares the generation it last saw with the
cache's at most every `check_interval` seconds (0.5 s by default) before trusting its in-process
answers, and forgets them all when it moved: every process hears of a change within a second.
The changing process forgets its own answer at once.

When the cache cannot answer, nothing local is trusted (a missed change cannot be ruled out):
questions go straight to the source until the cache answers again.
"""

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

import msgspec

from domain.shared.cache import Cache, CacheUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CHECK_INTERVAL = 0.5
DEFAULT_MAX_LOCAL_ENTRIES = 50_000
# After a cache failure, how long questions go straight to the source before the cache is tried again.
CACHE_RETRY_AFTER = 1.0
# A key's tag outlives its answer by this much, so an answer stored late by a slow load still meets
# the tag that rejects it.
TAG_MARGIN = 60.0
NO_TAG = b"-"
ANSWER_PREFIX = "verdict:"
GENERATION_PREFIX = "verdict-generation:"
TAG_SUFFIX = ":tag"


def is_invalidation_key(key: str) -> bool:
    """Whether the cache key carries an invalidation (a namespace's generation, a key's tag): the
    keys every process must hear, whatever the cache (see adapters/postgres/notifying_cache.py)."""
    return key.startswith(GENERATION_PREFIX) or (key.startswith(ANSWER_PREFIX) and key.endswith(TAG_SUFFIX))


class Verdicts:
    """The process-wide registry of verdict namespaces, all over one Cache."""

    def __init__(
        self,
        cache: Cache,
        *,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        max_local_entries: int = DEFAULT_MAX_LOCAL_ENTRIES,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < check_interval <= 1:
            raise ValueError("check_interval must be in (0, 1] seconds: every process hears within a second")
        self._cache = cache
        self._check_interval = check_interval
        self._max_local_entries = max_local_entries
        self._timer = timer
        self._namespaces: dict[str, VerdictNamespace[Any]] = {}

    def namespace(self, name: str, kind: type[T], *, ttl: float) -> "VerdictNamespace[T]":
        """The namespace of that name (made on first use); `kind` is a msgspec-encodable type."""
        existing = self._namespaces.get(name)
        if existing is not None:
            if existing.kind is not kind:
                raise ValueError(f"verdict namespace {name!r} already holds {existing.kind!r}")
            return existing
        made: VerdictNamespace[T] = VerdictNamespace(
            self._cache,
            name,
            kind,
            ttl=ttl,
            check_interval=self._check_interval,
            max_local_entries=self._max_local_entries,
            timer=self._timer,
        )
        self._namespaces[name] = made
        return made


class VerdictNamespace(Generic[T]):
    """Answers of one kind, keyed by a string, kept for `ttl` seconds at most."""

    def __init__(
        self,
        cache: Cache,
        name: str,
        kind: type[T],
        *,
        ttl: float,
        check_interval: float,
        max_local_entries: int,
        timer: Callable[[], float],
    ) -> None:
        if ":" in name or not name:
            raise ValueError("a verdict namespace name is non-empty and has no ':'")
        self.kind = kind
        self._cache = cache
        self._prefix = f"{ANSWER_PREFIX}{name}:"
        self._generation_key = f"{GENERATION_PREFIX}{name}"
        self._ttl = ttl
        self._check_interval = check_interval
        self._max_local = max_local_entries
        self._timer = timer
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(kind)
        self._local: dict[str, tuple[T, float]] = {}
        # Bumped whenever local answers are forgotten, so a load begun before cannot store its answer.
        self._epoch = 0
        self._generation: bytes | None = None
        self._checked_at = -float("inf")
        self._cache_down_until = -float("inf")
        self._check: asyncio.Future[None] | None = None

    async def get(
        self,
        key: str,
        load: Callable[[], Awaitable[T]],
        *,
        untrusted: Callable[[], Awaitable[T]] | None = None,
    ) -> T:
        """The answer for the key: in-process, else from the cache, else `load()` (then kept).

        While the cache cannot answer, `untrusted()` answers instead of `load()` when given (for an
        answer too costly to load from the source on every question).
        """
        if not await self._trust_local():
            return await (untrusted or load)()
        now = self._timer()
        held = self._local.get(key)
        if held is not None and now - held[1] < self._ttl:
            return held[0]
        epoch = self._epoch
        tag = NO_TAG
        try:
            stored, current_tag = await self._cache.get_many([self._prefix + key, self._tag_key(key)])
            tag = current_tag or NO_TAG
            if stored is not None:
                stored_tag, _, payload = stored.partition(b":")
                if stored_tag == tag:
                    answer = self._decoder.decode(payload)
                    self._keep(key, answer, epoch)
                    return answer
        except CacheUnavailable as error:
            self._cache_failed(error)
            return await (untrusted or load)()
        answer = await load()
        try:
            await self._cache.set(self._prefix + key, tag + b":" + self._encoder.encode(answer), self._ttl)
        except CacheUnavailable as error:
            self._cache_failed(error)
            return answer
        self._keep(key, answer, epoch)
        return answer

    async def held(self, key: str) -> T | None:
        """The answer this process holds for the key, or None: the key is never looked up in the
        cache or the source (only the namespace's generation is checked when due)."""
        if not await self._trust_local():
            return None
        held = self._local.get(key)
        if held is not None and self._timer() - held[1] < self._ttl:
            return held[0]
        return None

    async def invalidate(self, key: str) -> None:
        """Makes every process forget the answer: at once here, within a second elsewhere.

        Raises CacheUnavailable when the cache cannot be told; the local answer is forgotten anyway.
        """
        self._forget(key)
        await self._cache.set(self._tag_key(key), secrets.token_hex(8).encode(), self._ttl + TAG_MARGIN)
        await self._cache.delete(self._prefix + key)
        await self._cache.set(self._generation_key, secrets.token_hex(8).encode())
        self._forget(key)

    @asynccontextmanager
    async def changing(self, *keys: str) -> AsyncIterator[None]:
        """Wraps a change of the source (commit inside the block) that alters the keys' answers.

        Before the change every process is told (it fails closed: a cache that cannot be told
        raises CacheUnavailable and the change is not made); after it they are told again, so an
        answer loaded while the change was being made is not kept.
        """
        for key in keys:
            await self.invalidate(key)
        yield
        for key in keys:
            try:
                await self.invalidate(key)
            except CacheUnavailable:
                log.warning("verdict %s%s: the cache missed the second invalidation", self._prefix, key)

    def _tag_key(self, key: str) -> str:
        return self._prefix + key + TAG_SUFFIX

    def _keep(self, key: str, answer: T, epoch: int) -> None:
        if epoch != self._epoch:
            return
        if key not in self._local and len(self._local) >= self._max_local:
            del self._local[next(iter(self._local))]
        self._local[key] = (answer, self._timer())

    def _forget(self, key: str) -> None:
        self._local.pop(key, None)
        self._epoch += 1

    def _forget_all(self) -> None:
        self._local.clear()
        self._epoch += 1

    def _cache_failed(self, error: CacheUnavailable) -> None:
        log.warning("verdict cache unavailable, answering from the source: %s", error)
        self._forget_all()
        self._generation = None
        self._checked_at = -float("inf")
        self._cache_down_until = self._timer() + CACHE_RETRY_AFTER

    async def _trust_local(self) -> bool:
        """Checks the namespace generation when due; False while the cache cannot answer."""
        now = self._timer()
        if now < self._cache_down_until:
            return False
        if now - self._checked_at < self._check_interval:
            return True
        if self._check is None:
            self._check = asyncio.ensure_future(self._check_generation())
        check = self._check
        try:
            await asyncio.shield(check)
        except CacheUnavailable as error:
            if self._check is check:
                self._check = None
                self._cache_failed(error)
            return False
        finally:
            if self._check is check and check.done():
                self._check = None
        return True

    async def _check_generation(self) -> None:
        started = self._timer()
        generation = await self._cache.get(self._generation_key) or NO_TAG
        if generation != self._generation:
            self._forget_all()
            self._generation = generation
        self._checked_at = started
