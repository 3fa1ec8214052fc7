"""What the HTTP adapter needs from the composition root, stated as Protocols.

`create_app` takes an `HttpServices`: the container (`bootstrap.container.Container`) plays it, and
mypy checks that it does (`bootstrap/http.py`). Each member is a provider, called per request, so an
override in a test reaches the handlers. Every member of `CoreServices` and of each feature's
Protocol is a handler dependency key of the same name (`dependency_keys`); adding a use case for a
handler means adding it here, where mypy then asks the container for it.
"""

from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol, TypeVar, get_args, get_origin, get_type_hints

from prometheus_client import CollectorRegistry

from adapters.http.client_ip import Network
from application.admin.actions import ListUsers, ReadAuditLog, SuspendName
from application.api_keys.keys import CreateApiKey, GetApiKeyUsage, ListApiKeys, RevokeApiKey, VerifyApiKey
from application.api_keys.metering import MeterApiKeyUse
from application.auth.admin_users import ChangeRole, SetSuspension
from application.auth.authenticate import Authenticate
from application.auth.key_rotation import CancelKeyRecovery, RequestKeyRecovery, RotateKey
from application.auth.lnurl import PollLnurlAuth, RedeemLnurlAuth, StartLnurlAuth
from application.auth.me import GetMe, SetReminders
from application.auth.own_sessions import (
    ListSessions,
    RefreshSession,
    RevokeSession,
    SignOut,
    SignOutEverywhere,
)
from application.auth.sign_in import IssueChallenge, Login
from application.auth.wallets import ListWallets, UnlinkWallet
from application.billing.admin import CompSubscription, RefundPayment
from application.billing.payments import FakeSettle, GetPayment, GetReceipt, HandleWebhook
from application.billing.plans import ListPlans
from application.billing.subscribe import CancelSubscription, GetCurrentSubscription, StartSubscription
from application.check_readiness import CheckReadiness
from application.custom_domains.manage_custom_domains import (
    AddDomain,
    ListDomains,
    RemoveDomain,
    VerifyDomain,
)
from application.names.manage_names import (
    CheckNameAvailability,
    ListNames,
    RegisterName,
    ReleaseName,
    UpdateName,
)
from application.names.nostr_json import NostrJsonDirectory
from application.names.transfers import AcceptOffer, CancelOffer, ListOffers, OfferName
from application.rate_limits import LimitRate, RatePolicies
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.explain_figures import ExplainFigures
from application.wot.publish_assertion import DescribeProvider, PublishAssertion
from application.wot.viewer_figures import ComputeViewerFigures, ComputeViewerFiguresBatch
from application.zaps.pay import DescribeAddress, RequestInvoice, VerifyInvoice
from application.zaps.wallets import ConnectWallet, DisconnectWallet, ShowWallet
from domain.billing.plans import Plan

T_co = TypeVar("T_co", covariant=True)


class Feature(Protocol[T_co]):
    """One feature's providers, as the composition root groups them."""

    @property
    def container(self) -> T_co: ...


class HttpSettings(Protocol):
    """The settings the app factory reads once, at start-up."""

    @property
    def default_domain(self) -> str: ...

    @property
    def trusted_proxies(self) -> tuple[Network, ...]: ...

    @property
    def billing_plans(self) -> tuple[Plan, ...]: ...

    # Read by the web pages (adapters/web): cookies' Secure flag, CSRF origin, NIP-46 relays.
    @property
    def public_url(self) -> str: ...

    @property
    def is_development(self) -> bool: ...

    @property
    def nip46_relay_urls(self) -> tuple[str, ...]: ...


class CoreServices(Protocol):
    @property
    def check_readiness(self) -> Callable[[], CheckReadiness]: ...
    @property
    def metrics_registry(self) -> Callable[[], CollectorRegistry]: ...
    @property
    def metrics_exposition(self) -> Callable[[], CollectorRegistry]: ...
    @property
    def public_url(self) -> Callable[[], str]: ...
    @property
    def csrf_secret(self) -> Callable[[], str]: ...


