"""Deleting sign-in leftovers (T2): challenges and LNURL sessions go in transactions of their own,
so one that fails is logged and reported while the other is still deleted."""

from datetime import timedelta
from pathlib import Path

import pytest
from dependency_injector import providers

from application.jobs import RecordsFailed
from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlAction, LnurlSession
from tests.fakes.unit_of_work import FakeAuthChallengeRepository, FakeUnitOfWork, MemoryStore
from tests.support.app import FROZEN_AT, container_for_tests, settings_for_tests


class UnreadableChallenges(FakeAuthChallengeRepository):
    """A challenge table holding a row the deletion cannot handle."""

    async def delete_expired(self, before):  # type: ignore[no-untyped-def]
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")


class UnitOfWorkWithABadChallenge(FakeUnitOfWork):
    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store)
        self.auth_challenges = UnreadableChallenges(self)


async def test_t2_a_failing_challenge_deletion_does_not_keep_expired_lnurl_sessions(
    tmp_path: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    store = MemoryStore()
    expired, _poll = LnurlSession.start(
        LnurlAction.LOGIN, FROZEN_AT - timedelta(minutes=10), timedelta(minutes=5)
    )
    async with FakeUnitOfWork(store) as uow:
        await uow.lnurl_sessions.add(expired)
        await uow.auth_challenges.add(
            AuthChallenge.issue(FROZEN_AT - timedelta(minutes=10), timedelta(minutes=5))
        )
        await uow.commit()
    container = container_for_tests(
        settings_for_tests(tmp_path), unit_of_work=providers.Factory(UnitOfWorkWithABadChallenge, store)
    )

    with pytest.raises(RecordsFailed) as failed:
        await container.auth.delete_expired_sign_ins()()

    assert (failed.value.changed, failed.value.failed) == (1, 1)
    async with FakeUnitOfWork(store) as uow:
        assert await uow.lnurl_sessions.get_by_k1(expired.k1) is None
    assert any("challenges failed and was skipped" in record.getMessage() for record in caplog.records)
