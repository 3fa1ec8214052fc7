"""API keys and their usage, NIP-05 names and custom domains, in PostgreSQL and in memory."""

import asyncio
from datetime import date, timedelta
from uuid import uuid4

import pytest
from msgspec import structs

from domain.api_keys.keys import ApiKeyScope, ApiKeyUsage
from domain.shared.errors import Conflict, NotFound
from tests import builders
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory, committed

pytestmark = pytest.mark.integration

DAY = date(2030, 6, 1)


async def test_api_keys_round_trip_and_are_found_by_digest(new_uow: UowFactory) -> None:
    user, other = builders.user(), builders.user()
    older = builders.api_key(user.id, created_at=NOW - timedelta(days=1))
    newer = builders.api_key(user.id, scopes=(ApiKeyScope.NIP05_READ, ApiKeyScope.WOT_READ))
    await committed(new_uow, user, other, older, newer, builders.api_key(other.id))

    async with new_uow() as uow:
        assert await uow.api_keys.get(older.id) == older
        assert await uow.api_keys.get_by_hash(newer.key_hash) == newer
        assert await uow.api_keys.get_by_hash("0" * 64) is None
        assert await uow.api_keys.list_for_user(user.id) == [newer, older]


async def test_api_key_updates_and_digest_uniqueness(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)
    revoked = key.used(NOW).revoke(NOW + timedelta(minutes=1))

    async with new_uow() as uow:
        await uow.api_keys.update(revoked)
        with pytest.raises(NotFound):
            await uow.api_keys.update(builders.api_key(user.id))
        with pytest.raises(Conflict):
            await uow.api_keys.add(builders.api_key(user.id, key_hash=key.key_hash))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.api_keys.get(key.id) == revoked


async def test_usage_counters_add_up_and_list_by_day_range(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)

    async with new_uow() as uow:
        assert await uow.api_key_usage.increment(key.id, DAY, "/api/v1/wot", "2xx") == 1
        assert await uow.api_key_usage.increment(key.id, DAY, "/api/v1/wot", "2xx", amount=4) == 5
        assert await uow.api_key_usage.increment(key.id, DAY, "/api/v1/wot", "4xx") == 1
        assert await uow.api_key_usage.increment(key.id, DAY + timedelta(days=1), "/api/v1/nip05", "2xx") == 1
        assert await uow.api_key_usage.increment(key.id, DAY + timedelta(days=5), "/api/v1/nip05", "2xx") == 1
        await uow.commit()

    async with new_uow() as uow:
        usage = await uow.api_key_usage.list_for_key(key.id, DAY, DAY + timedelta(days=1))

    def row(day: date, endpoint: str, status_class: str, count: int) -> ApiKeyUsage:
        return ApiKeyUsage(
            api_key_id=key.id, day=day, endpoint=endpoint, status_class=status_class, count=count
        )

    assert usage == [
        row(DAY, "/api/v1/wot", "2xx", 5),
        row(DAY, "/api/v1/wot", "4xx", 1),
        row(DAY + timedelta(days=1), "/api/v1/nip05", "2xx", 1),
    ]


async def test_concurrent_usage_increments_give_exact_counts(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)
    rounds = 25

    async def hit(amount: int) -> None:
        async with new_uow() as uow:
            await uow.api_key_usage.increment(key.id, DAY, "/api/v1/wot", "2xx", amount)
            await uow.commit()

    await asyncio.gather(*(hit(amount) for amount in range(1, rounds + 1)))

    async with new_uow() as uow:
        (usage,) = await uow.api_key_usage.list_for_key(key.id, DAY, DAY)
    assert usage.count == rounds * (rounds + 1) // 2


async def test_a_rolled_back_increment_does_not_count(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)

    async with new_uow() as uow:
        await uow.api_key_usage.increment(key.id, DAY, "/api/v1/wot", "2xx", amount=7)

    async with new_uow() as uow:
        assert await uow.api_key_usage.list_for_key(key.id, DAY, DAY) == []


