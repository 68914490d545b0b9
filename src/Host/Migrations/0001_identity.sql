CREATE TABLE host_organizations (
    id {{id}} PRIMARY KEY,
    name {{string}} NOT NULL UNIQUE,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE host_teams (
    id {{id}} PRIMARY KEY,
    organization_id {{id}} NULL REFERENCES host_organizations (id),
    name {{string}} NOT NULL UNIQUE,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE host_users (
    id {{id}} PRIMARY KEY,
    username {{string}} NOT NULL UNIQUE,
    email {{string}} NULL,
    password_hash {{string}} NULL,
    is_host_admin {{bool}} NOT NULL,
    enabled {{bool}} NOT NULL,
    personal_team_id {{id}} NOT NULL REFERENCES host_teams (id),
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE host_memberships (
    team_id {{id}} NOT NULL REFERENCES host_teams (id),
    user_id {{id}} NOT NULL REFERENCES host_users (id),
    role {{string}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE host_api_keys (
    id {{id}} PRIMARY KEY,
    name {{string}} NOT NULL,
    prefix {{string}} NOT NULL,
    key_hash {{string}} NOT NULL UNIQUE,
    user_id {{id}} NOT NULL REFERENCES host_users (id),
    team_id {{id}} NOT NULL REFERENCES host_teams (id),
    role {{string}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NULL,
    last_used_at {{timestamp}} NULL,
    revoked_at {{timestamp}} NULL
);

CREATE TABLE host_sessions (
    id {{id}} PRIMARY KEY,
    token_hash {{string}} NOT NULL UNIQUE,
    csrf_hash {{string}} NOT NULL,
    user_id {{id}} NOT NULL REFERENCES host_users (id),
    team_id {{id}} NOT NULL REFERENCES host_teams (id),
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    revoked_at {{timestamp}} NULL
);

CREATE INDEX host_sessions_user ON host_sessions (user_id);
CREATE INDEX host_api_keys_user ON host_api_keys (user_id);
