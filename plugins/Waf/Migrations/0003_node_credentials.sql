-- Per-node credentials issued at registration (only a SHA-256 hash is kept), revocable.
CREATE TABLE waf_node_credentials (
    id {{id}} PRIMARY KEY,
    node_id {{string}} NOT NULL,
    credential_hash {{string}} NOT NULL,
    created_by {{string}} NULL,
    created_at {{timestamp}} NOT NULL,
    revoked_at {{timestamp}} NULL
);
CREATE UNIQUE INDEX waf_node_credentials_hash ON waf_node_credentials (credential_hash);
CREATE INDEX waf_node_credentials_node ON waf_node_credentials (node_id);
