"""The LNURL-pay flow of a Lightning address: the payRequest, the callback's invoice, LUD-21 verify."""

from datetime import UTC, datetime

import msgspec

from application.rate_limits import LimitRate, RatePolicy
from application.zaps.addresses import AddressOwner, LightningAddresses
from domain.shared.errors import DomainError, Forbidden
from domain.shared.unit_of_work import UowFactory
from domain.zaps.invoice import CheckedInvoice, check_invoice
from domain.zaps.pay_request import (
    PayLimits,
    PayRequest,
    address_metadata,
    check_amount,
    check_comment,
    description_hash,
)
from domain.zaps.ports import WalletConnection, ZapCounters
from domain.zaps.records import PendingZap
from domain.zaps.zap_request import parse_zap_request


class PaySettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where callbacks point, the key that signs receipts, and what an address accepts."""

    public_url: str
    service_pubkey: str
    limits: PayLimits = PayLimits()
    invoice_expiry: int = 600
    per_name: RatePolicy = RatePolicy(name="lnurlp_name", limit=60, period=60.0)


class TooManyRequests(Forbidden):
    """An address asked for more invoices than its limit allows."""

    title = "Too many requests"


def _base(settings: PaySettings, owner: AddressOwner) -> str:
    return f"{settings.public_url.rstrip('/')}/api/v1/lnurlp/{owner.domain}/{owner.name}"


class DescribeAddress:
    """LUD-16: the payRequest of `name@domain`, allowing zaps (NIP-57) signed with the service key."""

    def __init__(self, addresses: LightningAddresses, settings: PaySettings) -> None:
        self._addresses = addresses
        self._settings = settings

    async def __call__(self, host: str, name: str) -> PayRequest:
        owner = await self._addresses.owner(host, name)
        limits = self._settings.limits
        return PayRequest(
            callback=f"{_base(self._settings, owner)}/callback",
            min_sendable=limits.min_sendable,
            max_sendable=limits.max_sendable,
            metadata=address_metadata(owner.name, owner.domain),
            comment_allowed=limits.comment_allowed,
            allows_nostr=True,
            nostr_pubkey=self._settings.service_pubkey,
        )


class PayAnswer(msgspec.Struct, frozen=True, kw_only=True):
    invoice: CheckedInvoice
    verify: str


class RequestInvoice:
    """The callback: checks the amount, comment and zap request (Z2), asks the owner's wallet for the
    invoice within its deadline, and checks the invoice's amount and description hash (Z3) before
    returning it. A zap invoice is kept until it is paid or expires, for its receipt."""

    def __init__(
        self,
        uow_factory: UowFactory,
        addresses: LightningAddresses,
        wallet: WalletConnection,
        limit_rate: LimitRate,
        counters: ZapCounters,
        settings: PaySettings,
    ) -> None:
        self._uow_factory = uow_factory
        self._addresses = addresses
        self._wallet = wallet
        self._limit_rate = limit_rate
        self._counters = counters
        self._settings = settings

    async def __call__(
        self, host: str, name: str, *, amount_msat: int, nostr: str | None, comment: str = ""
    ) -> PayAnswer:
        domain = self._addresses.domain_of(host)
        decision = await self._limit_rate(self._settings.per_name, f"{domain}/{name}")
        if decision is not None and not decision.allowed:
            raise TooManyRequests("too many invoices asked of this address; try again later")
        owner = await self._addresses.owner(host, name)
        check_amount(amount_msat, self._settings.limits)
        check_comment(comment, self._settings.limits)
        zap = parse_zap_request(nostr, recipient=owner.pubkey, amount_msat=amount_msat) if nostr else None
        description = zap.json if zap else address_metadata(owner.name, owner.domain)
        wanted_hash = description_hash(description)
        self._counters.count("asked")
        try:
            made = await self._wallet.make_invoice(
                owner.wallet,
                amount_msat=amount_msat,
                description_hash=wanted_hash,
                expiry=self._settings.invoice_expiry,
            )
            invoice = check_invoice(made.bolt11, amount_msat=amount_msat, description_hash=wanted_hash)
        except DomainError:
            self._counters.count("failed")
            raise
        self._counters.count("made")
        if zap is not None:
            async with self._uow_factory() as uow:
                await uow.pending_zaps.add(
                    PendingZap(
                        payment_hash=invoice.payment_hash,
                        user_id=owner.user_id,
                        bolt11=invoice.bolt11,
                        zap_request=zap.json,
                        expires_at=datetime.fromtimestamp(invoice.expires_at, UTC),
                    )
                )
                await uow.commit()
        return PayAnswer(
            invoice=invoice, verify=f"{_base(self._settings, owner)}/verify/{invoice.payment_hash}"
        )


class VerifyAnswer(msgspec.Struct, frozen=True, kw_only=True):
    settled: bool
    preimage: str | None
    pr: str


class VerifyInvoice:
    """LUD-21: whether an invoice of this address is paid, as its owner's wallet tells."""

    def __init__(self, addresses: LightningAddresses, wallet: WalletConnection) -> None:
        self._addresses = addresses
        self._wallet = wallet

    async def __call__(self, host: str, name: str, payment_hash: str) -> VerifyAnswer:
        owner = await self._addresses.owner(host, name)
        invoice = await self._wallet.lookup_invoice(owner.wallet, payment_hash)
        return VerifyAnswer(settled=invoice.paid, preimage=invoice.preimage, pr=invoice.bolt11)
