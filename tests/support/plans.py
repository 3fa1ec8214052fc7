"""Plans for tests about names and domains rather than quotas: the default plans, with a free plan
roomy enough that one free user may hold several names and custom domains."""

import msgspec

from domain.billing.plans import DEFAULT_PLANS, Quotas

ROOMY_FREE_QUOTAS = Quotas(names=20, custom_domains=10, api_requests_per_minute=1_000_000)
ROOMY_PLANS = tuple(
    msgspec.structs.replace(plan, quotas=ROOMY_FREE_QUOTAS) if plan.is_free else plan
    for plan in DEFAULT_PLANS
)
# The same, as the BILLING_PLANS environment variable carries them.
ROOMY_PLANS_ENV = msgspec.json.encode(ROOMY_PLANS).decode()
