"""Publishing a pubkey's NIP-85 trusted assertion: signed, sent to the relays, never stored."""

from datetime import datetime

import msgspec

from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures
from application.wot.viewer_figures import ComputeViewerFigures, viewer_hex
from domain.nostr.event import Event, Filter
from domain.nostr.nip19 import parse_pubkey
from domain.nostr.ports import RelayPort
from domain.nostr.replaceable import supersedes
from domain.nostr.signing import public_key_of, sign_event
from domain.shared.clock import Clock
from domain.wot.assertion import (
    ASSERTION_KIND,
    ProviderCard,
    assertion_tags,
    personalized_secret_key,
    provider_card,
    says_the_same,
)


class PublishedAssertion(msgspec.Struct, frozen=True):
    """The assertion now on the relays; `published` is false when the relays held it already."""

    event: Event
    published: bool


class PublishAssertion:
    """Signs the kind-30382 assertion of a pubkey's current figures with the provider key and
    publishes it, unless the newest assertion of this provider on the relays says the same.

    The provider is the service key; with a viewer, the rank is the viewer's perspective and the
    provider is the key derived for that viewer (`personalized_secret_key`).

    A newer assertion replaces the older one on the relays (NIP-01 addressable events): its
    `created_at` is now, or one second past the held one when that is not older.
    """

    def __init__(
        self,
        figures: ComputeWotFigures,
        viewer_figures: ComputeViewerFigures,
        calculator: WotCalculator,
        relay: RelayPort,
        clock: Clock,
        service_secret_key: str,
    ) -> None:
        self._figures = figures
        self._viewer_figures = viewer_figures
        self._calculator = calculator
        self._relay = relay
        self._clock = clock
        self._service_secret = service_secret_key

    async def __call__(self, pubkey: str, viewer: str | None = None) -> PublishedAssertion:
        subject = parse_pubkey(pubkey)
        now = self._clock.now()
        if viewer is None:
            secret = self._service_secret
            served = await self._figures.for_hex(subject)
        else:
            secret = personalized_secret_key(self._service_secret, viewer_hex(viewer))
            served = await self._viewer_figures(subject, viewer)
        facts = await self._calculator.target_facts(subject, now)
        tags = assertion_tags(
            subject,
            served.figures.trust_score,
            served.figures.followers_count,
            facts.oldest_event_at,
            facts.recent_notes,
        )
        held = await self.held(subject, public_key_of(secret))
        if held is not None and says_the_same(held, tags):
            return PublishedAssertion(event=held, published=False)
        event = self._sign(secret, tags, now, held)
        await self._relay.publish([event])
        return PublishedAssertion(event=event, published=True)

    async def held(self, subject: str, provider: str) -> Event | None:
        """The provider's newest assertion about `subject` on the relays."""
        found = await self._relay.query(
            [Filter(authors=(provider,), kinds=(ASSERTION_KIND,), tags={"d": (subject,)})]
        )
        newest: Event | None = None
        for event in found:
            if event.pubkey == provider and (newest is None or supersedes(event, newest)):
                newest = event
        return newest

    @staticmethod
    def _sign(secret: str, tags: list[list[str]], now: datetime, held: Event | None) -> Event:
        created_at = int(now.timestamp())
        if held is not None and held.created_at >= created_at:
            created_at = held.created_at + 1
        return sign_event(secret, kind=ASSERTION_KIND, tags=tags, content="", created_at=created_at)


class DescribeProvider:
    """The service as a NIP-85 rank provider: its pubkey, relays and the kind-10040 tag; with a
    viewer, the provider of the ranks seen from that viewer."""

    def __init__(self, service_secret_key: str, relays: tuple[str, ...]) -> None:
        self._service_secret = service_secret_key
        self.relays = relays

    def __call__(self, viewer: str | None = None) -> ProviderCard:
        secret = (
            self._service_secret
            if viewer is None
            else personalized_secret_key(self._service_secret, viewer_hex(viewer))
        )
        return provider_card(public_key_of(secret), self.relays)