class WotServices(Protocol):
    @property
    def compute_wot_figures(self) -> Callable[[], ComputeWotFigures]: ...
    @property
    def compute_wot_figures_batch(self) -> Callable[[], ComputeWotFiguresBatch]: ...
    @property
    def compute_viewer_figures(self) -> Callable[[], ComputeViewerFigures]: ...
    @property
    def compute_viewer_figures_batch(self) -> Callable[[], ComputeViewerFiguresBatch]: ...
    @property
    def explain_wot_figures(self) -> Callable[[], ExplainFigures]: ...
    @property
    def publish_wot_assertion(self) -> Callable[[], PublishAssertion]: ...
    @property
    def describe_wot_provider(self) -> Callable[[], DescribeProvider]: ...


class AuthServices(Protocol):
    @property
    def authenticate(self) -> Callable[[], Authenticate]: ...
    @property
    def issue_challenge(self) -> Callable[[], IssueChallenge]: ...
    @property
    def login(self) -> Callable[[], Login]: ...
    @property
    def get_me(self) -> Callable[[], GetMe]: ...
    @property
    def refresh_session(self) -> Callable[[], RefreshSession]: ...
    @property
    def sign_out(self) -> Callable[[], SignOut]: ...
    @property
    def sign_out_everywhere(self) -> Callable[[], SignOutEverywhere]: ...
    @property
    def revoke_session(self) -> Callable[[], RevokeSession]: ...
    @property
    def list_sessions(self) -> Callable[[], ListSessions]: ...
    @property
    def change_role(self) -> Callable[[], ChangeRole]: ...
    @property
    def start_lnurl_auth(self) -> Callable[[], StartLnurlAuth]: ...
    @property
    def redeem_lnurl_auth(self) -> Callable[[], RedeemLnurlAuth]: ...
    @property
    def poll_lnurl_auth(self) -> Callable[[], PollLnurlAuth]: ...
    @property
    def list_wallets(self) -> Callable[[], ListWallets]: ...
    @property
    def unlink_wallet(self) -> Callable[[], UnlinkWallet]: ...


class ApiKeyServices(Protocol):
    @property
    def create_api_key(self) -> Callable[[], CreateApiKey]: ...
    @property
    def list_api_keys(self) -> Callable[[], ListApiKeys]: ...
    @property
    def revoke_api_key(self) -> Callable[[], RevokeApiKey]: ...
    @property
    def get_api_key_usage(self) -> Callable[[], GetApiKeyUsage]: ...
    # Read by the rate-limiting middleware on every /api/ request.
    @property
    def api_key_verifier(self) -> Callable[[], VerifyApiKey]: ...
    @property
    def rate_policies(self) -> Callable[[], RatePolicies]: ...
    @property
    def limit_rate(self) -> Callable[[], LimitRate]: ...
    @property
    def meter_api_key_use(self) -> Callable[[], MeterApiKeyUse]: ...


class NameServices(Protocol):
    @property
    def register_name(self) -> Callable[[], RegisterName]: ...
    @property
    def list_names(self) -> Callable[[], ListNames]: ...
    @property
    def update_name(self) -> Callable[[], UpdateName]: ...
    @property
    def offer_name(self) -> Callable[[], OfferName]: ...
    @property
    def list_offers(self) -> Callable[[], ListOffers]: ...
    @property
    def cancel_offer(self) -> Callable[[], CancelOffer]: ...
    @property
    def accept_offer(self) -> Callable[[], AcceptOffer]: ...
    @property
    def release_name(self) -> Callable[[], ReleaseName]: ...
    @property
    def check_name_availability(self) -> Callable[[], CheckNameAvailability]: ...
    @property
    def add_domain(self) -> Callable[[], AddDomain]: ...
    @property
    def list_domains(self) -> Callable[[], ListDomains]: ...
    @property
    def verify_domain(self) -> Callable[[], VerifyDomain]: ...
    @property
    def remove_domain(self) -> Callable[[], RemoveDomain]: ...
    # Read by the nostr.json endpoint, outside the router.
    @property
    def nostr_json_directory(self) -> Callable[[], NostrJsonDirectory]: ...


