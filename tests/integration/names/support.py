"""Helpers for NIP-05 tests: a container on the test database and namespaced Redis, and users."""

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from dependency_injector import providers

from adapters.http.app import create_app
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


@asynccontextmanager
async def serving(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The app `nostr-id serve` builds, on this test's event loop, with its resources started."""
    started = container.init_resources()
    if inspect.isawaitable(started):
        await started
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stopped = container.shutdown_resources()
        if inspect.isawaitable(stopped):
            await stopped
