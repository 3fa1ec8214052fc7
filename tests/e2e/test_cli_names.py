"""`nostr-id jobs run` and `nostr-id admin suspend-user` as an operator runs them, on the test database
and a real DNS server."""

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from msgspec import structs

from domain.audit.entries import AuditLogQuery
from domain.auth.users import UserStatus
from domain.names.custom_domains import CustomDomain, CustomDomainStatus
from domain.nostr.nip19 import encode_npub
from tests.integration.names.support import add_user, names_container, serving

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "bootstrap.cli"]


def _cli(*arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    environment.pop("REDIS_URL", None)
    return subprocess.run([*CLI, *arguments], env=environment, capture_output=True, text=True, timeout=120)


async def _domain(container, domain_id) -> CustomDomain:  # type: ignore[no-untyped-def]
    async with container.unit_of_work() as uow:
        found = await uow.domains.get(domain_id)
    assert found is not None
    return found


async def test_d3_jobs_run_suspends_a_domain_whose_record_is_gone_past_grace_and_restores_it(
    postgres_dsn, dns_server
):
    container = names_container(postgres_dsn, None)
    async with serving(container):
        owner = await add_user(container)
        claimed = await container.names.add_domain()(owner.id, "jobs-names.org")
        now = datetime.now(UTC)
        lost = structs.replace(
            claimed.mark_verified(now - timedelta(days=10)),
            last_checked_at=now - timedelta(hours=2),
            record_missing_since=now - timedelta(hours=73),
        )
        async with container.unit_of_work() as uow:
            await uow.domains.update(lost)
            await uow.commit()

        run = await asyncio.to_thread(
            _cli, "jobs", "run", DATABASE_URL=postgres_dsn, DNS_NAMESERVERS=dns_server.nameserver
        )
        assert run.returncode == 0, run.stderr
        assert "suspended 1" in run.stdout
        assert (await _domain(container, claimed.id)).status is CustomDomainStatus.SUSPENDED

        dns_server.set_txt(claimed.txt_record_name, claimed.txt_record_value)
        async with container.unit_of_work() as uow:
            suspended = await uow.domains.get(claimed.id)
            assert suspended is not None
            await uow.domains.update(structs.replace(suspended, last_checked_at=now - timedelta(hours=2)))
            await uow.commit()
        run = await asyncio.to_thread(
            _cli, "jobs", "run", DATABASE_URL=postgres_dsn, DNS_NAMESERVERS=dns_server.nameserver
        )
        assert run.returncode == 0, run.stderr
        assert "restored 1" in run.stdout
        assert (await _domain(container, claimed.id)).status is CustomDomainStatus.VERIFIED


async def test_a1_admin_suspend_user_from_the_command_line_is_audited(postgres_dsn):
    container = names_container(postgres_dsn, None)
    async with serving(container):
        user = await add_user(container)
        run = await asyncio.to_thread(
            _cli, "admin", "suspend-user", encode_npub(user.pubkey), DATABASE_URL=postgres_dsn
        )
        assert run.returncode == 0, run.stderr
        assert "suspended" in run.stdout
        async with container.unit_of_work() as uow:
            stored = await uow.users.get(user.id)
            entries = await uow.audit_log.search(AuditLogQuery(action="user.suspended"))
        assert stored is not None and stored.status is UserStatus.SUSPENDED
        mine = [entry for entry in entries if entry.target_id == str(user.id)]
        assert len(mine) == 1 and mine[0].details["via"] == "cli"

        run = await asyncio.to_thread(_cli, "admin", "unsuspend-user", user.pubkey, DATABASE_URL=postgres_dsn)
        assert run.returncode == 0, run.stderr
        unknown = await asyncio.to_thread(_cli, "admin", "suspend-user", "f" * 64, DATABASE_URL=postgres_dsn)
        assert unknown.returncode == 1 and "no account" in unknown.stderr
