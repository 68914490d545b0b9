CREATE TABLE rollouts_device_cas (
    id {{id}} PRIMARY KEY,
    state {{string}} NOT NULL,
    certificate {{blob}} NOT NULL,
    encrypted_key {{blob}} NOT NULL,
    key_id {{string}} NOT NULL,
    not_after {{timestamp}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE rollouts_enroll_tokens (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    token_hash {{string}} NOT NULL,
    prefix {{string}} NOT NULL,
    group_id {{id}},
    labels {{text}} NOT NULL,
    max_uses {{int}},
    uses {{int}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    revoked_at {{timestamp}},
    created_by {{id}},
    created_at {{timestamp}} NOT NULL,
    last_used_at {{timestamp}}
);
CREATE UNIQUE INDEX rollouts_enroll_tokens_hash ON rollouts_enroll_tokens (token_hash);
CREATE INDEX rollouts_enroll_tokens_team ON rollouts_enroll_tokens (team_id, id);

CREATE TABLE rollouts_devices (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    device_type {{string}} NOT NULL,
    labels {{text}} NOT NULL,
    attributes {{text}} NOT NULL,
    software {{text}} NOT NULL,
    inventory_hash {{string}} NOT NULL,
    health_status {{string}} NOT NULL,
    health {{text}} NOT NULL,
    agent_version {{string}} NOT NULL,
    enroll_token_id {{id}},
    enrolled_at {{timestamp}} NOT NULL,
    last_seen_at {{timestamp}},
    last_history_at {{timestamp}},
    check_ins {{bigint}} NOT NULL,
    certificate_serial {{string}},
    certificate_not_after {{timestamp}}
);
CREATE UNIQUE INDEX rollouts_devices_name ON rollouts_devices (team_id, name);

CREATE TABLE rollouts_certificates (
    serial {{string}} PRIMARY KEY,
    device_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    ca_id {{id}} NOT NULL,
    not_before {{timestamp}} NOT NULL,
    not_after {{timestamp}} NOT NULL,
    revoked_at {{timestamp}},
    created_at {{timestamp}} NOT NULL
);
CREATE INDEX rollouts_certificates_device ON rollouts_certificates (device_id);

CREATE TABLE rollouts_device_events (
    id {{id}} PRIMARY KEY,
    device_id {{id}} NOT NULL,
    kind {{string}} NOT NULL,
    at {{timestamp}} NOT NULL,
    details {{text}} NOT NULL
);
CREATE INDEX rollouts_device_events_device ON rollouts_device_events (device_id, id);

CREATE TABLE rollouts_groups (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    description {{text}} NOT NULL,
    selector {{text}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX rollouts_groups_name ON rollouts_groups (team_id, name);

CREATE TABLE rollouts_group_members (
    group_id {{id}} NOT NULL,
    device_id {{id}} NOT NULL,
    added_at {{timestamp}} NOT NULL,
    PRIMARY KEY (group_id, device_id)
);
CREATE INDEX rollouts_group_members_device ON rollouts_group_members (device_id);

CREATE TABLE rollouts_log_requests (
    id {{id}} PRIMARY KEY,
    device_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    sources {{text}} NOT NULL,
    max_bytes {{bigint}} NOT NULL,
    state {{string}} NOT NULL,
    requested_by {{id}},
    requested_at {{timestamp}} NOT NULL,
    uploaded_at {{timestamp}},
    content_type {{string}},
    file_name {{string}},
    size {{bigint}},
    sha256 {{string}},
    data {{blob}}
);
CREATE INDEX rollouts_log_requests_device ON rollouts_log_requests (device_id, state);

CREATE TABLE rollouts_profiles (
    user_id {{id}} PRIMARY KEY,
    display_name {{string}} NOT NULL,
    timezone {{string}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
