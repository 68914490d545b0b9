-- The events (attack_detected, rule_triggered) nodes hand over in their heartbeats, by the id the node gave
-- each: a heartbeat sent again after its answer was lost raises no webhook twice. Kept for 7 days.
CREATE TABLE waf_node_events (
    id {{id}} PRIMARY KEY,
    node_id {{string}} NOT NULL,
    event {{string}} NOT NULL,
    received_at {{timestamp}} NOT NULL
);
CREATE INDEX waf_node_events_received ON waf_node_events (received_at);
