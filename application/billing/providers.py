"""The payment providers this service is configured with, by name."""

from collections.abc import Mapping

from domain.billing.ports import PaymentProvider
from domain.billing.subscriptions import PaymentProviderName
from domain.shared.errors import InvalidInput, NotFound


class PaymentProviders:
    """Configured providers; a provider without settings (or `fake` in production) is absent."""

    def __init__(self, providers: Mapping[PaymentProviderName, PaymentProvider]) -> None:
        self._providers = dict(providers)

    @property
    def names(self) -> list[str]:
        return sorted(name.value for name in self._providers)

    def for_checkout(self, name: str) -> PaymentProvider:
        provider = self._find(name)
        if provider is None:
            choices = ", ".join(self.names) or "none"
            raise InvalidInput(
                f"payment provider {name!r} is not available (configured: {choices})",
                {"provider": "not available"},
            )
        return provider

    def for_webhook(self, name: str) -> PaymentProvider:
        provider = self._find(name)
        if provider is None:
            raise NotFound(f"no payment provider {name!r} is configured")
        return provider

    def get(self, name: PaymentProviderName) -> PaymentProvider | None:
        return self._providers.get(name)

    def _find(self, name: str) -> PaymentProvider | None:
        try:
            return self._providers.get(PaymentProviderName(name))
        except ValueError:
            return None
