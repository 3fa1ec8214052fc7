"""The web adapter's part of the app: its router, templates and the headers every page carries."""

from pathlib import Path
from typing import Any, Protocol

from litestar import Request, Router
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp

from adapters.web.account import AccountPages, account_view
from adapters.web.admin import AdminPages, admin_view
from adapters.web.domains import DomainPages, domains_view
from adapters.web.home import HomePage
from adapters.web.key_move import KeyMovePages
from adapters.web.keys import KeyPages, keys_view
from adapters.web.payments import PaymentPages, payment_view
from adapters.web.plans import PlanPages, plans_view
from adapters.web.security import (
    content_security_policy,
    csrf_config,
    same_origin_guard,
    with_security_headers,
)
from adapters.web.session import BROWSER_DEPENDENCIES, SIGN_IN_PAGE, BrowserCookies, SignInRequired
from adapters.web.signin import SignInPages
from adapters.web.trust import TrustPages
from domain.billing.plans import Plan

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
ASSETS_PATH = "/assets"
TEMPLATES = TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine)
PAGES: list[type] = [
    HomePage,
    SignInPages,
    AccountPages,
    DomainPages,
    PlanPages,
    PaymentPages,
    KeyPages,
    KeyMovePages,
    TrustPages,
    AdminPages,
]


class WebSettings(Protocol):
    """The settings the pages read once, at start-up."""

    @property
    def public_url(self) -> str: ...

    @property
    def is_development(self) -> bool: ...

    @property
    def nip46_relay_urls(self) -> tuple[str, ...]: ...

    @property
    def billing_plans(self) -> tuple[Plan, ...]: ...

    @property
    def default_domain(self) -> str: ...


def _to_sign_in(_: Request[Any, Any, Any], __: SignInRequired) -> Redirect:
    return Redirect(SIGN_IN_PAGE, status_code=303)


def web_router(settings: WebSettings, csrf_secret: str) -> Router:
    """Every page and its assets. State-changing requests need the CSRF token and our origin."""
    secure = not settings.is_development
    cookies = BrowserCookies(secure=secure)
    return Router(
        path="/",
        route_handlers=[
            *PAGES,
            create_static_files_router(path=ASSETS_PATH, directories=[STATIC_DIR], include_in_schema=False),
        ],
        dependencies={
            **BROWSER_DEPENDENCIES,
            "account_view": Provide(account_view),
            "domains_view": Provide(domains_view),
            "plans_view": Provide(plans_view),
            "payment_view": Provide(payment_view),
            "keys_view": Provide(keys_view),
            "admin_view": Provide(admin_view),
            "browser_cookies": Provide(lambda: cookies, sync_to_thread=False),
            "nip46_relays": Provide(lambda: settings.nip46_relay_urls, sync_to_thread=False),
            "billing_plans": Provide(lambda: settings.billing_plans, sync_to_thread=False),
            "default_domain": Provide(lambda: settings.default_domain, sync_to_thread=False),
        },
        guards=[same_origin_guard(settings.public_url)],
        middleware=[
            cookies.renewing,
            DefineMiddleware(CSRFMiddleware, config=csrf_config(csrf_secret, secure=secure)),
        ],
        exception_handlers={SignInRequired: _to_sign_in},
        include_in_schema=False,
    )


def with_page_headers(app: ASGIApp, settings: WebSettings) -> ASGIApp:
    """The app with the pages' security headers; the NIP-46 relays are the only other address a
    page's script may reach."""
    return with_security_headers(app, content_security_policy(settings.nip46_relay_urls))
