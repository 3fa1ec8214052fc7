"""Users, sessions, sign-in challenges, LNURL sessions and wallets, in PostgreSQL and in memory."""

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from msgspec import structs

from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlAction, LnurlSession, LnurlWallet
from domain.auth.sessions import OpenSession
from domain.auth.users import UserRole
from domain.shared.errors import Conflict, NotFound
from domain.shared.hashing import secret_digest
from domain.shared.paging import PageCursor
from tests import builders
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory, committed

pytestmark = pytest.mark.integration


async def test_users_are_found_by_id_and_pubkey(new_uow: UowFactory) -> None:
    user = builders.user()
    await committed(new_uow, user)

    async with new_uow() as uow:
        assert await uow.users.get(user.id) == user
        assert await uow.users.get_by_pubkey(user.pubkey) == user
        assert await uow.users.get_by_pubkey(builders.pubkey()) is None


async def test_wallets_are_linked_found_listed_used_and_unlinked(new_uow: UowFactory) -> None:
    user, other = builders.user(), builders.user()
    first = LnurlWallet.link(user.id, builders.linking_key(), NOW)
    second = LnurlWallet.link(user.id, builders.linking_key(), NOW + timedelta(minutes=1))
    await committed(new_uow, user, other, second, first)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.lnurl_wallets.add(LnurlWallet.link(other.id, first.linking_key, NOW))
        assert await uow.lnurl_wallets.get_by_linking_key(first.linking_key) == first
        assert await uow.lnurl_wallets.get_by_linking_key(builders.linking_key()) is None
        assert await uow.lnurl_wallets.list_for_user(user.id) == [first, second]
        assert await uow.lnurl_wallets.list_for_user(other.id) == []
        await uow.lnurl_wallets.mark_used(first.id, NOW + timedelta(hours=1))
        assert await uow.lnurl_wallets.remove(other.id, second.id) is None
        assert await uow.lnurl_wallets.remove(user.id, second.id) == second
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.lnurl_wallets.list_for_user(user.id) == [
            structs.replace(first, last_used_at=NOW + timedelta(hours=1))
        ]


async def test_user_updates_are_stored(new_uow: UowFactory) -> None:
    user = builders.user()
    await committed(new_uow, user)
    later = NOW + timedelta(hours=1)
    changed = user.suspend(later).with_role(UserRole.ADMIN, later)

    async with new_uow() as uow:
        await uow.users.update(changed)
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.users.get(user.id) == changed


async def test_user_search_pages_by_creation_time_and_filters_by_pubkey_prefix(new_uow: UowFactory) -> None:
    prefix = secrets.token_hex(6)
    users = [
        builders.user(pubkey=prefix + secrets.token_hex(26), created_at=NOW + timedelta(minutes=i))
        for i in (3, 1, 2, 0)
    ]
    await committed(new_uow, *users, builders.user())
    expected = sorted(users, key=lambda u: u.created_at)

    async with new_uow() as uow:
        first = await uow.users.search(pubkey_prefix=prefix, after=None, limit=3)
        last = first[-1]
        cursor = PageCursor(at=last.created_at, id=last.id)
        rest = await uow.users.search(pubkey_prefix=prefix, after=cursor, limit=3)

    assert first == expected[:3]
    assert rest == expected[3:]


async def test_sessions_round_trip_and_list_only_usable_ones(new_uow: UowFactory) -> None:
    user = builders.user()
    live = builders.session(user.id)
    later = NOW + timedelta(seconds=1)
    rotated, successor = builders.session(user.id).rotate(secret_digest("next"), later, timedelta(days=30))
    revoked = builders.session(user.id).revoke(NOW)
    expired = builders.session(user.id, expires_at=NOW + timedelta(seconds=1))
    await committed(new_uow, user, live, rotated, successor, revoked, expired)

    async with new_uow() as uow:
        assert await uow.sessions.get(live.id) == live
        assert await uow.sessions.get_by_refresh_token_hash(rotated.refresh_token_hash) == rotated
        assert await uow.sessions.get_by_refresh_token_hash(secret_digest("unknown")) is None
        active = await uow.sessions.list_open_for_user(user.id, later)

    assert {(s.latest.id, s.started_at) for s in active} == {(live.id, NOW), (successor.id, NOW)}


async def test_a_refresh_token_digest_is_unique(new_uow: UowFactory) -> None:
    user = builders.user()
    first = builders.session(user.id)
    await committed(new_uow, user, first)

    async with new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.sessions.add(builders.session(user.id, refresh_token_hash=first.refresh_token_hash))


async def test_session_updates_and_revocations(new_uow: UowFactory) -> None:
    user, other = builders.user(), builders.user()
    first = builders.session(user.id)
    old, new = first.rotate(secret_digest("rotated"), NOW, timedelta(days=30))
    elsewhere = builders.session(user.id)
    others = builders.session(other.id)
    await committed(new_uow, user, other, first, elsewhere, others)

    async with new_uow() as uow:
        await uow.sessions.update(old)
        await uow.sessions.add(new)
        with pytest.raises(NotFound):
            await uow.sessions.update(builders.session(user.id))
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.sessions.get(first.id) == old
        assert await uow.sessions.revoke_family(first.family_id, NOW) == 2
        assert await uow.sessions.revoke_family(first.family_id, NOW) == 0
        assert await uow.sessions.revoke_all_for_user(user.id, NOW) == 1
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.sessions.list_open_for_user(user.id, NOW) == []
        assert await uow.sessions.list_open_for_user(other.id, NOW) == [
            OpenSession(latest=others, started_at=others.created_at)
        ]
        revoked = await uow.sessions.get(new.id)
    assert revoked is not None and revoked.revoked_at == NOW


