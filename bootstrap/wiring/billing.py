"""Billing wiring: plans, subscriptions, payments through the configured providers, and the jobs."""

from datetime import timedelta

from dependency_injector import containers, providers

from application.billing.admin import CompSubscription, RefundPayment
from application.billing.jobs import EndSubscriptions, ExpireUnpaidInvoices, SuspendLapsedNames
from application.billing.payments import FakeSettle, GetPayment, GetReceipt, HandleWebhook
from application.billing.plans import GetQuotas, ListPlans, WotDiscount
from application.billing.settle import AccountPlanChanges, ApplyInvoiceState
from application.billing.subscribe import CancelSubscription, GetCurrentSubscription, StartSubscription
from application.names.changes import ForgetServedNames
from bootstrap.payments import fake_payment_provider, offered_payment_names
from bootstrap.payments import payment_providers as configured_payment_providers
from bootstrap.settings import Settings

# How long a price waits for the buyer's WoT discount before charging the list price.
WOT_DISCOUNT_DEADLINE = 1.0


def grace_period(settings: Settings) -> timedelta:
    return timedelta(days=settings.billing_grace_days)


def is_production(settings: Settings) -> bool:
    return settings.environment == "production"


class BillingContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    cache = providers.Dependency()
    clock = providers.Dependency()
    unit_of_work = providers.Dependency()
    plan_catalog = providers.Dependency()
    compute_wot_figures = providers.Dependency()
    api_key_plan_changes = providers.Dependency()
    name_changes = providers.Dependency()

    # What follows a change of plans, once committed: API keys' rates, and the names nostr.json serves.
    forget_served_names = providers.Factory(ForgetServedNames, unit_of_work.provider, name_changes)
    plan_changes = providers.Factory(AccountPlanChanges, api_key_plan_changes, forget_served_names)

    # The fake provider keeps its invoices in the cache, so every process of a fleet sees them.
    fake_payments = providers.Singleton(fake_payment_provider, settings, clock, cache)
    payment_providers = providers.Singleton(configured_payment_providers, settings, fake_payments)
    # What `/schema` offers to order with: the names alone, so building the app builds no provider.
    payment_names = providers.Callable(offered_payment_names, settings)
    wot_discount = providers.Factory(WotDiscount, compute_wot_figures, deadline=WOT_DISCOUNT_DEADLINE)
    list_plans = providers.Factory(ListPlans, plan_catalog, wot_discount)
    get_quotas = providers.Factory(GetQuotas, unit_of_work.provider, plan_catalog, clock)
    apply_invoice_state = providers.Factory(
        ApplyInvoiceState, unit_of_work.provider, plan_catalog, clock, plan_changes
    )
    start_subscription = providers.Factory(
        StartSubscription,
        uow=unit_of_work.provider,
        catalog=plan_catalog,
        providers=payment_providers,
        discount=wot_discount,
        clock=clock,
        public_url=settings.provided.public_url,
        default_domain=settings.provided.default_domain,
    )
    get_current_subscription = providers.Factory(GetCurrentSubscription, unit_of_work.provider)
    cancel_subscription = providers.Factory(CancelSubscription, unit_of_work.provider, clock)
    get_payment = providers.Factory(GetPayment, unit_of_work.provider)
    get_receipt = providers.Factory(GetReceipt, get_payment)
    handle_webhook = providers.Factory(HandleWebhook, payment_providers, apply_invoice_state, clock)
    fake_settle = providers.Factory(
        FakeSettle,
        get_payment,
        payment_providers,
        fake_payments,
        apply_invoice_state,
        production=providers.Callable(is_production, settings),
    )
    refund_payment = providers.Factory(RefundPayment, unit_of_work.provider, clock)
    comp_subscription = providers.Factory(
        CompSubscription, unit_of_work.provider, plan_catalog, clock, plan_changes
    )
    expire_unpaid_invoices = providers.Factory(
        ExpireUnpaidInvoices, unit_of_work.provider, payment_providers, apply_invoice_state, clock
    )
    end_subscriptions = providers.Factory(EndSubscriptions, unit_of_work.provider, clock, plan_changes)
    suspend_lapsed_names = providers.Factory(
        SuspendLapsedNames,
        unit_of_work.provider,
        plan_catalog,
        clock,
        providers.Callable(grace_period, settings),
        forget_served_names,
    )
