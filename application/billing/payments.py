"""Reading one's payments and receipts, webhooks from providers, and settling the fake provider."""

from collections.abc import Mapping
from uuid import UUID

from application.billing.providers import PaymentProviders
from application.billing.settle import ApplyInvoiceState
from domain.billing.ports import SettlesOnDemand
from domain.billing.subscriptions import Payment, PaymentProviderName, PaymentStatus
from domain.shared.clock import Clock
from domain.shared.errors import Forbidden, InvalidTransition, NotFound
from domain.shared.unit_of_work import UowFactory


class GetPayment:
    """One payment of the caller; another user's payment is NotFound, as if it did not exist."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def __call__(self, user_id: UUID, payment_id: UUID) -> Payment:
        async with self._uow() as uow:
            payment = await uow.payments.get(payment_id)
        if payment is None or payment.user_id != user_id:
            raise NotFound("payment not found")
        return payment


class GetReceipt:
    """The receipt of a paid (or since refunded) payment of the caller."""

    def __init__(self, get_payment: GetPayment) -> None:
        self._get_payment = get_payment

    async def __call__(self, user_id: UUID, payment_id: UUID) -> Payment:
        payment = await self._get_payment(user_id, payment_id)
        if payment.receipt_number is None:
            raise NotFound("this payment has no receipt: it is not paid")
        return payment


class HandleWebhook:
    """A provider's callback: verify the signature over the raw body, then re-fetch the invoice
    from the provider and apply that state. The body is never trusted for the state itself."""

    def __init__(self, providers: PaymentProviders, apply_state: ApplyInvoiceState, clock: Clock) -> None:
        self._providers = providers
        self._apply_state = apply_state
        self._clock = clock

    async def __call__(self, provider_name: str, headers: Mapping[str, str], body: bytes) -> None:
        provider = self._providers.for_webhook(provider_name)
        notice = provider.verify_webhook(headers, body, self._clock.now())
        if notice.invoice_id is None:
            return
        invoice = await provider.fetch_invoice(notice.invoice_id)
        await self._apply_state(provider.name, invoice, notice.event_id)


class FakeSettle:
    """Pays a `fake` invoice of the caller at the provider; the provider's signed webhook applies
    it (received by whichever process the URL reaches), or, when the provider delivers none, this
    use case applies it as the webhook would.

    Refused in production, for payments of other providers, and for other users' payments.
    """

    def __init__(
        self,
        get_payment: GetPayment,
        providers: PaymentProviders,
        fake: SettlesOnDemand,
        apply_state: ApplyInvoiceState,
        production: bool,
    ) -> None:
        self._get_payment = get_payment
        self._providers = providers
        self._fake = fake
        self._apply_state = apply_state
        self._production = production

    async def __call__(self, user_id: UUID, payment_id: UUID) -> Payment:
        if self._production:
            raise Forbidden("the fake payment provider is refused in production")
        payment = await self._get_payment(user_id, payment_id)
        offered = self._providers.get(PaymentProviderName.FAKE) is not None
        if payment.provider is not PaymentProviderName.FAKE or not offered:
            raise InvalidTransition("only payments through the fake provider can be settled on demand")
        if payment.status is not PaymentStatus.PENDING:
            return payment
        await self._fake.settle(payment.provider_invoice_id)
        if await self._fake.deliver_webhook(payment.provider_invoice_id):
            return await self._get_payment(user_id, payment_id)
        invoice = await self._fake.fetch_invoice(payment.provider_invoice_id)
        applied = await self._apply_state(self._fake.name, invoice)
        return applied or payment
