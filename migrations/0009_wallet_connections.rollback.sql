DROP TABLE zap_invoices;

DROP TABLE wallet_connections;
