import math
from collections.abc import Sequence

import pytest

from application.wot.calculator import WotCalculator
from domain.nostr.event import Event, Filter
from domain.wot.figures import NO_PROFILE, NO_TRUSTED_FOLLOWER, YOUNG_ACCOUNT
from domain.wot.settings import WotSettings
from tests.unit.wot.fakes import ControllableRelay, contacts, note, profile
from tests.unit.wot.world import DAY, NOW, NOW_TS, PUB, SECRET, world_events

SETTINGS = WotSettings(seeds=(PUB["seed"],))


async def score(relay: ControllableRelay, name: str, settings: WotSettings = SETTINGS):  # type: ignore[no-untyped-def]
    calculator = WotCalculator(relay, settings)
    neighbourhood = await calculator.build_neighbourhood(NOW)
    return await calculator.figures(PUB[name], neighbourhood, NOW)


@pytest.fixture(params=[True, False], ids=["with-count", "without-count"])
def relay(request: pytest.FixtureRequest) -> ControllableRelay:
    return ControllableRelay(world_events(), supports_count=request.param)


@pytest.mark.parametrize(
    ("name", "followers", "following", "depth"),
    [
        ("seed", 0, 2, 0),
        ("alice", 1, 1, 1),
        ("bob", 1, 2, 1),
        ("carol", 2, 1, 2),
        ("dave", 1, 0, 2),
        ("erin", 2, 0, 3),
        ("xavier", 0, 1, None),
        ("nobody", 0, 0, None),
    ],
)
async def test_counts_and_depth(
    relay: ControllableRelay, name: str, followers: int, following: int, depth: int | None
) -> None:
    result = await score(relay, name)

    assert (result.followers_count, result.following_count, result.wot_depth) == (followers, following, depth)


async def test_trust_orders_the_neighbourhood(relay: ControllableRelay) -> None:
    trust = {
        name: (await score(relay, name)).trust_score for name in ("seed", "carol", "dave", "erin", "xavier")
    }

    assert trust["seed"] == 1.0
    assert trust["carol"] > trust["dave"] > 0
    assert 0 < trust["erin"] < trust["carol"]
    assert trust["xavier"] == 0.0


async def test_age_and_activity_come_from_the_notes(relay: ControllableRelay) -> None:
    alice = await score(relay, "alice")

    # The oldest note is 100 days old and lies between the 90- and 120-day probes.
    assert alice.account_age_score == pytest.approx(100 / 365)
    assert alice.activity_score == pytest.approx(math.log(7) / math.log(61))


async def test_a_pubkey_without_any_event_gets_a_defined_answer(relay: ControllableRelay) -> None:
    nobody = await score(relay, "nobody")

    assert (nobody.trust_score, nobody.account_age_score, nobody.activity_score) == (0.0, 0.0, 0.0)
    assert nobody.bot_reasons == (NO_TRUSTED_FOLLOWER, YOUNG_ACCOUNT, NO_PROFILE)
    assert nobody.is_likely_bot
    assert nobody.discount_percent == 0


async def test_empty_seed_list_gives_defined_answers(relay: ControllableRelay) -> None:
    carol = await score(relay, "carol", WotSettings())

    assert (carol.wot_depth, carol.trust_score, carol.followers_count) == (None, 0.0, 2)
    assert NO_TRUSTED_FOLLOWER not in carol.bot_reasons


async def test_only_the_latest_contact_list_counts(relay: ControllableRelay) -> None:
    # bob drops dave; the older list arrives again afterwards and changes nothing.
    older = contacts(SECRET["bob"], [PUB["carol"], PUB["dave"]], NOW_TS - 10 * DAY)
    newer = contacts(SECRET["bob"], [PUB["carol"]], NOW_TS - 1 * DAY)
    await relay.publish([newer, older, newer])

    dave, bob = await score(relay, "dave"), await score(relay, "bob")

    assert (dave.followers_count, dave.wot_depth, dave.trust_score) == (0, None, 0.0)
    assert bob.following_count == 1


