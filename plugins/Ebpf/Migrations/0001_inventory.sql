-- eBPF inventory: the plugin's view of a team, enrollment tokens, nodes and the lifetimes of
-- the programs and maps each node reported (a row per lifetime: current rows have no disappeared_at;
-- a current row was last seen at its node's last_report_at, a closed one at its last_seen).
CREATE TABLE ebpf_teams (
    team_id {{id}} NOT NULL PRIMARY KEY,
    name {{string}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE TABLE ebpf_enrollment_tokens (
    id {{id}} NOT NULL PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    prefix {{string}} NOT NULL,
    token_hash {{string}} NOT NULL,
    created_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NULL,
    max_uses {{int}} NULL,
    uses {{int}} NOT NULL,
    last_used_at {{timestamp}} NULL,
    revoked_at {{timestamp}} NULL
);
CREATE UNIQUE INDEX ux_ebpf_enrollment_tokens_hash ON ebpf_enrollment_tokens (token_hash);
CREATE INDEX ix_ebpf_enrollment_tokens_team ON ebpf_enrollment_tokens (team_id, created_at);

CREATE TABLE ebpf_nodes (
    id {{id}} NOT NULL PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    hostname {{string}} NULL,
    credential_hash {{string}} NOT NULL,
    token_id {{id}} NULL,
    agent_version {{string}} NULL,
    kernel_release {{string}} NULL,
    enrolled_at {{timestamp}} NOT NULL,
    last_report_at {{timestamp}} NULL,
    collected_at {{timestamp}} NULL,
    report_count {{bigint}} NOT NULL,
    program_count {{int}} NOT NULL,
    map_count {{int}} NOT NULL,
    features {{text}} NULL,
    features_hash {{string}} NULL
);
CREATE UNIQUE INDEX ux_ebpf_nodes_credential ON ebpf_nodes (credential_hash);
CREATE INDEX ix_ebpf_nodes_team ON ebpf_nodes (team_id, name);

CREATE TABLE ebpf_objects (
    row_id {{id}} NOT NULL PRIMARY KEY,
    team_id {{id}} NOT NULL,
    node_id {{id}} NOT NULL,
    kind {{string}} NOT NULL,
    object_id {{bigint}} NOT NULL,
    identity {{string}} NOT NULL,
    type {{string}} NOT NULL,
    name {{string}} NOT NULL,
    detail {{text}} NOT NULL,
    first_seen {{timestamp}} NOT NULL,
    last_seen {{timestamp}} NOT NULL,
    disappeared_at {{timestamp}} NULL
);
CREATE INDEX ix_ebpf_objects_node ON ebpf_objects (node_id, kind, object_id);
CREATE INDEX ix_ebpf_objects_team ON ebpf_objects (team_id, kind, disappeared_at, node_id, object_id);
