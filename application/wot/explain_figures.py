"""Explaining a pubkey's figures with things anyone can check on the relays."""

import asyncio
from itertools import pairwise

from application.wot.calculator import WotCalculator
from application.wot.negative_signals import NegativeSignalReads
from application.wot.shared_neighbourhood import SharedNeighbourhood
from application.wot.viewer_figures import ViewerNeighbourhoods, viewer_hex
from domain.nostr.nip19 import parse_pubkey
from domain.nostr.ports import RelayPort
from domain.shared.clock import Clock
from domain.wot.contacts import CONTACTS_KIND, followed_pubkeys
from domain.wot.explanation import MAX_PATHS, Explanation, reason_checks, shortest_paths, top_followers
from domain.wot.figures import figures_of
from domain.wot.negative_signals import with_negative_signals
from domain.wot.neighbourhood import Neighbourhood
from domain.wot.settings import WotSettings

# Shortest paths looked at in the neighbourhood snapshot before checking them on the relays.
CANDIDATE_PATHS = MAX_PATHS * 4


class ExplainFigures:
    """Up to three shortest follow paths from a seed (from the viewer, when given) to the pubkey,
    each hop checked against the hop's current contact list on the relays; the ten most trusted
    followers; every bot reason with its measured value and threshold, as the figures decide it.
    """

    def __init__(
        self,
        calculator: WotCalculator,
        neighbourhood: SharedNeighbourhood,
        viewers: ViewerNeighbourhoods,
        relay: RelayPort,
        clock: Clock,
        settings: WotSettings,
    ) -> None:
        self._calculator = calculator
        self._neighbourhood = neighbourhood
        self._viewers = viewers
        self._relay = relay
        self._negative_signals = NegativeSignalReads(relay)
        self._clock = clock
        self._settings = settings

    async def __call__(self, pubkey: str, viewer: str | None = None) -> Explanation:
        target = parse_pubkey(pubkey)
        seeds = await self._neighbourhood.get()
        seen_from = seeds if viewer is None else await self._viewers.of(viewer_hex(viewer), self._settings)
        now = self._clock.now()
        facts, signals, paths = await asyncio.gather(
            self._calculator.target_facts(target, now),
            self._negative_signals.of(target, seeds),
            self._current_paths(seen_from, target),
        )
        position = seeds.position_of(target)
        figures = with_negative_signals(
            figures_of(facts, position, self._settings, now), signals, self._settings
        )
        return Explanation(
            pubkey=target,
            paths=paths,
            top_followers=top_followers(seen_from, target),
            bot_reasons=reason_checks(facts, position, signals, figures.bot_reasons, self._settings, now),
        )

    async def _current_paths(self, neighbourhood: Neighbourhood, target: str) -> list[list[str]]:
        """The snapshot's shortest paths whose every hop still follows the next on the relays."""
        candidates = shortest_paths(neighbourhood, target, limit=CANDIDATE_PATHS)
        hops = sorted({pubkey for path in candidates for pubkey in path[:-1]})
        lists = await self._relay.latest_replaceable(hops, CONTACTS_KIND) if hops else {}
        follows = {author: set(followed_pubkeys(event)) for author, event in lists.items()}
        valid = [
            path
            for path in candidates
            if all(after in follows.get(before, ()) for before, after in pairwise(path))
        ]
        return valid[:MAX_PATHS]
