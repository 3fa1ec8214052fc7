"""NIP-05 name rules, the release cooldown, domain re-checks and the nostr.json directory, with fakes."""

from datetime import UTC, datetime, timedelta

import pytest
from msgspec import structs

from application.names.nostr_json import EMPTY
from domain.auth.users import UserStatus
from domain.names.custom_domains import RECHECK_GRACE, CustomDomainStatus
from domain.names.folding import fold_name
from domain.names.nip05 import RELEASE_COOLDOWN, Nip05Status, name_refusal, parse_registrable_name
from domain.shared.clock import FixedClock
from domain.shared.errors import Conflict, Forbidden, InvalidInput
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import container_for_tests, settings_for_tests

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DEFAULT = "id.example.net"


@pytest.mark.parametrize(
    ("name", "owner", "refused"),
    [
        ("alice", False, None),
        ("a", False, None),
        ("a.b-c_d", False, None),
        ("_", False, "root name"),
        ("_", True, None),
        (".a", False, "start or end"),
        ("a-", False, "start or end"),
        ("a..b", False, "two dots"),
        ("admin", False, "reserved"),
        ("admin", True, "reserved"),
    ],
)
def test_name_refusals(name: str, owner: bool, refused: str | None) -> None:
    reason = name_refusal(name, owns_domain=owner)
    assert (reason is None) if refused is None else (reason is not None and refused in reason)


@pytest.mark.parametrize(
    ("name", "reserved"),
    [
        ("adm1n", "admin"),
        ("admin_", "admin"),
        ("_admin", "admin"),
        ("ad.min", "admin"),
        ("adrnin", "admin"),
        ("admln", "admin"),
        ("4dm1n", "admin"),
        ("support-team", "support"),
        ("team.support", "support"),
        ("5upp0rt", "support"),
        ("nostr_id", "nostr-id"),
        ("nostrid", "nostr-id"),
        ("n0str1d", "nostr-id"),
        ("r00t", "root"),
        ("5taff", "staff"),
        ("vvww", "www"),
        ("8illing", "billing"),
        ("s3curity", "security"),
        ("help-desk", "help"),
    ],
)
def test_n9_reserved_lookalikes_are_refused_with_the_reserved_name(name: str, reserved: str) -> None:
    reason = name_refusal(name, owns_domain=True)
    assert reason is not None and f"'{reserved}'" in reason
    with pytest.raises(InvalidInput) as refused:
        parse_registrable_name(name, owns_domain=False)
    assert refused.value.errors == {"name": reason}


@pytest.mark.parametrize("name", ["alice", "bob.smith", "supportteam", "administrative", "nostrich", "roots"])
def test_n9_names_that_only_share_letters_with_a_reserved_name_stay_free(name: str) -> None:
    assert name_refusal(name, owns_domain=False) is None


def test_n9_the_fold_reads_case_digits_letter_pairs_and_separators_alike() -> None:
    assert fold_name("ADM1N") == fold_name("admin") == fold_name("a-d_m.i.n") == fold_name("adrnln")
    assert fold_name("0134578") == fold_name("oleasTb")
    assert fold_name("vv") == fold_name("w") and fold_name("rn") == fold_name("m")
    assert fold_name("alice") != fold_name("alike")


def test_registrable_names_are_lowercased_and_bad_shapes_refused() -> None:
    assert parse_registrable_name(" Bob.Smith ", owns_domain=False) == "bob.smith"
    for bad in ("", "a b", "é", "x" * 65, "a/b", "a@b"):
        with pytest.raises(InvalidInput):
            parse_registrable_name(bad, owns_domain=False)


def test_a_released_name_blocks_others_until_exactly_the_end_of_the_cooldown() -> None:
    released = builders.nip05(builders.user().id).release(NOW)
    assert released.blocks_others(NOW + RELEASE_COOLDOWN - timedelta(microseconds=1))
    assert not released.blocks_others(NOW + RELEASE_COOLDOWN)
    assert builders.nip05(builders.user().id).blocks_others(NOW + timedelta(days=10_000))


