"""Publishing a pubkey's NIP-85 trusted assertion: signed, sent to the relays, never stored."""

from datetime import datetime

import msgspec

from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures
from domain.clock import Clock
from domain.nostr.event import Event, Filter
from domain.nostr.nip19 import parse_pubkey
from domain.nostr.replaceable import supersedes
from domain.nostr.signing import public_key_of, sign_event
from domain.ports.relay import RelayPort
from domain.wot.assertion import ASSERTION_KIND, assertion_tags, says_the_same


class PublishedAssertion(msgspec.Struct, frozen=True):
    """The assertion now on the relays; `published` is false when the relays held it already."""

    event: Event
    published: bool


class PublishAssertion:
    """Signs the kind-30382 assertion of a pubkey's current figures with the provider key and
    publishes it, unless the newest assertion of this provider on the relays says the same.

    A newer assertion replaces the older one on the relays (NIP-01 addressable events): its
    `created_at` is now, or one second past the held one when that is not older.
    """

    def __init__(
        self,
        figures: ComputeWotFigures,
        calculator: WotCalculator,
        relay: RelayPort,
        clock: Clock,
        provider_secret_key: str,
    ) -> None:
        self._figures = figures
        self._calculator = calculator
        self._relay = relay
        self._clock = clock
        self._secret = provider_secret_key
        self.provider = public_key_of(provider_secret_key)

    async def __call__(self, pubkey: str) -> PublishedAssertion:
        subject = parse_pubkey(pubkey)
        now = self._clock.now()
        served = await self._figures.for_hex(subject)
        facts = await self._calculator.target_facts(subject, now)
        tags = assertion_tags(
            subject,
            served.score.trust_score,
            served.score.followers_count,
            facts.oldest_event_at,
            facts.recent_notes,
        )
        held = await self.held(subject)
        if held is not None and says_the_same(held, tags):
            return PublishedAssertion(event=held, published=False)
        event = self._sign(tags, now, held)
        await self._relay.publish([event])
        return PublishedAssertion(event=event, published=True)

    async def held(self, subject: str) -> Event | None:
        """This provider's newest assertion about `subject` on the relays."""
        found = await self._relay.query(
            [Filter(authors=(self.provider,), kinds=(ASSERTION_KIND,), tags={"d": (subject,)})]
        )
        newest: Event | None = None
        for event in found:
            if event.pubkey == self.provider and (newest is None or supersedes(event, newest)):
                newest = event
        return newest

    def _sign(self, tags: list[list[str]], now: datetime, held: Event | None) -> Event:
        created_at = int(now.timestamp())
        if held is not None and held.created_at >= created_at:
            created_at = held.created_at + 1
        return sign_event(self._secret, kind=ASSERTION_KIND, tags=tags, content="", created_at=created_at)
