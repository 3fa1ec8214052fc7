import asyncio

from application.check_readiness import CheckReadiness


async def ok() -> None:
    return None


async def broken() -> None:
    raise ConnectionError("refused")


async def hangs() -> None:
    await asyncio.Event().wait()


async def test_ready_when_every_probe_answers():
    readiness = await CheckReadiness({"postgres": ok, "cache": ok, "relay": ok})()
    assert readiness.ready
    assert readiness.checks == {"postgres": "ok", "cache": "ok", "relay": "ok"}


async def test_f3_a_shared_store_that_fails_or_hangs_is_named_and_the_process_stays_ready():
    readiness = await CheckReadiness({"postgres": broken, "cache": ok, "relay": hangs}, timeout=0.05)()
    assert (readiness.ready, readiness.degraded) == (True, True)
    assert readiness.checks == {"postgres": "unavailable", "cache": "ok", "relay": "unavailable"}


class Schema:
    def __init__(self, missing: list[str] | None = None, fails: bool = False) -> None:
        self.missing = missing or []
        self.fails = fails

    async def missing_migrations(self) -> list[str]:
        if self.fails:
            raise ConnectionError("refused")
        return self.missing


async def test_a_database_behind_is_not_ready_and_the_schema_check_names_the_missing_migrations():
    behind = Schema(["0007_job_runs", "0008_lnurl_wallets_and_poll_secrets"])
    readiness = await CheckReadiness({"postgres": ok, "cache": ok, "relay": ok}, schema=behind)()
    assert not readiness.ready
    assert readiness.checks == {
        "postgres": "ok",
        "cache": "ok",
        "relay": "ok",
        "schema": "missing: 0007_job_runs, 0008_lnurl_wallets_and_poll_secrets",
    }


async def test_the_schema_check_is_ok_when_nothing_is_missing_and_unavailable_when_it_cannot_tell():
    ready = await CheckReadiness({"postgres": ok}, schema=Schema())()
    assert (ready.ready, ready.checks) == (True, {"postgres": "ok", "schema": "ok"})
    down = await CheckReadiness({"postgres": broken}, schema=Schema(fails=True))()
    assert (down.ready, down.degraded) == (True, True)
    assert down.checks == {"postgres": "unavailable", "schema": "unavailable"}


async def test_a_draining_process_is_not_ready_whatever_its_stores_answer():
    draining = [False]
    check = CheckReadiness({"postgres": ok}, schema=Schema(), draining=lambda: draining[0])
    before = await check()
    draining[0] = True
    during = await check()
    assert (before.ready, before.draining) == (True, False)
    assert (during.ready, during.draining, during.checks) == (False, True, {"drain": "draining"})
