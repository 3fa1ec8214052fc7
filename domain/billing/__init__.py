"""Billing rules: plans and their quotas, prices with the Web-of-Trust discount."""
