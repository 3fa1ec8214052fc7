"""Lightning addresses and zaps wiring (LUD-16, NIP-57), paid into the owner's own wallet over NIP-47."""

from dependency_injector import containers, providers

from adapters.nwc.metrics import PrometheusZapCounters
from adapters.nwc.nostr_wallet_connect import NostrWalletConnection
from adapters.nwc.receipts import WebsocketReceiptPublisher
from application.zaps.addresses import LightningAddresses
from application.zaps.notifications import PaymentListeners
from application.zaps.pay import DescribeAddress, RequestInvoice, VerifyInvoice
from application.zaps.receipts import PublishZapReceipt, WatchZapInvoices
from application.zaps.wallets import ConnectWallet, DisconnectWallet, ShowWallet
from bootstrap import zaps as zap_wiring
from bootstrap.settings import Settings


class ZapsContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    service_key = providers.Dependency()
    clock = providers.Dependency()
    relay = providers.Dependency()
    unit_of_work = providers.Dependency()
    metrics_registry = providers.Dependency()
    nostr_json_directory = providers.Dependency()
    limit_rate = providers.Dependency()

    wallet_connection = providers.Singleton(
        NostrWalletConnection, public_only=providers.Callable(zap_wiring.public_relays_only, settings)
    )
    # NWC secrets at rest, sealed with WALLET_SECRET_KEYS.
    wallet_seal = providers.Singleton(zap_wiring.wallet_seal, settings, service_key)
    zap_counters = providers.Singleton(PrometheusZapCounters, metrics_registry)
    receipt_publisher = providers.Singleton(
        WebsocketReceiptPublisher, public_only=providers.Callable(zap_wiring.public_relays_only, settings)
    )
    pay_settings = providers.Singleton(zap_wiring.pay_settings, settings, service_key)
    lightning_addresses = providers.Factory(
        LightningAddresses, unit_of_work.provider, nostr_json_directory, wallet_seal
    )
    connect_wallet = providers.Factory(
        ConnectWallet, unit_of_work.provider, wallet_connection, wallet_seal, clock
    )
    show_wallet = providers.Factory(ShowWallet, unit_of_work.provider)
    disconnect_wallet = providers.Factory(DisconnectWallet, unit_of_work.provider)
    describe_address = providers.Factory(DescribeAddress, lightning_addresses, pay_settings)
    request_invoice = providers.Factory(
        RequestInvoice,
        unit_of_work.provider,
        lightning_addresses,
        wallet_connection,
        limit_rate,
        zap_counters,
        pay_settings,
    )
    verify_invoice = providers.Factory(VerifyInvoice, lightning_addresses, wallet_connection)
    publish_zap_receipt = providers.Factory(
        PublishZapReceipt, unit_of_work.provider, relay, receipt_publisher, zap_counters, service_key
    )
    # One NIP-47 notification listener per wallet with zap invoices waiting.
    payment_listeners = providers.Singleton(PaymentListeners, wallet_connection, publish_zap_receipt)
    watch_zap_invoices = providers.Factory(
        WatchZapInvoices,
        unit_of_work.provider,
        wallet_connection,
        wallet_seal,
        publish_zap_receipt,
        clock,
        listen=payment_listeners.provided.keep,
    )
