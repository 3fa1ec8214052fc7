"""Renewal reminders by Nostr direct message (NIP-17): 7 days and 1 day before a paid period ends,
when a renewal is paid, and when billing suspends names, to owners who did not turn them off.

Each reminder is claimed in its own committed transaction before it is sent (a row per
subscription, kind and period end), so of concurrent runs one sends it; a send that fails is
marked failed and claimed again by the next run; a sent reminder is never claimed again. The message
goes to the relays of the owner's kind-10050 list, else to the service's relays.
"""

from application.direct_messages import SendDirectMessage
from application.jobs import EachAlone
from domain.billing.reminders import DueReminder, reminder_text
from domain.nostr.signing import is_public_key
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UowFactory

BATCH = 500


class SendRenewalReminders:
    """The job: sends each due reminder once; returns how many were sent."""

    def __init__(
        self, unit_of_work: UowFactory, send: SendDirectMessage, clock: Clock, plans_url: str
    ) -> None:
        self._uow = unit_of_work
        self._send = send
        self._clock = clock
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
        if not is_public_key(reminder.pubkey):
            # An account made for a pubkey off the curve (`admin grant-role` takes any 64 hex) can
            # never be sent a message: nothing to send, and no failure to retry on every run.
            return 0
        async with self._uow() as uow:
            claimed = await uow.renewal_reminders.claim(reminder, self._clock.now())
            await uow.commit()
        if not claimed:
            return 0
        try:
            await self._send(reminder.pubkey, reminder_text(reminder, self._plans_url))
        except Exception:
            async with self._uow() as uow:
                await uow.renewal_reminders.mark_failed(reminder, self._clock.now())
                await uow.commit()
            raise
        async with self._uow() as uow:
            await uow.renewal_reminders.mark_sent(reminder, self._clock.now())
            await uow.commit()
        return 1
