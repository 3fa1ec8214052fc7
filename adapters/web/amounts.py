"""Amounts and instants as the pages print them."""

from datetime import UTC, datetime

from domain.billing.subscriptions import Currency


def amount_text(amount: int, currency: Currency | str) -> str:
    """`21,000 sats` or `$5.00`: an amount in its currency's smallest unit, for people."""
    if Currency(currency) is Currency.SAT:
        return f"{amount:,} sat" if amount == 1 else f"{amount:,} sats"
    return f"${amount // 100:,}.{amount % 100:02d}"


def instant_text(moment: datetime | None, *, never: str = "never") -> str:
    """`2026-12-06 15:47 UTC`, or `never`."""
    if moment is None:
        return never
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
