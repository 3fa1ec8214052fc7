"""Names vulture cannot see used: each is reached only by a framework, a server or a wire format."""

from adapters.http.billing_models import PlanResponse
from adapters.http.names import OfferResponse
from adapters.relay.frames import CountResult
from adapters.web.signin import SignInOutcome
from bootstrap.container import Container
from client.api import NostrIdClient
from client.models import Plan

# Fields msgspec encodes into an answer or decodes from a frame; no Python code reads them.
PlanResponse.features
OfferResponse.to_npub
Plan.features
CountResult.approximate
SignInOutcome.location

# ASGI app factories granian imports by their dotted name.
from bench.auth_app import create_bench_app
from bench.wot_burst import burst_app
from bootstrap.asgi import app_from_environment

create_bench_app, burst_app, app_from_environment

# prometheus_client's value store, replaced once the multiprocess directory is set.
_.ValueClass

# Container resources started by the app's lifespan (init_resources).
Container.usage_flusher
Container.job_runs_refresher
Container.wot_seeds_watch
Container.zap_watcher

# The seam check: read by mypy (bootstrap/http_app.py), never called.
from bootstrap.http_app import feature_services

feature_services

# The client's public methods: what a consumer of the `client` package calls.
NostrIdClient.logout_all
NostrIdClient.suspend_user
NostrIdClient.unsuspend_user
NostrIdClient.set_role

# pytest reads the session's exit status after pytest_sessionfinish.
_.exitstatus

# OpenAPI schema attributes Litestar serialises into /schema.
_.additional_properties
_.enum

# schemathesis calls its hooks by name.
from tests.support.schemathesis_hooks import after_call

after_call

# schemathesis passes each hook its context.
_.context

# Fields of NIP-47 answers and LUD-06 pay requests, encoded or decoded by msgspec.
from adapters.nwc.messages import Nip47Response
from domain.zaps.pay_request import PayRequest

Nip47Response.result_type
PayRequest.allows_nostr
PayRequest.nostr_pubkey

# Scopes an API key may hold, parsed from their values.
from domain.api_keys.keys import ApiKeyScope

ApiKeyScope.WOT_PUBLISH

# Fields the page templates read (plans, payments, API keys, admin).
from adapters.web.admin import EntryView, UserView
from adapters.web.keys import KeyView
from adapters.web.plans import PlanView

UserView.is_suspended
EntryView.when
KeyView.last_used
KeyView.usage_sentence
KeyView.usage_days
PlanView.list_sats
PlanView.list_usd
PlanView.price_usd

# http.server calls a handler's do_<METHOD> and log_message (the stand-in for Stripe's API).
from tests.integration.web.test_card_return_address import StripeStandIn

StripeStandIn.do_POST
StripeStandIn.log_message