async def test_nip05_names_round_trip_and_are_found_case_insensitively(new_uow: UowFactory) -> None:
    user = builders.user()
    first = builders.nip05(user.id)
    second = builders.nip05(user.id, created_at=NOW + timedelta(seconds=1), relays=())
    await committed(new_uow, user, first, second)

    async with new_uow() as uow:
        assert await uow.nip05_names.get(first.id) == first
        assert await uow.nip05_names.find(first.name.upper(), first.domain.upper()) == first
        assert await uow.nip05_names.find(first.name, "other.example") is None
        assert await uow.nip05_names.list_for_user(user.id) == [first, second]


async def test_a_nip05_name_is_unique_per_domain(new_uow: UowFactory) -> None:
    alice, bob = builders.user(), builders.user()
    taken = builders.nip05(alice.id)
    await committed(new_uow, alice, bob, taken)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.nip05_names.add(builders.nip05(bob.id, name=taken.name))
        elsewhere = builders.nip05(bob.id, name=taken.name, domain="example.net")
        await uow.nip05_names.add(elsewhere)
        with pytest.raises(Conflict):
            await uow.nip05_names.update(structs.replace(elsewhere, domain=taken.domain))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.nip05_names.find(taken.name, "example.net") == elsewhere


async def test_nip05_updates_and_deletes(new_uow: UowFactory) -> None:
    user = builders.user()
    name = builders.nip05(user.id)
    await committed(new_uow, user, name)
    later = NOW + timedelta(minutes=1)
    changed = name.suspend(later).with_relays(["wss://a.example", "wss://b.example"], later)

    async with new_uow() as uow:
        await uow.nip05_names.update(changed)
        with pytest.raises(NotFound):
            await uow.nip05_names.update(builders.nip05(user.id))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.nip05_names.get(name.id) == changed
        assert await uow.nip05_names.delete(name.id) is True
        assert await uow.nip05_names.delete(name.id) is False
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.nip05_names.get(name.id) is None


async def test_domains_round_trip_and_verified_ones_are_found(new_uow: UowFactory) -> None:
    user = builders.user()
    pending = builders.domain(user.id)
    verified = builders.domain(user.id, created_at=NOW + timedelta(seconds=1)).mark_verified(NOW)
    await committed(new_uow, user, pending, verified)

    async with new_uow() as uow:
        assert await uow.domains.get(pending.id) == pending
        assert await uow.domains.find_verified(verified.domain.upper()) == verified
        assert await uow.domains.find_verified(pending.domain) is None
        assert await uow.domains.list_for_user(user.id) == [pending, verified]


async def test_a_domain_is_claimed_once_per_user_and_verified_for_one_user(new_uow: UowFactory) -> None:
    alice, bob = builders.user(), builders.user()
    claim = builders.domain(alice.id)
    await committed(new_uow, alice, bob, claim)
    rival = builders.domain(bob.id, domain=claim.domain)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.domains.add(builders.domain(alice.id, domain=claim.domain))
        await uow.domains.add(rival)
        await uow.domains.update(claim.mark_verified(NOW))
        with pytest.raises(Conflict):
            await uow.domains.update(rival.mark_verified(NOW))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.domains.find_verified(claim.domain) == claim.mark_verified(NOW)
        assert await uow.domains.get(rival.id) == rival


async def test_domains_due_for_a_check_come_least_recently_checked_first(new_uow: UowFactory) -> None:
    user = builders.user()
    long_ago = NOW - timedelta(days=30)
    never = builders.domain(user.id)
    old = builders.domain(user.id, last_checked_at=long_ago)
    older = builders.domain(user.id, last_checked_at=long_ago - timedelta(days=1))
    recent = builders.domain(user.id, last_checked_at=NOW)
    await committed(new_uow, user, never, old, older, recent)
    ours = {never.id, old.id, older.id, recent.id}

    async with new_uow() as uow:
        due = await uow.domains.list_due_for_check(NOW - timedelta(days=1), limit=10_000)
        limited = await uow.domains.list_due_for_check(NOW - timedelta(days=1), limit=1)

    assert [d.id for d in due if d.id in ours] == [never.id, older.id, old.id]
    assert len(limited) == 1


