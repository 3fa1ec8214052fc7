"""/.well-known/nostr.json answers: ready, encoded, cached in front of PostgreSQL.

An answer is the JSON document for one name on one domain, encoded once and kept with its ETag.
It is found in this process's memory first, then in the shared Cache, then built from PostgreSQL.
Use cases that change a name tell the directory (`names_changed`) after their commit; the
invalidation reaches every process through the answer cache's one mechanism.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from domain.clock import Clock
from domain.ports.persistence import UnitOfWork
from domain.records.names import NAME_SHAPE, Nip05, parse_serving_domain

EMPTY = b'{"names":{}}'
ANSWER_TTL = 60.0


class Answer(msgspec.Struct, frozen=True):
    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> "Answer":
        return cls(body=body, etag='"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')


EMPTY_ANSWER = Answer.of(EMPTY)


class _Document(msgspec.Struct):
    names: dict[str, str]
    relays: dict[str, list[str]] | None = None


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Document).decode


class AnswerCache(Protocol):
    """Ready answers by key: this process's memory in front of the Cache port, with one
    invalidation mechanism every process hears within a second."""

    def peek(self, key: str) -> bytes | None:
        """The answer held in this process, without waiting; None when absent or not trusted now."""
        ...

    async def get(self, key: str) -> bytes | None:
        """From this process or the shared cache; None when absent or the cache is unreachable."""
        ...

    async def put(self, key: str, value: bytes, ttl: float) -> None: ...

    async def invalidate(self, key: str) -> None:
        """Never raises: an invalidation the shared cache cannot take yet is retried, and until
        then nothing cached is trusted."""
        ...


def _document(record: Nip05) -> bytes:
    return _encode(_Document(names={record.name: record.pubkey}, relays={record.pubkey: list(record.relays)}))


class NostrJsonDirectory:
    """Answers `nostr.json?name=` for the default domain and every verified custom domain."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        answers: AnswerCache,
        clock: Clock,
        default_domain: str,
        ttl: float = ANSWER_TTL,
    ) -> None:
        self._uow_factory = uow_factory
        self._answers = answers
        self._clock = clock
        self._default_domain = parse_serving_domain(default_domain)
        self._default_host = self._default_domain.partition(":")[0]
        self._ttl = ttl

    def serving_domain(self, host: str) -> str | None:
        """The domain a Host header names (without its port unless the default domain has one)."""
        host = host.lower().rstrip(".")
        if host == self._default_domain:
            return host
        hostname = host.rpartition(":")[0] if host.count(":") == 1 else host
        if hostname == self._default_host:
            return self._default_domain
        return hostname or None

    def cached(self, host: str, name: str) -> Answer | None:
        """The ready answer in this process's memory, for the hot path; None to ask `answer`."""
        domain = self.serving_domain(host)
        if domain is None or name != name.lower():
            return None
        body = self._answers.peek(f"nip05:{domain}:{name}")
        return Answer.of(body) if body is not None else None

    async def answer(self, host: str, requested: str | None) -> Answer:
        domain = self.serving_domain(host)
        if domain is None or not requested:
            return EMPTY_ANSWER
        name = requested.lower()
        if NAME_SHAPE.fullmatch(name) is None:
            return EMPTY_ANSWER
        key = f"nip05:{domain}:{name}"
        body = await self._answers.get(key)
        if body is None:
            answer, ttl = await self._build(domain, name)
            await self._answers.put(key, answer.body, ttl)
        else:
            answer = Answer.of(body)
        if requested != name and answer.body != EMPTY:
            # Clients look the name up as the user typed it: list it that way too.
            document = _decode(answer.body)
            document.names[requested] = document.names[name]
            return Answer.of(_encode(document))
        return answer

    async def names_changed(self, domain: str, names: list[str]) -> None:
        """Forgets the answers for these names in every process."""
        for name in names:
            await self._answers.invalidate(f"nip05:{domain}:{name}")

    async def _build(self, domain: str, name: str) -> tuple[Answer, float]:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            if domain != self._default_domain and await uow.domains.find_verified(domain) is None:
                return EMPTY_ANSWER, self._ttl
            record = await uow.nip05_names.find(name, domain)
        if record is None or not record.is_served(now):
            return EMPTY_ANSWER, self._ttl
        return Answer.of(_document(record)), self._ttl_until(record.expires_at, now)

    def _ttl_until(self, expires_at: datetime | None, now: datetime) -> float:
        if expires_at is None:
            return self._ttl
        return max(0.001, min(self._ttl, (expires_at - now) / timedelta(seconds=1)))
