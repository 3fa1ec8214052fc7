"""The Litestar application factory. It receives the services it needs (`HttpServices`, played by
the container); it never builds them."""

import inspect
from collections.abc import AsyncIterator, Callable
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
from adapters.http.key_rotation import KeyRotationController
from adapters.http.lightning_address import LightningAddressController, WalletConnectionController
from adapters.http.lnurl import LnurlController
from adapters.http.me import me, patch_me
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
from adapters.http.services import HttpServices, dependency_keys
from adapters.http.wallets import WalletController
from adapters.http.wot import WotController
from adapters.web.home import READ_PAGES
from adapters.web.router import TEMPLATES, web_router, with_page_headers
from adapters.web.signin import SIGN_IN_PAGES
from adapters.web.trust import TRUST_FIGURES

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


def from_container(provider: Callable[[], Any]) -> Provide:
    """Bridges a dependency-injector provider into Litestar, looked up per request so overrides apply."""

    async def dependency() -> Any:
        result = provider()
        return await result if inspect.isawaitable(result) else result

    return Provide(dependency)


def create_app(services: HttpServices, *, debug: bool = False) -> Litestar:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        started = services.init_resources()
        if inspect.isawaitable(started):
            await started
        try:
            yield
        finally:
            http_metrics.flush()
            stopped = services.shutdown_resources()
            if inspect.isawaitable(stopped):
                await stopped

    settings = services.settings()
    http_metrics = HttpMetrics(services.metrics_registry())
    nostr_json = NostrJsonEndpoint(services.names.container.nostr_json_directory, settings.default_domain)
    api_keys = services.api_keys.container
    rate_limiting = RateLimiting(
        limit_rate=api_keys.limit_rate,
        api_key_verifier=api_keys.api_key_verifier,
        rate_policies=api_keys.rate_policies,
        meter_api_key_use=api_keys.meter_api_key_use,
        registry=services.metrics_registry(),
        sign_in_pages=SIGN_IN_PAGES,
        read_pages=READ_PAGES,
        read_page_prefixes=(TRUST_FIGURES,),
    )
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
            patch_me,
            KeyRotationController,
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
            web_router(settings, services.csrf_secret()),
        ],
        template_config=TEMPLATES,
        dependencies={
            **{key: from_container(provider) for key, provider in dependency_keys(services).items()},
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
    plans = settings.billing_plans
    document_choices(
        app.openapi_schema,
        {
            ("CheckoutRequest", "plan_id"): [plan.id for plan in plans if not plan.is_free],
            ("CheckoutRequest", "provider"): services.billing.container.payment_names(),
            ("CompRequest", "plan_id"): [plan.id for plan in plans],
        },
    )
    document_links(app.openapi_schema)
    app.asgi_handler = allow_every_method(app.asgi_handler, app.routes)
    # Outside the router, so 404, 405 and CORS preflight answers get a request id and are counted too.
    app.asgi_handler = with_page_headers(app.asgi_handler, settings)
    app.asgi_handler = edge(app.asgi_handler, http_metrics)
    # The client's address is resolved once, before the edge logs it and the rate limiter charges it.
    trusted_proxies = TrustedProxies(settings.trusted_proxies)
    app.asgi_handler = resolving_client(app.asgi_handler, trusted_proxies)
    # In front of the router and the edge: nostr.json is the hottest path (adapters/http/nostr_json.py).
    app.asgi_handler = nostr_json_fast_path(app.asgi_handler, nostr_json, http_metrics)
    return app
