from pathlib import Path

import numpy as np
import pytest

from adapters.relay.memory_relay import MemoryRelay
from application.demo.events import account_events, graph_events
from application.demo.graph import DAY, generate_demo_graph
from application.demo.seed_demo_graph import SeedDemoGraph
from application.wot.calculator import WotCalculator
from domain.nostr.signing import verify_event
from domain.shared.clock import FixedClock
from domain.shared.errors import InvalidInput
from domain.wot.settings import WotSettings
from tests.support.app import container_for_tests, settings_for_tests
from tests.unit.wot.world import NOW, NOW_TS


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    return generate_demo_graph(3000, seed=5, now=NOW_TS)


def test_same_inputs_give_the_same_graph_and_event_ids(graph) -> None:  # type: ignore[no-untyped-def]
    again = generate_demo_graph(3000, seed=5, now=NOW_TS)
    other = generate_demo_graph(3000, seed=6, now=NOW_TS)

    assert again.pubkeys == graph.pubkeys
    assert all(np.array_equal(a, b) for a, b in zip(again.follows, graph.follows, strict=True))
    assert [e.id for e in account_events(again, 7)] == [e.id for e in account_events(graph, 7)]
    assert other.pubkeys[0] != graph.pubkeys[0]


def test_follower_counts_are_heavy_tailed(graph) -> None:  # type: ignore[no-untyped-def]
    followers = np.bincount(np.concatenate(graph.follows), minlength=graph.size)
    people = ~graph.is_bot
    top = np.sort(followers[people])[::-1]

    assert top[0] > 20 * followers[people].mean()
    # The most-followed 1% hold more than ten times their share of all follows of people.
    assert top[: len(top) // 100].sum() > 0.1 * top.sum()


def test_follow_counts_are_heavy_tailed_and_lurkers_exist(graph) -> None:  # type: ignore[no-untyped-def]
    following = np.array([len(f) for f, bot in zip(graph.follows, graph.is_bot, strict=True) if not bot])

    assert np.median(following) < following.mean() < 40
    assert following.max() > 5 * following.mean()
    assert (following == 0).mean() > 0.02


def test_bots_form_a_young_dense_fast_posting_cluster(graph) -> None:  # type: ignore[no-untyped-def]
    bots = np.flatnonzero(graph.is_bot)

    assert len(bots) == 3
    for bot in bots:
        assert set(bots) - {bot} <= set(graph.follows[bot].tolist())
        age_days = (NOW_TS - graph.joined_at[bot]) / DAY
        assert 1 <= age_days <= 3
        assert graph.note_counts[bot] / age_days >= 59


def test_the_seeds_are_people_who_follow_the_popular(graph) -> None:  # type: ignore[no-untyped-def]
    followers = np.bincount(np.concatenate(graph.follows), minlength=graph.size)

    assert len(graph.seeds) == 3
    for seed in graph.seeds:
        assert not graph.is_bot[seed]
        assert int(np.argmax(np.where(graph.is_bot, -1, followers))) in graph.follows[seed] or seed == int(
            np.argmax(followers)
        )


def test_events_are_signed_and_complete() -> None:
    small = generate_demo_graph(60, seed=1, now=NOW_TS)

    events = list(graph_events(small))

    assert len(events) == small.total_events()
    assert all(verify_event(event) for event in events)
    assert sum(event.kind == 3 for event in events) == small.size
    assert sum(event.kind == 0 for event in events) == int(small.has_profile.sum())
    assert all(event.created_at <= NOW_TS for event in events)
    notes = [event.created_at for event in events if event.kind == 1]
    assert min(notes) < NOW_TS - 365 * DAY  # notes spread over two years


def seeder(relay: MemoryRelay, data_dir: Path) -> SeedDemoGraph:
    container = container_for_tests(settings_for_tests(data_dir), relay=relay, clock=FixedClock(NOW))
    seed_demo_graph: SeedDemoGraph = container.wot.seed_demo_graph()
    return seed_demo_graph


async def test_seeding_publishes_everything_with_progress(tmp_path: Path) -> None:
    relay = MemoryRelay()
    seen: list[tuple[int, int]] = []

    seeded = await seeder(relay, tmp_path)(users=120, seed=3, progress=lambda d, t: seen.append((d, t)))

    assert seeded.events_accepted == seeded.events_total == len(relay.events)
    assert seen[-1] == (seeded.events_total, seeded.events_total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seeded.seeds) == 3


async def test_seeding_rejects_silly_sizes(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        await seeder(MemoryRelay(), tmp_path)(users=2, seed=1)


async def test_the_bot_heuristics_catch_the_demo_bots(tmp_path: Path) -> None:
    relay = MemoryRelay()
    seeded = await seeder(relay, tmp_path)(users=400, seed=11)
    graph = generate_demo_graph(400, seed=11, now=NOW_TS)
    calculator = WotCalculator(relay, WotSettings(seeds=tuple(seeded.seeds)))
    neighbourhood = await calculator.build_neighbourhood(NOW)
    people = [i for i in range(0, 400, 10) if not graph.is_bot[i]]

    bots = [
        await calculator.figures(graph.pubkeys[i], neighbourhood, NOW) for i in np.flatnonzero(graph.is_bot)
    ]
    humans = [await calculator.figures(graph.pubkeys[i], neighbourhood, NOW) for i in people]

    assert all(bot.is_likely_bot for bot in bots)
    assert sum(human.is_likely_bot for human in humans) <= len(humans) // 10
    assert max(bot.trust_score for bot in bots) < np.median([human.trust_score for human in humans])


async def test_the_demo_shows_every_figure_across_its_range(tmp_path: Path) -> None:
    relay = MemoryRelay()
    seeded = await seeder(relay, tmp_path)(users=400, seed=11)
    calculator = WotCalculator(relay, WotSettings(seeds=tuple(seeded.seeds)))
    neighbourhood = await calculator.build_neighbourhood(NOW)
    graph = generate_demo_graph(400, seed=11, now=NOW_TS)

    everyone = [await calculator.figures(pubkey, neighbourhood, NOW) for pubkey in graph.pubkeys]
    seeds = [figures for figures in everyone if figures.pubkey in seeded.seeds]
    ordinary = next(figures for figures in everyone if figures.pubkey == seeded.ordinary)
    bot = next(figures for figures in everyone if figures.pubkey == seeded.bot)

    assert all(seed.activity_score > 0.3 and not seed.is_likely_bot for seed in seeds)
    for figure in ("trust_score", "account_age_score", "activity_score"):
        values = [getattr(figures, figure) for figures in everyone]
        assert min(values) < 0.05 and max(values) > 0.95, figure
        assert any(0.2 < value < 0.8 for value in values), figure
    assert {figures.discount_percent for figures in everyone} >= {0, 10, 20, 30}
    assert {figures.wot_depth for figures in everyone} >= {0, 1, 2, None}
    assert (ordinary.is_likely_bot, ordinary.wot_depth is not None, ordinary.followers_count > 0) == (
        False,
        True,
        True,
    )
    assert bot.is_likely_bot
