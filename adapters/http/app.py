"""The Litestar application factory. It receives the container; it never builds one."""

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.static_files import create_static_files_router

from adapters.http.admin import AdminController
from adapters.http.admin_users import AdminUsersController
from adapters.http.allow import allow_every_method
from adapters.http.api_keys import ApiKeysController
from adapters.http.auth import AuthController
from adapters.http.billing import AdminBillingController, BillingController
from adapters.http.body import decode_json_body
from adapters.http.client_ip import TrustedProxies, resolving_client
from adapters.http.edge import REQUEST_ID_HEADER, edge
from adapters.http.health import HealthController
from adapters.http.lightning_address import LightningAddressController, WalletConnectionController
from adapters.http.lnurl import LnurlController
from adapters.http.me import me
from adapters.http.metrics import HttpMetrics, metrics_route
from adapters.http.names import DomainsController, NamesController
from adapters.http.nostr_json import (
    NostrJsonEndpoint,
    document_nostr_json,
    nostr_json_fast_path,
    nostr_json_route,
)
from adapters.http.openapi import ClosedStructSchemaPlugin, document_choices, document_links
from adapters.http.principal import PRINCIPAL_DEPENDENCIES
from adapters.http.problems import EXCEPTION_HANDLERS
from adapters.http.rate_limits import RateLimiting
from adapters.http.wallets import WalletController
from adapters.http.wot import WotController

STATIC_DIR = Path(__file__).parent / "static"
# Browsers at any origin may call the API: credentials are headers (bearer, NIP-98, API key), never cookies.
CORS = CORSConfig(
    allow_origins=["*"],
    allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allow_headers=["Authorization", "X-API-Key", "Content-Type", REQUEST_ID_HEADER],
    expose_headers=[
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        REQUEST_ID_HEADER,
    ],
    allow_credentials=False,
    max_age=600,
)
# The docs page loads only what we serve: Redoc from static/, no web fonts, no outside favicon.
DOCS = RedocRenderPlugin(
    path="/",
    js_url="/static/redoc/redoc.standalone.js",
    google_fonts=False,
    favicon="<link rel='icon' href='data:,'>",
)

# Dependency key seen by handlers -> name of the container provider that supplies it.
DEPENDENCIES = {
    "check_readiness": "check_readiness",
    "metrics_registry": "metrics_registry",
    "metrics_exposition": "metrics_exposition",
    "compute_wot_figures": "compute_wot_figures",
    "compute_wot_figures_batch": "compute_wot_figures_batch",
    "compute_viewer_figures": "compute_viewer_figures",
    "compute_viewer_figures_batch": "compute_viewer_figures_batch",
    "explain_wot_figures": "explain_wot_figures",
    "publish_wot_assertion": "publish_wot_assertion",
    "describe_wot_provider": "describe_wot_provider",
    "authenticate": "authenticate",
    "public_url": "public_url",
    "issue_challenge": "issue_challenge",
    "login": "login",
    "get_me": "get_me",
    "register_name": "register_name",
    "list_names": "list_names",
    "update_name_relays": "update_name_relays",
    "release_name": "release_name",
    "check_name_availability": "check_name_availability",
    "add_domain": "add_domain",
    "list_domains": "list_domains",
    "verify_domain": "verify_domain",
    "remove_domain": "remove_domain",
    "list_users": "list_users",
    "set_suspension": "set_suspension",
    "change_role": "change_role",
    "suspend_name": "suspend_name",
    "read_audit_log": "read_audit_log",
    "create_api_key": "create_api_key",
    "list_api_keys": "list_api_keys",
    "revoke_api_key": "revoke_api_key",
    "get_api_key_usage": "get_api_key_usage",
    "start_lnurl_auth": "start_lnurl_auth",
    "redeem_lnurl_auth": "redeem_lnurl_auth",
    "poll_lnurl_auth": "poll_lnurl_auth",
    "list_wallets": "list_wallets",
    "unlink_wallet": "unlink_wallet",
    "refresh_session": "refresh_session",
    "sign_out": "sign_out",
    "sign_out_everywhere": "sign_out_everywhere",
    "revoke_session": "revoke_session",
    "list_sessions": "list_sessions",
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
    # Lightning addresses and zaps (adapters/http/lightning_address.py).
    "connect_wallet": "connect_wallet",
    "show_wallet": "show_wallet",
    "disconnect_wallet": "disconnect_wallet",
    "describe_address": "describe_address",
    "request_invoice": "request_invoice",
    "verify_invoice": "verify_invoice",
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
            http_metrics.flush()
            stopped = container.shutdown_resources()
            if inspect.isawaitable(stopped):
                await stopped

    http_metrics = HttpMetrics(container.metrics_registry())
    nostr_json = NostrJsonEndpoint(container.nostr_json_directory, container.settings().default_domain)
    rate_limiting = RateLimiting(container, container.metrics_registry())
    app = Litestar(
        route_handlers=[
            HealthController,
            WotController,
            metrics_route(http_metrics),
            NamesController,
            DomainsController,
            AdminController,
            nostr_json_route(nostr_json),
            me,
            AuthController,
            AdminUsersController,
            ApiKeysController,
            LnurlController,
            WalletController,
            BillingController,
            AdminBillingController,
            WalletConnectionController,
            LightningAddressController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        dependencies={
            **{key: from_container(getattr(container, name)) for key, name in DEPENDENCIES.items()},
            **PRINCIPAL_DEPENDENCIES,
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[rate_limiting.middleware],
        plugins=[ClosedStructSchemaPlugin()],
        before_request=decode_json_body,
        cors_config=CORS,
        # Brotli when the client accepts it, else gzip; answers under 500 bytes go as they are.
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=500),
        lifespan=[lifespan],
        # Logging is set up once by the process (text or JSON lines), not replaced by the framework's own.
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="nostr-id", version="0.1.0", path="/schema", render_plugins=[DOCS]
        ),
        debug=debug,
    )
    document_nostr_json(app.openapi_schema)
    plans = container.settings().billing_plans
    document_choices(
        app.openapi_schema,
        {
            ("CheckoutRequest", "plan_id"): [plan.id for plan in plans if not plan.is_free],
            ("CheckoutRequest", "provider"): container.payment_names(),
            ("CompRequest", "plan_id"): [plan.id for plan in plans],
        },
    )
    document_links(app.openapi_schema)
    app.asgi_handler = allow_every_method(app.asgi_handler, app.routes)
    # Outside the router, so 404, 405 and CORS preflight answers get a request id and are counted too.
    app.asgi_handler = edge(app.asgi_handler, http_metrics)
    # The client's address is resolved once, before the edge logs it and the rate limiter charges it.
    trusted_proxies = TrustedProxies(container.settings().trusted_proxies)
    app.asgi_handler = resolving_client(app.asgi_handler, trusted_proxies)
    # In front of the router and the edge: nostr.json is the hottest path (adapters/http/nostr_json.py).
    app.asgi_handler = nostr_json_fast_path(app.asgi_handler, nostr_json, http_metrics)
    return app