async def test_a_challenge_is_consumed_once_and_never_after_expiry(new_uow: UowFactory) -> None:
    fresh, stale = builders.challenge(), builders.challenge()
    await committed(new_uow, fresh, stale)

    async with new_uow() as uow:
        consumed = await uow.auth_challenges.consume(fresh.challenge, NOW)
        again = await uow.auth_challenges.consume(fresh.challenge, NOW)
        too_late = await uow.auth_challenges.consume(stale.challenge, stale.expires_at)
        unknown = await uow.auth_challenges.consume(secrets.token_hex(32), NOW)
        with pytest.raises(Conflict):
            await uow.auth_challenges.add(builders.challenge(challenge=fresh.challenge))
        await uow.commit()

    assert consumed == fresh.consume(NOW)
    assert (again, too_late, unknown) == (None, None, None)


async def test_of_concurrent_challenge_redemptions_exactly_one_succeeds(new_uow: UowFactory) -> None:
    challenge = builders.challenge()
    await committed(new_uow, challenge)

    async def redeem() -> bool:
        async with new_uow() as uow:
            consumed = await uow.auth_challenges.consume(challenge.challenge, NOW)
            await uow.commit()
            return consumed is not None

    results = await asyncio.gather(*(redeem() for _ in range(6)))
    assert results.count(True) == 1


async def test_a_rolled_back_redemption_leaves_the_challenge_usable(new_uow: UowFactory) -> None:
    challenge = builders.challenge()
    await committed(new_uow, challenge)

    async with new_uow() as uow:
        assert await uow.auth_challenges.consume(challenge.challenge, NOW) is not None

    async with new_uow() as uow:
        assert await uow.auth_challenges.consume(challenge.challenge, NOW) is not None


async def test_expired_challenges_and_lnurl_sessions_are_deleted(new_uow: UowFactory) -> None:
    # Issued long before any other test's rows in the shared database, so every count is exact.
    issued = datetime(2001, 1, 1, tzinfo=UTC)
    challenge = AuthChallenge.issue(issued, timedelta(minutes=5))
    session = LnurlSession.start(LnurlAction.LOGIN, issued, timedelta(minutes=5))[0]
    await committed(new_uow, challenge, session)
    just_after = timedelta(microseconds=1)

    async with new_uow() as uow:
        assert await uow.auth_challenges.delete_expired(challenge.expires_at) == 0
        assert await uow.lnurl_sessions.delete_expired(session.expires_at) == 0
        assert await uow.lnurl_sessions.get_by_k1(session.k1) == session
        assert await uow.auth_challenges.delete_expired(challenge.expires_at + just_after) == 1
        assert await uow.lnurl_sessions.delete_expired(session.expires_at + just_after) == 1
        assert await uow.auth_challenges.consume(challenge.challenge, issued) is None
        assert await uow.lnurl_sessions.get_by_k1(session.k1) is None


async def test_an_lnurl_login_completes_once_and_hands_out_tokens_once(new_uow: UowFactory) -> None:
    user, session = builders.user(), builders.lnurl_session()
    await committed(new_uow, user, session)
    key = builders.linking_key()

    async with new_uow() as uow:
        assert await uow.lnurl_sessions.get_by_k1(session.k1) == session
        assert await uow.lnurl_sessions.get_by_poll_secret_hash(session.poll_secret_hash) == session
        assert await uow.lnurl_sessions.get_by_poll_secret_hash(secret_digest(session.k1)) is None
        assert await uow.lnurl_sessions.claim_tokens(session.k1, NOW) is None
        completed = await uow.lnurl_sessions.complete(session.k1, key, user.id, NOW)
        assert await uow.lnurl_sessions.complete(session.k1, key, user.id, NOW) is None
        claimed = await uow.lnurl_sessions.claim_tokens(session.k1, NOW)
        assert await uow.lnurl_sessions.claim_tokens(session.k1, NOW) is None
        with pytest.raises(Conflict):
            await uow.lnurl_sessions.add(structs.replace(builders.lnurl_session(), k1=session.k1))
        await uow.commit()

    assert completed == session.complete(key, user.id, NOW)
    assert claimed == session.complete(key, user.id, NOW).claim_tokens(NOW)
    async with new_uow() as uow:
        assert await uow.lnurl_sessions.get_by_k1(session.k1) == claimed


async def test_an_lnurl_link_completes_only_for_its_user_and_only_before_expiry(new_uow: UowFactory) -> None:
    owner, stranger = builders.user(), builders.user()
    link = builders.lnurl_session(LnurlAction.LINK, user_id=owner.id)
    login = builders.lnurl_session()
    await committed(new_uow, owner, stranger, link, login)
    key = builders.linking_key()

    async with new_uow() as uow:
        assert await uow.lnurl_sessions.complete(link.k1, key, stranger.id, NOW) is None
        assert await uow.lnurl_sessions.complete(login.k1, key, owner.id, login.expires_at) is None
        assert await uow.lnurl_sessions.complete(secrets.token_hex(32), key, owner.id, NOW) is None
        completed = await uow.lnurl_sessions.complete(link.k1, key, owner.id, NOW)
    assert completed == link.complete(key, owner.id, NOW)


async def test_of_concurrent_lnurl_completions_exactly_one_succeeds(new_uow: UowFactory) -> None:
    user, session = builders.user(), builders.lnurl_session()
    await committed(new_uow, user, session)

    async def complete() -> bool:
        async with new_uow() as uow:
            done = await uow.lnurl_sessions.complete(session.k1, builders.linking_key(), user.id, NOW)
            await uow.commit()
            return done is not None

    results = await asyncio.gather(*(complete() for _ in range(6)))
    assert results.count(True) == 1
