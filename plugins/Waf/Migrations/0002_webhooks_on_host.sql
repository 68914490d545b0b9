-- Webhook delivery and its log moved to the host's webhook service (host_webhook_deliveries);
-- signing secrets are kept encrypted by the host's key ring (protected_secret), no longer in plain text.
ALTER TABLE waf_webhooks ADD protected_secret {{text}} NULL;
DROP TABLE waf_webhook_deliveries;
