"""Reads what the Web of Trust needs from the relays and turns it into figures."""

import asyncio
from datetime import datetime

from application.wot.author_reads import BatchedAuthorReads
from application.wot.negative_signals import NegativeSignalReads
from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayPort
from domain.nostr.replaceable import latest_per_author
from domain.wot.contacts import CONTACTS_KIND, NOTE_KIND, PROFILE_KIND, followed_pubkeys
from domain.wot.figures import SECONDS_PER_DAY, TargetFacts, WotFigures, figures_of
from domain.wot.negative_signals import with_negative_signals
from domain.wot.neighbourhood import Neighbourhood
from domain.wot.settings import WotSettings

# Ages (in days) probed for the oldest event: one `until` filter with limit 1 each, all in one
# query (relays answer each filter as its own subscription, so the ladder is kept short). The
# oldest event found is at most one step younger than the true oldest event. Only the probes older
# than the pubkey's profile and contact list are sent: a younger probe could not find anything
# older than they are.
AGE_PROBE_DAYS = (1, 7, 30, 90, 180, 270)
# Fallback when the relays cannot COUNT: at most this many recent notes are fetched.
RECENT_NOTES_CAP = 5000


class WotCalculator:
    """Computes Web of Trust figures from the relays alone (no cache, no database)."""

    def __init__(self, relay: RelayPort, settings: WotSettings) -> None:
        self._relay = relay
        self._settings = settings
        # Profiles and contact lists of targets: concurrent scores share one request.
        self._own_events = BatchedAuthorReads(relay, (PROFILE_KIND, CONTACTS_KIND))
        self._negative_signals = NegativeSignalReads(relay)

    async def fetch_contacts(self) -> dict[str, list[str]]:
        """Contact lists of everyone within `max_depth - 1` hops of a seed, level by level."""
        contacts: dict[str, list[str]] = {}
        frontier = list(dict.fromkeys(self._settings.seeds))
        for _ in range(self._settings.max_depth):
            if not frontier:
                break
            lists = await self._relay.latest_replaceable(frontier, CONTACTS_KIND)
            reached: dict[str, None] = {}
            for author in frontier:
                contacts[author] = followed_pubkeys(lists.get(author))
                for pubkey in contacts[author]:
                    if pubkey not in contacts:
                        reached.setdefault(pubkey, None)
            frontier = [pubkey for pubkey in reached if pubkey not in contacts]
        return contacts

    def neighbourhood_from(self, contacts: dict[str, list[str]], built_at: int) -> Neighbourhood:
        return Neighbourhood.from_contacts(
            self._settings.seeds,
            contacts,
            max_depth=self._settings.max_depth,
            damping=self._settings.damping,
            built_at=built_at,
        )

    async def build_neighbourhood(self, now: datetime) -> Neighbourhood:
        return self.neighbourhood_from(await self.fetch_contacts(), int(now.timestamp()))

    async def target_facts(self, pubkey: str, now: datetime) -> TargetFacts:
        """Counts, profile, oldest event and recent notes of one pubkey, fresh from the relays."""
        now_ts = int(now.timestamp())
        # Events dated in the future are not recent notes, nor the oldest event.
        recent = Filter(
            authors=(pubkey,),
            kinds=(NOTE_KIND,),
            since=now_ts - self._settings.activity_window_days * 86400,
            until=now_ts,
        )
        own, followers, recent_notes = await asyncio.gather(
            self._own_events.events_of(pubkey),
            self._followers_count(pubkey),
            self._relay.count([recent]),
        )
        if recent_notes is None:
            notes = await self._relay.query([_capped(recent, RECENT_NOTES_CAP)])
            recent_notes = sum(1 for event in notes if event.pubkey == pubkey and event.created_at <= now_ts)
            own = own + notes
        own = [event for event in own if event.pubkey == pubkey]
        probes = self._age_probes(pubkey, now_ts, _oldest(own, now_ts))
        if probes:
            own += [event for event in await self._relay.query(probes) if event.pubkey == pubkey]
        contact_list = latest_per_author(own, CONTACTS_KIND).get(pubkey)
        followers_count, counted_by_relay = followers
        if counted_by_relay and contact_list is not None and _tags_itself(contact_list):
            followers_count -= 1  # a relay's COUNT sees a self-follow, which is not a follower
        return TargetFacts(
            pubkey=pubkey,
            followers_count=max(0, followers_count),
            following_count=len(followed_pubkeys(contact_list)),
            has_profile=any(event.kind == PROFILE_KIND for event in own),
            oldest_event_at=_oldest(own, now_ts),
            recent_notes=recent_notes,
        )

    async def figures(self, pubkey: str, neighbourhood: Neighbourhood, now: datetime) -> WotFigures:
        facts, signals = await asyncio.gather(
            self.target_facts(pubkey, now), self._negative_signals.of(pubkey, neighbourhood)
        )
        figures = figures_of(facts, neighbourhood.position_of(pubkey), self._settings, now)
        return with_negative_signals(figures, signals, self._settings)

    def _age_probes(self, pubkey: str, now_ts: int, oldest_known: int | None) -> list[Filter]:
        """The probes that could find an event older than `oldest_known` (every probe when None)."""
        untils = [
            now_ts - int(days * SECONDS_PER_DAY)
            for days in AGE_PROBE_DAYS
            if days <= self._settings.age_full_days
        ]
        untils.append(now_ts - int(self._settings.age_full_days * 86400))
        return [
            Filter(authors=(pubkey,), until=until, limit=1)
            for until in dict.fromkeys(untils)
            if oldest_known is None or until < oldest_known
        ]

    async def _followers_count(self, pubkey: str) -> tuple[int, bool]:
        """Authors whose latest contact list follows the pubkey, and whether a relay COUNT said so."""
        followers = Filter(kinds=(CONTACTS_KIND,), tags={"p": (pubkey,)})
        counted = await self._relay.count([followers])
        if counted is not None:
            return counted, True
        lists = latest_per_author(await self._relay.query([followers]), CONTACTS_KIND)
        return sum(1 for event in lists.values() if pubkey in followed_pubkeys(event)), False


def _oldest(events: list[Event], now_ts: int) -> int | None:
    """The oldest `created_at` not in the future."""
    return min((event.created_at for event in events if event.created_at <= now_ts), default=None)


def _tags_itself(contact_list: Event) -> bool:
    return any(len(tag) >= 2 and tag[0] == "p" and tag[1] == contact_list.pubkey for tag in contact_list.tags)


def _capped(filter_: Filter, limit: int) -> Filter:
    return Filter(
        authors=filter_.authors, kinds=filter_.kinds, since=filter_.since, until=filter_.until, limit=limit
    )
