"""Payment providers behind the PaymentProvider port: BTCPay Server, LNbits, Stripe, and a fake."""
