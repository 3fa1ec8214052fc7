"""Helpers for NIP-05 tests: a container on the test database and namespaced Redis, and users."""

from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from dependency_injector import providers

from bench.support import serving as served_in_process
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.auth.users import User, UserRole
from tests import builders
from tests.support.plans import ROOMY_PLANS_ENV

DEFAULT_DOMAIN = "id.nostr-id.test"


def names_container(postgres_dsn: str, cache: Any, **env: str) -> Container:
    settings = load_settings(
        {
            "DATABASE_URL": postgres_dsn,
            "RELAY_URLS": "memory://",
            "DEFAULT_DOMAIN": DEFAULT_DOMAIN,
            "BILLING_PLANS": ROOMY_PLANS_ENV,
            **env,
        }
    )
    container = Container(settings=settings)
    if cache is not None:
        container.cache.override(providers.Object(cache))
    return container


async def add_user(container: Container, role: UserRole = UserRole.USER) -> User:
    user = builders.user(role=role)
    async with container.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


def serving(container: Container) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The app `nostr-id serve` builds, on this test's event loop, with its resources started."""
    return served_in_process(container, base_url="http://testserver")