def test_a_verified_domain_is_suspended_exactly_when_the_grace_period_ends() -> None:
    verified = builders.domain(builders.user().id).mark_verified(NOW)
    first_miss = verified.rechecked(False, NOW)
    assert first_miss.record_missing_since == NOW and first_miss.status is CustomDomainStatus.VERIFIED
    just_before = first_miss.rechecked(False, NOW + RECHECK_GRACE - timedelta(microseconds=1))
    assert just_before.status is CustomDomainStatus.VERIFIED
    at_grace = first_miss.rechecked(False, NOW + RECHECK_GRACE)
    assert at_grace.status is CustomDomainStatus.SUSPENDED and at_grace.record_missing_since == NOW
    back = at_grace.rechecked(True, NOW + RECHECK_GRACE * 2)
    assert back.status is CustomDomainStatus.VERIFIED and back.record_missing_since is None


@pytest.fixture
def world(tmp_path):  # type: ignore[no-untyped-def]
    """The container on the memory twin of the database and the memory cache, on a frozen clock."""
    store, clock = MemoryStore(), FixedClock(NOW)
    container = container_for_tests(
        settings_for_tests(tmp_path, default_domain=DEFAULT),
        clock=clock,
        store=store,
    )
    return store, clock, container


async def _user(store: MemoryStore, **fields):  # type: ignore[no-untyped-def]
    user = builders.user(**fields)
    async with FakeUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def test_register_release_and_retake_after_the_cooldown(world) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    alice, bob = await _user(store), await _user(store)
    register = container.names.register_name()

    record = await register(alice.id, "Zoe")
    assert (record.name, record.domain, record.pubkey, record.status) == (
        "zoe",
        DEFAULT,
        alice.pubkey,
        Nip05Status.ACTIVE,
    )
    with pytest.raises(Conflict):
        await register(bob.id, "ZOE")
    await container.names.release_name()(alice.id, record.id)
    with pytest.raises(Conflict):
        await register(bob.id, "zoe")
    clock.advance(RELEASE_COOLDOWN)
    taken = await register(bob.id, "zoe")
    assert taken.user_id == bob.id and taken.id != record.id
    async with FakeUnitOfWork(store) as uow:
        assert await uow.nip05_names.get(record.id) is None


async def test_suspended_users_and_strangers_to_a_domain_cannot_register(world) -> None:  # type: ignore[no-untyped-def]
    store, _, container = world
    banned = await _user(store, status=UserStatus.SUSPENDED)
    owner, stranger = await _user(store), await _user(store)
    domain = builders.domain(owner.id, domain="owner-names.org").mark_verified(NOW)
    async with FakeUnitOfWork(store) as uow:
        await uow.domains.add(domain)
        await uow.commit()
    register = container.names.register_name()
    with pytest.raises(Forbidden):
        await register(banned.id, "banned")
    with pytest.raises(Forbidden):
        await register(stranger.id, "x", domain="owner-names.org")
    with pytest.raises(Forbidden):
        await register(stranger.id, "x", domain="unknown-names.org")
    assert (await register(owner.id, "_", domain="Owner-Names.ORG")).identifier == "owner-names.org"


async def test_an_answer_is_not_served_past_its_names_expiry_however_long_it_is_kept(world) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    user = await _user(store)
    record = builders.nip05(user.id, domain=DEFAULT, name="temp", expires_at=NOW + timedelta(seconds=30))
    async with FakeUnitOfWork(store) as uow:
        await uow.nip05_names.add(structs.replace(record, pubkey=user.pubkey))
        await uow.commit()
    directory = container.names.nostr_json_directory()

    assert (await directory.answer(DEFAULT, "temp")).body != EMPTY
    clock.advance(timedelta(seconds=30))
    assert (await directory.answer(DEFAULT, "temp")).body == EMPTY
