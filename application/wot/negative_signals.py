"""Reads the mutes and reports of one pubkey by members of the trusted neighbourhood."""

from domain.nostr.event import Filter
from domain.nostr.ports import RelayPort
from domain.wot.negative_signals import MUTE_LIST_KIND, REPORT_KIND, NegativeSignals, tagged_pubkeys
from domain.wot.neighbourhood import Neighbourhood


class NegativeSignalReads:
    """Counts trusted members who mute or report a pubkey, from the relays alone.

    A mute counts only when the member's newest mute list holds the pubkey: the lists that tag it
    are found first, then the newest list of each member among their authors is read and checked.
    A report counts once per member, whatever the number of reports.
    """

    def __init__(self, relay: RelayPort) -> None:
        self._relay = relay

    async def of(self, pubkey: str, neighbourhood: Neighbourhood) -> NegativeSignals:
        tagging = await self._relay.query(
            [
                Filter(kinds=(MUTE_LIST_KIND,), tags={"p": (pubkey,)}),
                Filter(kinds=(REPORT_KIND,), tags={"p": (pubkey,)}),
            ]
        )
        reporters = {
            event.pubkey
            for event in tagging
            if neighbourhood.is_member(event.pubkey) and pubkey in tagged_pubkeys(event, REPORT_KIND)
        }
        muters = sorted(
            {
                event.pubkey
                for event in tagging
                if event.kind == MUTE_LIST_KIND
                and event.pubkey != pubkey
                and neighbourhood.is_member(event.pubkey)
            }
        )
        newest = await self._relay.latest_replaceable(muters, MUTE_LIST_KIND) if muters else {}
        muted = sum(1 for event in newest.values() if pubkey in tagged_pubkeys(event, MUTE_LIST_KIND))
        return NegativeSignals(muted_by_trusted=muted, reported_by_trusted=len(reporters))
