"""/.well-known/nostr.json answers: ready, encoded, kept as verdicts in front of PostgreSQL.

An answer is the JSON document for one name on one domain, encoded once and kept with its ETag
in the `nip05` verdict namespace (application/verdicts.py): this process's memory first, then the
Cache, then PostgreSQL. A name the domain does not hold is answered empty from memory before any of
that (application/names/held_names.py), so unknown names keep no answer and cost no query. Use cases
change names inside `changing(...)`, the verdicts' one invalidation path, so every process stops
serving the old answer within a second.
"""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import msgspec

from application.names.held_names import HeldNames
from application.verdicts import Verdicts
from domain.names.nip05 import NAME_SHAPE, Nip05, parse_serving_domain, served_relays
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UowFactory

NAMESPACE = "nip05"
ANSWER_TTL = 60.0
EMPTY = b'{"names":{}}'


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    body: bytes
    etag: str
    # An answer for a name that expires stops being served then, however long it is kept.
    valid_until: datetime | None = None

    @classmethod
    def of(cls, body: bytes, valid_until: datetime | None = None) -> "Answer":
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        return cls(body=body, etag=etag, valid_until=valid_until)


EMPTY_ANSWER = Answer.of(EMPTY)


class _Document(msgspec.Struct):
    names: dict[str, str]
    relays: dict[str, list[str]] | None = None


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Document).decode


def _document(record: Nip05) -> bytes:
    relays = {record.pubkey: served_relays(record.relays)}
    return _encode(_Document(names={record.name: record.pubkey}, relays=relays))


def _key(domain: str, name: str) -> str:
    return f"{domain}/{name}"


class NostrJsonDirectory:
    """Answers `nostr.json?name=` for the default domain and every verified custom domain."""

    def __init__(
        self,
        uow_factory: UowFactory,
        verdicts: Verdicts,
        clock: Clock,
        default_domain: str,
        ttl: float = ANSWER_TTL,
    ) -> None:
        self._uow_factory = uow_factory
        self._answers = verdicts.namespace(NAMESPACE, Answer, ttl=ttl)
        self._clock = clock
        self._default_domain = parse_serving_domain(default_domain)
        self._default_host = self._default_domain.partition(":")[0]
        self._held = HeldNames(uow_factory, verdicts, self._default_domain, ttl)

    def serving_domain(self, host: str) -> str:
        """The domain a Host header names (without its port unless the default domain has one)."""
        host = host.lower().rstrip(".")
        if host == self._default_domain:
            return host
        hostname = host.rpartition(":")[0] if host.count(":") == 1 else host
        return self._default_domain if hostname == self._default_host else hostname

    async def answer(self, host: str, requested: str | None) -> Answer:
        """The answer for a Host header and a requested name; raises DependencyUnavailable only
        when neither the cache nor PostgreSQL can answer."""
        if not requested:
            return EMPTY_ANSWER
        name = requested.lower()
        if NAME_SHAPE.fullmatch(name) is None:
            return EMPTY_ANSWER
        domain = self.serving_domain(host)
        key = _key(domain, name)
        # A warm answer is this process's already; the held names only keep misses off PostgreSQL.
        answer = await self._answers.held(key)
        if answer is None:
            if not await self._held.may_serve(domain, name):
                return EMPTY_ANSWER
            answer = await self._answers.get(key, lambda: self._build(domain, name))
        if answer.valid_until is not None and self._clock.now() >= answer.valid_until:
            return EMPTY_ANSWER
        if requested != name and answer.body != EMPTY:
            # Clients look the name up as the user typed it: list it that way too.
            document = _decode(answer.body)
            document.names[requested] = document.names[name]
            return Answer.of(_encode(document))
        return answer

    @asynccontextmanager
    async def changing(self, domain: str, names: list[str]) -> AsyncIterator[None]:
        async with (
            self._held.changing(domain),
            self._answers.changing(*(_key(domain, name) for name in names)),
        ):
            yield

    async def _build(self, domain: str, name: str) -> Answer:
        async with self._uow_factory() as uow:
            holder = None
            if domain != self._default_domain:
                holder = await uow.domains.find_verified(domain)
                if holder is None:
                    return EMPTY_ANSWER
            record = await uow.nip05_names.find(name, domain)
            # A custom domain's name is served only while its owner holds the domain.
            if record is None or (holder is not None and record.user_id != holder.user_id):
                return EMPTY_ANSWER
            # A suspended account's names are not served (SetSuspension forgets their answers).
            owner = await uow.users.get(record.user_id)
        if owner is None or not owner.is_active or not record.is_served(self._clock.now()):
            return EMPTY_ANSWER
        return Answer.of(_document(record), record.expires_at)
