"""The Litestar application factory. It receives the container; it never builds one."""

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from adapters.http.admin_users import AdminUsersController
from adapters.http.auth import AuthController
from adapters.http.billing import AdminBillingController, BillingController
from adapters.http.health import HealthController
from adapters.http.me import me
from adapters.http.metrics import HttpMetrics, metrics
from adapters.http.principal import PRINCIPAL_DEPENDENCIES
from adapters.http.problems import EXCEPTION_HANDLERS
from adapters.http.wot import WotController

# Dependency key seen by handlers -> name of the container provider that supplies it.
DEPENDENCIES = {
    "check_readiness": "check_readiness",
    "metrics_registry": "metrics_registry",
    "compute_wot_score": "compute_wot_score",
    "compute_wot_scores": "compute_wot_scores",
    "authenticate": "authenticate",
    "public_url": "public_url",
    "issue_challenge": "issue_challenge",
    "login": "login",
    "get_me": "get_me",
    "refresh_session": "refresh_session",
    "sign_out": "sign_out",
    "sign_out_everywhere": "sign_out_everywhere",
    "revoke_session": "revoke_session",
    "list_sessions": "list_sessions",
    "change_role": "change_role",
    "set_suspension": "set_suspension",
    "list_plans": "list_plans",
    "start_subscription": "start_subscription",
    "get_current_subscription": "get_current_subscription",
    "cancel_subscription": "cancel_subscription",
    "get_payment": "get_payment",
    "get_receipt": "get_receipt",
    "fake_settle": "fake_settle",
    "handle_webhook": "handle_webhook",
    "refund_payment": "refund_payment",
    "comp_subscription": "comp_subscription",
}


def from_container(provider: Any) -> Provide:
    """Bridges a dependency-injector provider into Litestar, looked up per request so overrides apply."""

    async def dependency() -> Any:
        result = provider()
        return await result if inspect.isawaitable(result) else result

    return Provide(dependency)


def create_app(container: Any, *, debug: bool = False) -> Litestar:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        started = container.init_resources()
        if inspect.isawaitable(started):
            await started
        try:
            yield
        finally:
            stopped = container.shutdown_resources()
            if inspect.isawaitable(stopped):
                await stopped

    http_metrics = HttpMetrics(container.metrics_registry())
    return Litestar(
        route_handlers=[
            HealthController,
            WotController,
            metrics,
            me,
            AuthController,
            AdminUsersController,
            BillingController,
            AdminBillingController,
        ],
        dependencies={
            **{key: from_container(getattr(container, name)) for key, name in DEPENDENCIES.items()},
            **PRINCIPAL_DEPENDENCIES,
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[http_metrics.middleware],
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(title="nostr-id", version="0.1.0", path="/schema"),
        debug=debug,
    )
