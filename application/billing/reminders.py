"""Renewal reminders by Nostr direct message (NIP-17): 7 days and 1 day before a paid period ends,
when a renewal is paid, and when billing suspends names, to owners who did not turn them off.

Each reminder is claimed in its own committed transaction before it is sent (a row per
subscription, kind and period end), so of concurrent runs one sends it; a send that fails is
marked failed and claimed again by the next run; a sent reminder is never claimed again. The message
goes to the relays of the owner's kind-10050 list, else to the service's relays.
"""

import logging

from application.jobs import EachAlone
from domain.billing.reminders import DueReminder, reminder_text
from domain.nostr.nip17 import DM_RELAYS_KIND, direct_message, dm_relays
from domain.nostr.ports import EventPublisher, RelayPort, RelayUnavailable
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UowFactory

log = logging.getLogger(__name__)
BATCH = 500


class ReminderNotDelivered(Exception):
    """No relay accepted the reminder; the next run sends it again."""


class SendRenewalReminders:
    """The job: sends each due reminder once; returns how many were sent."""

    def __init__(
        self,
        unit_of_work: UowFactory,
        relay: RelayPort,
        publisher: EventPublisher,
        clock: Clock,
        service_key: str,
        plans_url: str,
    ) -> None:
        self._uow = unit_of_work
        self._relay = relay
        self._publisher = publisher
        self._clock = clock
        self._service_key = service_key
        self._plans_url = plans_url

    async def __call__(self) -> int:
        now = self._clock.now()
        async with self._uow() as uow:
            due = await uow.renewal_reminders.list_due(now, BATCH)
        records = EachAlone("reminders")
        sent = 0
        for reminder in due:
            async with records.alone(f"{reminder.kind.value} of subscription {reminder.subscription_id}"):
                sent += await self._send_once(reminder)
        return records.settle(sent)

    async def _send_once(self, reminder: DueReminder) -> int:
        async with self._uow() as uow:
            claimed = await uow.renewal_reminders.claim(reminder, self._clock.now())
            await uow.commit()
        if not claimed:
            return 0
        try:
            await self._send(reminder)
        except Exception:
            async with self._uow() as uow:
                await uow.renewal_reminders.mark_failed(reminder, self._clock.now())
                await uow.commit()
            raise
        async with self._uow() as uow:
            await uow.renewal_reminders.mark_sent(reminder, self._clock.now())
            await uow.commit()
        return 1

    async def _send(self, reminder: DueReminder) -> None:
        message = direct_message(
            self._service_key,
            reminder.pubkey,
            reminder_text(reminder, self._plans_url),
            now=int(self._clock.now().timestamp()),
        )
        relays = await self._dm_relays(reminder.pubkey)
        if relays:
            accepted = await self._publisher.publish(relays, message)
        else:
            accepted = await self._relay.publish([message])
        if not accepted:
            raise ReminderNotDelivered(f"no relay accepted the reminder ({len(relays) or 'our'} relays)")

    async def _dm_relays(self, pubkey: str) -> list[str]:
        try:
            lists = await self._relay.latest_replaceable([pubkey], DM_RELAYS_KIND)
        except RelayUnavailable:
            log.warning(
                "the owner's kind-%s list could not be read; using the service's relays", DM_RELAYS_KIND
            )
            return []
        return dm_relays(lists.get(pubkey))
