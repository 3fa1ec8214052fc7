"""Which payment providers this process offers: those whose settings are complete, and the fake
one outside production."""

from adapters.payments.btcpay import BtcpayProvider
from adapters.payments.fake import FakePaymentProvider
from adapters.payments.lnbits import LnbitsProvider
from adapters.payments.stripe_checkout import StripeProvider
from application.billing.providers import PaymentProviders
from bootstrap.settings import Settings
from domain.billing.ports import PaymentProvider
from domain.billing.subscriptions import PaymentProviderName
from domain.shared.cache import Cache
from domain.shared.clock import Clock


def fake_payment_provider(settings: Settings, clock: Clock, cache: Cache) -> FakePaymentProvider:
    """The fake provider over the service's cache; with FAKE_WEBHOOK_SECRET it signs and delivers
    webhooks to PUBLIC_URL as the real providers do, and accepts only those."""
    return FakePaymentProvider(
        clock,
        cache,
        public_url=settings.public_url,
        webhook_secret=settings.fake_webhook_secret,
        deliver_webhooks=settings.fake_webhook_secret is not None,
    )


def payment_providers(settings: Settings, fake: FakePaymentProvider) -> PaymentProviders:
    configured: dict[PaymentProviderName, PaymentProvider] = {}
    if settings.lnbits_url and settings.lnbits_api_key:
        configured[PaymentProviderName.LNBITS] = LnbitsProvider(settings.lnbits_url, settings.lnbits_api_key)
    if (
        settings.btcpay_url
        and settings.btcpay_api_key
        and settings.btcpay_store_id
        and settings.btcpay_webhook_secret
    ):
        configured[PaymentProviderName.BTCPAY] = BtcpayProvider(
            settings.btcpay_url,
            settings.btcpay_api_key,
            settings.btcpay_store_id,
            settings.btcpay_webhook_secret,
        )
    if settings.stripe_api_key and settings.stripe_webhook_secret:
        configured[PaymentProviderName.STRIPE] = StripeProvider(
            settings.stripe_api_key, settings.stripe_webhook_secret
        )
    if settings.environment != "production":
        configured[PaymentProviderName.FAKE] = fake
    return PaymentProviders(configured)


def offered_payment_names(settings: Settings) -> list[str]:
    """The providers `payment_providers` configures, by name, without building them."""
    ready = {
        PaymentProviderName.LNBITS: settings.lnbits_url and settings.lnbits_api_key,
        PaymentProviderName.BTCPAY: settings.btcpay_url
        and settings.btcpay_api_key
        and settings.btcpay_store_id
        and settings.btcpay_webhook_secret,
        PaymentProviderName.STRIPE: settings.stripe_api_key and settings.stripe_webhook_secret,
        PaymentProviderName.FAKE: settings.environment != "production",
    }
    return sorted(name.value for name, is_ready in ready.items() if is_ready)
