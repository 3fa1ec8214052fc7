"""T2 for the periodic re-check of custom domains: each domain's check fails alone."""

from datetime import UTC, datetime, timedelta

from domain.names.custom_domains import CustomDomain, CustomDomainStatus
from domain.shared.clock import FixedClock
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import container_for_tests, settings_for_tests

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


class BreakingResolver:
    """A DNS resolver whose answer for one name breaks the code that reads it."""

    def __init__(self, broken: str) -> None:
        self.broken = broken
        self.records: dict[str, list[str]] = {}

    async def txt_records(self, name: str) -> list[str]:
        if name == self.broken:
            raise RuntimeError("an answer nobody expected")
        return self.records.get(name, [])


async def _verified(store: MemoryStore, label: str, now: datetime) -> CustomDomain:
    user = builders.user()
    domain = CustomDomain.claim(user_id=user.id, domain=f"{label}.io", now=now).mark_verified(now)
    async with FakeUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.domains.add(domain)
        await uow.commit()
    return domain


async def _stored(store: MemoryStore, domain: CustomDomain) -> CustomDomain:
    async with FakeUnitOfWork(store) as uow:
        stored = await uow.domains.get(domain.id)
    assert stored is not None
    return stored


async def test_t2_a_domain_whose_check_breaks_is_counted_marked_and_passed_over(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store, clock = MemoryStore(), FixedClock(NOW)
    broken = await _verified(store, "broken-first", NOW - timedelta(hours=2))
    fine = await _verified(store, "fine-second", NOW - timedelta(hours=1, minutes=30))
    resolver = BreakingResolver(broken.txt_record_name)
    resolver.records[fine.txt_record_name] = [fine.txt_record_value]
    container = container_for_tests(
        settings_for_tests(tmp_path),
        clock=clock,
        store=store,
        dns_resolver=resolver,
    )

    counts = await container.names.recheck_domains()()

    assert (counts["failed"], counts["checked"]) == (1, 1)
    assert (await _stored(store, broken)).last_checked_at == NOW
    assert (await _stored(store, broken)).status is CustomDomainStatus.VERIFIED
    assert (await _stored(store, fine)).last_checked_at == NOW
