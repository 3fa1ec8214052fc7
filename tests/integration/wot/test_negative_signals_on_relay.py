"""Mutes and reports by trusted members (V3) against a real relay process."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.websocket_pool import WebsocketRelayPool
from application.demo.graph import demo_secret_key
from domain.nostr.signing import public_key_of, sign_event
from domain.shared.clock import FixedClock
from domain.wot.figures import WotFigures
from domain.wot.negative_signals import REPORTED_BY_TRUSTED
from domain.wot.settings import BotThresholds, WotSettings
from tests.integration.wot.test_wot_on_relay import process
from tests.support.app import started

pytestmark = pytest.mark.integration

NAMES = ("seed", "alice", "bob", "carol", "target", "outsider")
SECRET = {name: demo_secret_key(1984, i) for i, name in enumerate(NAMES)}
PUB = {name: public_key_of(secret) for name, secret in SECRET.items()}
NOW = datetime.now(UTC).replace(microsecond=0)
T = int(NOW.timestamp())


def events() -> list:
    def sign(name: str, kind: int, tags: list[list[str]], age: int) -> object:
        return sign_event(SECRET[name], kind=kind, tags=tags, content="", created_at=T - age)

    target = ["p", PUB["target"]]
    # The seed follows alice, bob, carol and the target; the outsider follows the target only.
    follows = [["p", PUB[n]] for n in ("alice", "bob", "carol", "target")]
    bob_old_mutes = sign("bob", 10000, [target], 500)
    return [
        sign("seed", 3, follows, 1000),
        sign("outsider", 3, [target], 1000),
        *[sign(n, 0, [], 2000) for n in NAMES],
        # alice's newest mute list holds the target; bob's held it, but his newer one does not.
        sign("alice", 10000, [target, ["p", PUB["carol"]]], 100),
        bob_old_mutes,
        sign("bob", 10000, [["p", PUB["carol"]]], 50),
        bob_old_mutes,
        # alice and carol report the target (carol twice); the outsider is not trusted.
        sign("alice", 1984, [[*target, "spam"]], 90),
        sign("carol", 1984, [[*target, "impersonation"]], 80),
        sign("carol", 1984, [[*target, "spam"]], 70),
        sign("outsider", 1984, [[*target, "spam"]], 60),
        sign("outsider", 10000, [target], 60),
    ]


async def figures_of(relay_url: str, tmp_path: Path, settings: WotSettings) -> WotFigures:
    clock = FixedClock(NOW)
    async with started(process(relay_url, tmp_path, clock, MemoryCache(clock), settings)) as container:
        return (await container.wot.compute_wot_figures()(PUB["target"])).figures


async def test_v3_only_trusted_newest_mutes_and_trusted_reporters_count(
    relay_url: str, tmp_path: Path
) -> None:
    pool = WebsocketRelayPool(urls=(relay_url,))
    await pool.start()
    try:
        for event in events():
            await pool.publish([event])
    finally:
        await pool.close()
    settings = WotSettings(
        seeds=(PUB["seed"],), bots=BotThresholds(max_trusted_reports=2), request_deadline=10
    )
    unweighted = WotSettings(
        seeds=(PUB["seed"],), bots=BotThresholds(max_trusted_reports=3), mute_weight=0, report_weight=0
    )

    figures = await figures_of(relay_url, tmp_path / "a", settings)
    plain = await figures_of(relay_url, tmp_path / "b", unweighted)

    assert (figures.muted_by_trusted, figures.reported_by_trusted) == (1, 2)
    assert REPORTED_BY_TRUSTED in figures.bot_reasons
    assert REPORTED_BY_TRUSTED not in plain.bot_reasons
    assert plain.trust_score > 0
    assert figures.trust_score == pytest.approx(plain.trust_score / (1 + 0.5 * 1 + 1.0 * 2))
