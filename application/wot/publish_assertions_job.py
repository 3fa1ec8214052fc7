"""The periodic NIP-85 work of `nostr-id jobs run`: assertions for the owners of active names."""

import logging

from application.wot.publish_assertion import PublishAssertion
from domain.shared.errors import DependencyUnavailable
from domain.shared.unit_of_work import UowFactory

logger = logging.getLogger(__name__)


class PublishOwnersAssertions:
    """Publishes the assertion of every pubkey an active name points to whose figures changed.

    An assertion the relays already hold unchanged is not published again (PublishAssertion
    compares). Answers how many were published; a pubkey whose figures the relays could not give
    is skipped and the others still run, after which the job reports the failure.
    """

    def __init__(self, unit_of_work: UowFactory, publish: PublishAssertion) -> None:
        self._uow = unit_of_work
        self._publish = publish

    async def __call__(self) -> int:
        async with self._uow() as uow:
            pubkeys = await uow.nip05_names.list_active_pubkeys()
        published = 0
        failed: list[str] = []
        for pubkey in pubkeys:
            try:
                done = await self._publish(pubkey)
            except DependencyUnavailable as error:
                logger.warning("assertion of %s not published: %s", pubkey, error)
                failed.append(pubkey)
                continue
            published += int(done.published)
        if failed:
            raise DependencyUnavailable(
                f"{published} published; {len(failed)} of {len(pubkeys)} could not be scored in time"
            )
        return published
