"""Wiring of Lightning addresses and zaps: the NWC secret keys, the payRequest settings, the watcher."""

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from adapters.nwc.seal import FernetSeal
from application.zaps.notifications import PaymentListeners
from application.zaps.pay import PaySettings
from bootstrap.settings import Settings, SettingsError
from domain.nostr.signing import public_key_of

log = logging.getLogger(__name__)
WATCH_INTERVAL = 5.0


def wallet_secret_keys(settings: Settings, service_key: str) -> tuple[str, ...]:
    """WALLET_SECRET_KEYS, or in development one key derived from the service key."""
    if settings.wallet_secret_keys:
        return settings.wallet_secret_keys
    if not settings.is_development:
        raise SettingsError("WALLET_SECRET_KEYS: required outside development")
    return (hashlib.sha256(b"nostr-id wallet secrets:" + bytes.fromhex(service_key)).hexdigest(),)


def wallet_seal(settings: Settings, service_key: str) -> FernetSeal:
    return FernetSeal(wallet_secret_keys(settings, service_key))


def public_relays_only(settings: Settings) -> bool:
    """In production, wallet relays and zap request relays on private or loopback addresses are refused."""
    return settings.environment == "production"


def pay_settings(settings: Settings, service_key: str) -> PaySettings:
    return PaySettings(public_url=settings.public_url, service_pubkey=public_key_of(service_key))


async def run_zap_watcher(
    watch: Callable[[], Callable[[], Awaitable[int]]],
    listeners: Callable[[], PaymentListeners],
    interval: float,
    *_lifecycles: object,
) -> AsyncIterator[None]:
    """Looks pending zap invoices up every `interval` seconds while the app runs and publishes the
    receipts of those paid; between rounds the wallets' payment notifications do the same. The
    listeners stop with the app. `_lifecycles` are the resources it needs, so they stop after it."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await watch()()
            except SettingsError as error:
                log.warning("zap receipts are not watched: %s", error)
                return
            except Exception:
                log.exception("watching zap invoices failed; tried again next round")

    task = asyncio.create_task(loop(), name="zap-watcher")
    try:
        yield None
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await listeners().close()
