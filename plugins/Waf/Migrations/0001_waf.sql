CREATE TABLE waf_rules (
    id {{id}} PRIMARY KEY,
    pattern {{text}} NOT NULL,
    action {{string}} NOT NULL,
    severity {{string}} NOT NULL,
    targets {{string}} NOT NULL,
    tags {{text}} NOT NULL,
    hits {{bigint}} NOT NULL,
    created_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE waf_default_rules (
    rule_id {{string}} PRIMARY KEY,
    enabled {{bigint}} NOT NULL,
    hits {{bigint}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE TABLE waf_blacklist (
    id {{id}} PRIMARY KEY,
    network {{string}} NOT NULL,
    reason {{text}} NOT NULL,
    created_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NULL
);
CREATE INDEX waf_blacklist_expires ON waf_blacklist (expires_at);

CREATE TABLE waf_policies (
    id {{id}} PRIMARY KEY,
    name {{string}} NOT NULL UNIQUE,
    rules_json {{text}} NOT NULL,
    created_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL,
    deployed_at {{timestamp}} NOT NULL
);

CREATE TABLE waf_config_version (
    id {{int}} PRIMARY KEY,
    version {{bigint}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
INSERT INTO waf_config_version (id, version, updated_at) VALUES (1, 1, '2025-01-01T00:00:00+00:00');

CREATE TABLE waf_nodes (
    id {{string}} PRIMARY KEY,
    address {{string}} NOT NULL,
    mode {{string}} NOT NULL,
    status {{string}} NOT NULL,
    load_factor {{double}} NOT NULL,
    config_version {{bigint}} NOT NULL,
    stats_json {{text}} NOT NULL,
    registered_at {{timestamp}} NOT NULL,
    last_heartbeat_at {{timestamp}} NOT NULL
);

CREATE TABLE waf_scale_requests (
    id {{id}} PRIMARY KEY,
    action {{string}} NOT NULL,
    node_count {{bigint}} NOT NULL,
    desired_nodes {{bigint}} NOT NULL,
    requested_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE waf_webhooks (
    id {{id}} PRIMARY KEY,
    url {{text}} NOT NULL,
    events {{string}} NOT NULL,
    secret {{string}} NOT NULL,
    created_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE waf_webhook_deliveries (
    id {{id}} PRIMARY KEY,
    webhook_id {{id}} NOT NULL,
    event {{string}} NOT NULL,
    payload {{text}} NOT NULL,
    status {{string}} NOT NULL,
    attempts {{bigint}} NOT NULL,
    next_attempt_at {{timestamp}} NOT NULL,
    last_status_code {{bigint}} NULL,
    last_error {{text}} NULL,
    created_at {{timestamp}} NOT NULL,
    delivered_at {{timestamp}} NULL
);
CREATE INDEX waf_webhook_deliveries_due ON waf_webhook_deliveries (status, next_attempt_at);
