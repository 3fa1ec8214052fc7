"""Name registration and admin actions against PostgreSQL: concurrent registration, and audit
entries that share their change's transaction."""

import asyncio
from datetime import timedelta

import pytest
from dependency_injector import providers
from msgspec import structs

from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.audit.entries import Actor, AuditLog, AuditLogQuery
from domain.auth.users import UserStatus
from domain.names.nip05 import RELEASE_COOLDOWN, Nip05Status
from domain.shared.errors import Conflict
from tests.integration.names.support import add_user, names_container, serving

pytestmark = pytest.mark.integration
CONTENDERS = 12


class AuditWriteFails(Exception):
    pass


class RefusingAuditLog:
    """An audit log whose writes fail, so the change it accompanies must roll back."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self._inner = inner

    async def add(self, entry: AuditLog) -> None:
        raise AuditWriteFails(entry.action)

    async def search(self, query: AuditLogQuery) -> list[AuditLog]:
        return await self._inner.search(query)


class UnitOfWorkWithFailingAudit(PostgresUnitOfWork):
    def __init__(self, pool) -> None:  # type: ignore[no-untyped-def]
        super().__init__(pool)
        self.audit_log = RefusingAuditLog(self.audit_log)


async def test_concurrent_registrations_of_one_name_have_exactly_one_winner(postgres_dsn):
    container = names_container(postgres_dsn, None)
    async with serving(container):
        users = [await add_user(container) for _ in range(CONTENDERS)]

        async def register(user):  # type: ignore[no-untyped-def]
            try:
                return await container.names.register_name()(user.id, "Contested")
            except Conflict:
                return None

        results = await asyncio.gather(*(register(user) for user in users))
        winners = [result for result in results if result is not None]
        assert len(winners) == 1
        async with container.unit_of_work() as uow:
            stored = await uow.nip05_names.find("CONTESTED", container.settings().default_domain)
        assert stored is not None and stored.user_id == winners[0].user_id


async def test_concurrent_takers_of_a_name_past_its_cooldown_have_exactly_one_winner(postgres_dsn):
    container = names_container(postgres_dsn, None)
    async with serving(container):
        first = await add_user(container)
        record = await container.names.register_name()(first.id, "recycled")
        await container.names.release_name()(first.id, record.id)
        async with container.unit_of_work() as uow:
            released = await uow.nip05_names.get(record.id)
            assert released is not None and released.released_at is not None
            long_ago = released.released_at - RELEASE_COOLDOWN - timedelta(seconds=1)
            await uow.nip05_names.update(structs.replace(released, released_at=long_ago))
            await uow.commit()
        users = [await add_user(container) for _ in range(CONTENDERS)]

        async def register(user):  # type: ignore[no-untyped-def]
            try:
                return await container.names.register_name()(user.id, "recycled")
            except Conflict:
                return None

        winners = [r for r in await asyncio.gather(*(register(user) for user in users)) if r is not None]
        assert len(winners) == 1
        async with container.unit_of_work() as uow:
            assert (await uow.nip05_names.get(record.id)) is None
            stored = await uow.nip05_names.find("recycled", container.settings().default_domain)
        assert stored is not None and stored.id == winners[0].id


async def test_a1_when_the_audit_entry_cannot_be_written_the_admin_change_is_rolled_back(postgres_dsn):
    container = names_container(postgres_dsn, None)
    async with serving(container):
        admin, user = await add_user(container), await add_user(container)
        name = await container.names.register_name()(user.id, "kept")
        container.unit_of_work.override(providers.Factory(UnitOfWorkWithFailingAudit, pool=container.db_pool))
        actor = Actor(user_id=admin.id, pubkey=admin.pubkey)

        with pytest.raises(AuditWriteFails):
            await container.admin.suspend_name()(actor, name.id)
        with pytest.raises(AuditWriteFails):
            await container.admin.set_suspension()(user.id, suspended=True, actor=actor)

        container.unit_of_work.reset_override()
        async with container.unit_of_work() as uow:
            kept_name = await uow.nip05_names.get(name.id)
            kept_user = await uow.users.get(user.id)
        assert kept_name is not None and kept_name.status is Nip05Status.ACTIVE
        assert kept_user is not None and kept_user.status is UserStatus.ACTIVE
        response_host = container.settings().default_domain
        answer = await container.names.nostr_json_directory().answer(response_host, "kept")
        assert answer.body != b'{"names":{}}'
