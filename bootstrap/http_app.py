"""The HTTP app of a container. The container plays the HTTP adapter's `HttpServices`; mypy checks
that it does here, so a use case a handler needs and the container lacks fails the type check."""

from litestar import Litestar

from adapters.http.app import create_app
from adapters.http.services import HttpServices
from bootstrap.container import Container


def http_services(container: Container) -> HttpServices:
    return container


def app_of(container: Container, *, debug: bool = False) -> Litestar:
    return create_app(http_services(container), debug=debug)
