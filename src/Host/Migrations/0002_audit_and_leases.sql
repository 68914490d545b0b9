CREATE TABLE host_audit (
    id {{id}} PRIMARY KEY,
    at {{timestamp}} NOT NULL,
    user_id {{id}} NULL,
    api_key_id {{id}} NULL,
    actor {{string}} NULL,
    team_id {{id}} NULL,
    plugin {{string}} NULL,
    action {{string}} NOT NULL,
    target {{string}} NOT NULL,
    status {{int}} NULL,
    source_address {{string}} NULL,
    details {{text}} NULL
);

CREATE INDEX host_audit_at ON host_audit (at);
CREATE INDEX host_audit_team_at ON host_audit (team_id, at);

CREATE TABLE host_leases (
    name {{string}} PRIMARY KEY,
    holder {{string}} NOT NULL,
    expires_at {{timestamp}} NOT NULL
);