class AdminServices(Protocol):
    @property
    def list_users(self) -> Callable[[], ListUsers]: ...
    @property
    def set_suspension(self) -> Callable[[], SetSuspension]: ...
    @property
    def suspend_name(self) -> Callable[[], SuspendName]: ...
    @property
    def read_audit_log(self) -> Callable[[], ReadAuditLog]: ...


class BillingServices(Protocol):
    @property
    def list_plans(self) -> Callable[[], ListPlans]: ...
    @property
    def start_subscription(self) -> Callable[[], StartSubscription]: ...
    @property
    def get_current_subscription(self) -> Callable[[], GetCurrentSubscription]: ...
    @property
    def cancel_subscription(self) -> Callable[[], CancelSubscription]: ...
    @property
    def get_payment(self) -> Callable[[], GetPayment]: ...
    @property
    def get_receipt(self) -> Callable[[], GetReceipt]: ...
    @property
    def fake_settle(self) -> Callable[[], FakeSettle]: ...
    @property
    def handle_webhook(self) -> Callable[[], HandleWebhook]: ...
    @property
    def refund_payment(self) -> Callable[[], RefundPayment]: ...
    @property
    def comp_subscription(self) -> Callable[[], CompSubscription]: ...
    @property
    def payment_names(self) -> Callable[[], list[str]]: ...


class ZapServices(Protocol):
    @property
    def connect_wallet(self) -> Callable[[], ConnectWallet]: ...
    @property
    def show_wallet(self) -> Callable[[], ShowWallet]: ...
    @property
    def disconnect_wallet(self) -> Callable[[], DisconnectWallet]: ...
    @property
    def describe_address(self) -> Callable[[], DescribeAddress]: ...
    @property
    def request_invoice(self) -> Callable[[], RequestInvoice]: ...
    @property
    def verify_invoice(self) -> Callable[[], VerifyInvoice]: ...


class KeyRotationServices(Protocol):
    @property
    def rotate_key(self) -> Callable[[], RotateKey]: ...
    @property
    def request_key_recovery(self) -> Callable[[], RequestKeyRecovery]: ...
    @property
    def cancel_key_recovery(self) -> Callable[[], CancelKeyRecovery]: ...


class ReminderServices(Protocol):
    @property
    def set_reminders(self) -> Callable[[], SetReminders]: ...


class HttpServices(CoreServices, Protocol):
    """Everything `create_app` takes from the composition root."""

    @property
    def settings(self) -> Callable[[], HttpSettings]: ...
    @property
    def wot(self) -> Feature[WotServices]: ...
    @property
    def auth(self) -> Feature[AuthServices]: ...
    @property
    def api_keys(self) -> Feature[ApiKeyServices]: ...
    @property
    def names(self) -> Feature[NameServices]: ...
    @property
    def admin(self) -> Feature[AdminServices]: ...
    @property
    def billing(self) -> Feature[BillingServices]: ...
    @property
    def zaps(self) -> Feature[ZapServices]: ...
    @property
    def key_rotation(self) -> Feature[KeyRotationServices]: ...
    @property
    def reminders(self) -> Feature[ReminderServices]: ...

    def init_resources(self) -> Awaitable[None] | None: ...

    def shutdown_resources(self) -> Awaitable[None] | None: ...


def _members(protocol: type) -> list[str]:
    """The names a Protocol declares, its own and its bases'."""
    return [
        name for cls in protocol.__mro__ for name, value in vars(cls).items() if isinstance(value, property)
    ]


def _features() -> Iterator[tuple[str, type]]:
    for name in _members(HttpServices):
        returned = get_type_hints(getattr(HttpServices, name).fget)["return"]
        if get_origin(returned) is Feature:
            yield name, get_args(returned)[0]


def dependency_keys(services: HttpServices) -> dict[str, Callable[[], object]]:
    """Each handler dependency key and the provider that answers it: the members of
    `CoreServices` and of each feature's Protocol, by their names."""
    keys: dict[str, Callable[[], object]] = {name: getattr(services, name) for name in _members(CoreServices)}
    for feature_name, protocol in _features():
        feature = getattr(services, feature_name).container
        for name in _members(protocol):
            if name in keys:
                raise ValueError(f"two services answer the dependency key {name!r}")
            keys[name] = getattr(feature, name)
    return keys
