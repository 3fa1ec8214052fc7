"""The HTTP app of a container. The container plays the HTTP adapter's `HttpServices`; mypy checks
that it does here, so a use case a handler needs and the container lacks fails the type check."""

from litestar import Litestar

from adapters.http.app import create_app
from adapters.http.services import (
    AdminServices,
    ApiKeyServices,
    AuthServices,
    BillingServices,
    HttpServices,
    NameServices,
    WotServices,
    ZapServices,
)
from bootstrap.container import Container
from bootstrap.wiring.admin import AdminContainer
from bootstrap.wiring.api_keys import ApiKeysContainer
from bootstrap.wiring.auth import AuthContainer
from bootstrap.wiring.billing import BillingContainer
from bootstrap.wiring.names import NamesContainer
from bootstrap.wiring.wot import WotContainer
from bootstrap.wiring.zaps import ZapsContainer


def http_services(container: Container) -> HttpServices:
    return container


def feature_services(
    wot: WotContainer,
    auth: AuthContainer,
    api_keys: ApiKeysContainer,
    names: NamesContainer,
    admin: AdminContainer,
    billing: BillingContainer,
    zaps: ZapsContainer,
) -> tuple[
    WotServices, AuthServices, ApiKeyServices, NameServices, AdminServices, BillingServices, ZapServices
]:
    """Each feature container plays its part; checked here too, so that mypy's incremental runs
    check again when a feature's wiring changes."""
    return wot, auth, api_keys, names, admin, billing, zaps


def app_of(container: Container, *, debug: bool = False) -> Litestar:
    return create_app(http_services(container), debug=debug)