async def test_a_tie_between_contact_lists_goes_to_the_lowest_id(relay: ControllableRelay) -> None:
    moment = NOW_TS - DAY
    one = contacts(SECRET["xavier"], [PUB["dave"]], moment)
    other = contacts(SECRET["xavier"], [PUB["dave"]], moment, extra=[["t", "tie"]])
    winner, loser = sorted([one, other], key=lambda event: event.id)
    await relay.publish([loser, winner])

    dave = await score(relay, "dave")

    assert dave.followers_count == 2  # bob and xavier, whichever list won: both follow dave
    assert (await relay.store.latest_replaceable([PUB["xavier"]], 3))[PUB["xavier"]].id == winner.id


async def test_malformed_p_tags_are_ignored(relay: ControllableRelay) -> None:
    messy = contacts(
        SECRET["xavier"],
        [PUB["erin"]],
        NOW_TS - DAY,
        extra=[
            ["p"],
            ["p", PUB["dave"].upper()],
            ["p", "not-a-key"],
            ["p", PUB["xavier"]],
            ["p", PUB["erin"]],
        ],
    )
    await relay.publish([messy])

    xavier, dave = await score(relay, "xavier"), await score(relay, "dave")

    assert xavier.following_count == 1
    assert dave.followers_count == 1
    assert xavier.followers_count == 0  # following oneself is not a follower


async def test_events_with_bad_signatures_never_count(relay: ControllableRelay) -> None:
    genuine = contacts(SECRET["xavier"], [PUB["dave"]], NOW_TS - DAY)
    forged_sig = Event(
        **{**_fields(genuine), "sig": genuine.sig[:-2] + ("00" if genuine.sig[-2:] != "00" else "11")}
    )
    forged_body = Event(**{**_fields(genuine), "tags": [["p", PUB["nobody"]]]})
    accepted = await relay.publish([forged_sig, forged_body])

    assert accepted == 0
    assert (await score(relay, "dave")).followers_count == 1
    assert (await score(relay, "nobody")).followers_count == 0


def _fields(event: Event) -> dict[str, object]:
    return {field: getattr(event, field) for field in event.__struct_fields__}


async def test_events_dated_in_the_future_are_neither_recent_notes_nor_the_oldest_event(
    relay: ControllableRelay,
) -> None:
    # dave has no event of his own until now: a profile and 40 notes dated up to a year ahead.
    await relay.publish([profile(SECRET["dave"], NOW_TS + 365 * DAY)])
    await relay.publish([note(SECRET["dave"], NOW_TS + 60 + hour * 3600) for hour in range(40)])
    calculator = WotCalculator(relay, SETTINGS)

    facts = await calculator.target_facts(PUB["dave"], NOW)
    figures = await score(relay, "dave")

    assert (facts.recent_notes, facts.oldest_event_at) == (0, None)
    assert (figures.activity_score, figures.account_age_score) == (0.0, 0.0)
    assert "implausible_note_rate" not in figures.bot_reasons
    # alice's six notes of the last 30 days still count, her future note does not.
    await relay.publish([note(SECRET["alice"], NOW_TS + DAY)])
    assert (await calculator.target_facts(PUB["alice"], NOW)).recent_notes == 6


class RecordingRelay(ControllableRelay):
    def __init__(self, supports_count: bool) -> None:
        super().__init__(world_events(), supports_count=supports_count)
        self.filters: list[Filter] = []

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        self.filters += filters
        return await super().query(filters)


@pytest.mark.parametrize("supports_count", [True, False], ids=["with-count", "without-count"])
async def test_only_the_age_probes_older_than_the_profile_and_contact_list_are_sent(
    supports_count: bool,
) -> None:
    relay = RecordingRelay(supports_count)
    calculator = WotCalculator(relay, SETTINGS)

    carol = await calculator.target_facts(PUB["carol"], NOW)
    carol_probes = [f for f in relay.filters if f.limit == 1 and f.until is not None]
    relay.filters.clear()
    xavier = await calculator.target_facts(PUB["xavier"], NOW)
    xavier_probes = [f for f in relay.filters if f.limit == 1 and f.until is not None]

    # carol's profile is 400 days old, past the full age: no probe at all.
    assert (carol_probes, carol.oldest_event_at) == ([], NOW_TS - 400 * DAY)
    # xavier's contact list is 10 days old: only the probes at 30 days and beyond go out.
    assert sorted((NOW_TS - f.until) // DAY for f in xavier_probes if f.until is not None) == [
        30,
        90,
        180,
        270,
        365,
    ]
    assert xavier.oldest_event_at == NOW_TS - 10 * DAY
