CREATE TABLE host_webhook_deliveries (
    id {{id}} PRIMARY KEY,
    plugin_id {{id}} NOT NULL,
    team_id {{id}} NULL,
    subscription_id {{id}} NULL,
    url {{text}} NOT NULL,
    event_type {{string}} NOT NULL,
    payload {{text}} NOT NULL,
    headers {{text}} NULL,
    secret {{text}} NOT NULL,
    status {{string}} NOT NULL,
    attempts {{int}} NOT NULL,
    next_attempt_at {{timestamp}} NOT NULL,
    last_attempt_at {{timestamp}} NULL,
    last_status_code {{int}} NULL,
    last_error {{text}} NULL,
    created_at {{timestamp}} NOT NULL,
    delivered_at {{timestamp}} NULL
);

CREATE INDEX host_webhook_deliveries_due ON host_webhook_deliveries (status, next_attempt_at);
CREATE INDEX host_webhook_deliveries_owner ON host_webhook_deliveries (plugin_id, subscription_id);
