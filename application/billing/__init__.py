"""Billing use cases: plans and quotas, subscriptions, payments, webhooks and the billing jobs."""
