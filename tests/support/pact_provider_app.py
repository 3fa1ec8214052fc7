"""The app under provider verification: the real container and app, its clock frozen at the
contract's time. Served by granian as a factory:

    granian --interface asgi --factory tests.support.pact_provider_app:app
"""

import os

from litestar import Litestar

from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.shared.clock import FixedClock
from tests.contract.api_states import NOW


def app() -> Litestar:
    container = Container(settings=load_settings(os.environ))
    container.clock.override(FixedClock(NOW))
    return create_app(container)