async def test_domain_updates_and_deletes(new_uow: UowFactory) -> None:
    user = builders.user()
    domain = builders.domain(user.id)
    await committed(new_uow, user, domain)
    failed = domain.mark_failed(NOW)

    async with new_uow() as uow:
        await uow.domains.update(failed)
        with pytest.raises(NotFound):
            await uow.domains.update(builders.domain(user.id))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.domains.get(domain.id) == failed
        assert await uow.domains.delete(domain.id) is True
        assert await uow.domains.delete(domain.id) is False
        assert await uow.domains.get(domain.id) is None


async def test_a_usage_flush_is_added_once_drops_unknown_keys_and_marks_keys_used(
    new_uow: UowFactory,
) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)
    flush_id = uuid4()
    day = NOW.date()
    usages = [
        ApiKeyUsage(api_key_id=key.id, day=day, endpoint="GET /a", status_class="2xx", count=5),
        ApiKeyUsage(api_key_id=uuid4(), day=day, endpoint="GET /a", status_class="2xx", count=9),
    ]

    for expected in (True, False):
        async with new_uow() as uow:
            assert await uow.api_key_usage.add_flush(flush_id, usages, NOW) is expected
            await uow.commit()

    async with new_uow() as uow:
        counted = await uow.api_key_usage.list_for_key(key.id, day, day)
        used = await uow.api_keys.get(key.id)
    assert [usage.count for usage in counted] == [5]
    assert used is not None and used.last_used_at == NOW


async def test_a_usage_flush_rolled_back_can_be_added_again(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)
    flush_id = uuid4()
    usage = ApiKeyUsage(api_key_id=key.id, day=NOW.date(), endpoint="GET /a", status_class="4xx", count=2)

    async with new_uow() as uow:
        assert await uow.api_key_usage.add_flush(flush_id, [usage], NOW)
    async with new_uow() as uow:
        assert await uow.api_key_usage.add_flush(flush_id, [usage], NOW)
        await uow.commit()

    async with new_uow() as uow:
        assert [u.count for u in await uow.api_key_usage.list_for_key(key.id, NOW.date(), NOW.date())] == [2]


async def test_keys_are_listed_by_their_visible_prefix(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(new_uow, user, key)

    async with new_uow() as uow:
        assert [found.id for found in await uow.api_keys.list_by_prefix(key.prefix)] == [key.id]
        assert await uow.api_keys.list_by_prefix("nid_00000000") == []


async def test_held_names_of_a_domain_are_every_name_not_released(new_uow: UowFactory) -> None:
    user = builders.user()
    domain = f"held-{uuid4().hex[:8]}.example"
    active = builders.nip05(user.id, domain=domain)
    suspended = builders.nip05(user.id, domain=domain).suspend(NOW)
    released = builders.nip05(user.id, domain=domain).release(NOW)
    elsewhere = builders.nip05(user.id)
    await committed(new_uow, user, active, suspended, released, elsewhere)

    async with new_uow() as uow:
        held = await uow.nip05_names.list_held_names(domain.upper())
    assert sorted(held) == sorted([active.name, suspended.name])


async def test_verified_domain_names_are_listed_lowercase(new_uow: UowFactory) -> None:
    user = builders.user()
    pending = builders.domain(user.id)
    verified = builders.domain(user.id).mark_verified(NOW)
    await committed(new_uow, user, pending, verified)

    async with new_uow() as uow:
        names = await uow.domains.list_verified_names()
    assert verified.domain in names and pending.domain not in names
