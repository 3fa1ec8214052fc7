"""Renewal reminders: what an owner is told by direct message, and when."""

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from msgspec import Struct

# A reminder about something that happened (a renewal paid, names suspended) is sent only while it
# is recent, so turning the job on never tells owners about their history.
RECENT = timedelta(days=3)
# A claim that was never marked sent nor failed (its process died mid-send) is taken over after this.
CLAIM_LEASE = timedelta(minutes=10)


class ReminderKind(StrEnum):
    ENDS_IN_7_DAYS = "ends_in_7_days"
    ENDS_IN_1_DAY = "ends_in_1_day"
    RENEWED = "renewed"
    NAMES_SUSPENDED = "names_suspended"


class DueReminder(Struct, frozen=True, kw_only=True):
    """A reminder whose moment has come: one per (subscription, kind, period end)."""

    subscription_id: UUID
    user_id: UUID
    pubkey: str  # the owner's current key
    kind: ReminderKind
    period_end: datetime  # the end of the period it is about (after a renewal: the new end)


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def reminder_text(reminder: DueReminder, plans_url: str) -> str:
    """The message an owner reads."""
    end = _day(reminder.period_end)
    texts = {
        ReminderKind.ENDS_IN_7_DAYS: f"Your nostr-id plan ends in 7 days ({end}). Renew to keep your names: ",
        ReminderKind.ENDS_IN_1_DAY: f"Your nostr-id plan ends tomorrow ({end}). Renew to keep your names: ",
        ReminderKind.RENEWED: f"Thank you: your nostr-id plan is renewed and now runs until {end}. Plans: ",
        ReminderKind.NAMES_SUSPENDED: (
            f"Your nostr-id plan ended on {end}, so the names beyond the free plan are suspended and no "
            "longer served. Renew to serve them again: "
        ),
    }
    return texts[reminder.kind] + plans_url
