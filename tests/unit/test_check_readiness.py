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


async def test_names_each_dependency_that_fails_or_hangs():
    readiness = await CheckReadiness({"postgres": broken, "cache": ok, "relay": hangs}, timeout=0.05)()
    assert not readiness.ready
    assert readiness.checks == {"postgres": "unavailable", "cache": "ok", "relay": "unavailable"}
