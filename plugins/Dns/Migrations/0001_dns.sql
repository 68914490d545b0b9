CREATE TABLE dns_zones (
    id {{id}} NOT NULL PRIMARY KEY,
    name {{string}} NOT NULL,
    team_id {{id}} NOT NULL,
    owner_user_id {{id}} NOT NULL,
    serial {{bigint}} NOT NULL,
    next_index {{int}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX ux_dns_zones_name ON dns_zones (name);
CREATE INDEX ix_dns_zones_team ON dns_zones (team_id);

CREATE TABLE dns_records (
    id {{id}} NOT NULL PRIMARY KEY,
    zone_id {{id}} NOT NULL,
    idx {{int}} NOT NULL,
    name {{string}} NOT NULL,
    type {{string}} NOT NULL,
    ttl {{int}} NOT NULL,
    value {{text}} NOT NULL,
    priority {{int}} NULL,
    weight {{int}} NULL,
    port {{int}} NULL,
    flags {{int}} NULL,
    tag {{string}} NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX ux_dns_records_zone_idx ON dns_records (zone_id, idx);

CREATE TABLE dns_zone_users (
    zone_id {{id}} NOT NULL,
    user_id {{id}} NOT NULL,
    added_at {{timestamp}} NOT NULL,
    PRIMARY KEY (zone_id, user_id)
);
CREATE INDEX ix_dns_zone_users_user ON dns_zone_users (user_id);

CREATE TABLE dns_user_acl (
    user_id {{id}} NOT NULL,
    entry {{string}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, entry)
);

CREATE TABLE dns_nodes (
    id {{id}} NOT NULL PRIMARY KEY,
    name {{string}} NOT NULL,
    address {{string}} NOT NULL,
    port {{int}} NOT NULL,
    location {{string}} NOT NULL,
    latitude {{double}} NULL,
    longitude {{double}} NULL,
    enabled {{bool}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX ux_dns_nodes_name ON dns_nodes (name);

-- NOTIFY bookkeeping: the serial last announced to each target, per zone.
CREATE TABLE dns_notified (
    zone_id {{id}} NOT NULL,
    target {{string}} NOT NULL,
    serial {{bigint}} NOT NULL,
    PRIMARY KEY (zone_id, target)
);

-- One row: bumped by every change, so every host instance's in-memory view can see it changed.
CREATE TABLE dns_state (
    id {{int}} NOT NULL PRIMARY KEY,
    generation {{bigint}} NOT NULL
);
INSERT INTO dns_state (id, generation) VALUES (1, 0);
