CREATE TABLE rollouts_incidents (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    title {{string}} NOT NULL,
    description {{text}} NOT NULL,
    severity {{string}} NOT NULL,
    status {{string}} NOT NULL,
    occurred_at {{timestamp}} NOT NULL,
    resolved_at {{timestamp}},
    created_by {{string}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE INDEX rollouts_incidents_team ON rollouts_incidents (team_id, created_at);

CREATE TABLE rollouts_incident_links (
    incident_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    kind {{string}} NOT NULL,
    target_id {{id}} NOT NULL,
    label {{string}} NOT NULL,
    added_at {{timestamp}} NOT NULL,
    PRIMARY KEY (incident_id, kind, target_id)
);
CREATE INDEX rollouts_incident_links_target ON rollouts_incident_links (team_id, kind, target_id);

CREATE TABLE rollouts_incident_events (
    id {{id}} PRIMARY KEY,
    incident_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    at {{timestamp}} NOT NULL,
    actor {{string}},
    kind {{string}} NOT NULL,
    details {{text}} NOT NULL
);
CREATE INDEX rollouts_incident_events_incident ON rollouts_incident_events (incident_id, at);

CREATE TABLE rollouts_branding (
    team_id {{id}} PRIMARY KEY,
    name {{string}} NOT NULL,
    primary_color {{string}} NOT NULL,
    accent_color {{string}} NOT NULL,
    logo {{blob}},
    logo_content_type {{string}},
    updated_at {{timestamp}} NOT NULL
);

CREATE TABLE rollouts_vulnerabilities (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    vuln_id {{string}} NOT NULL,
    summary {{text}} NOT NULL,
    severity {{string}} NOT NULL,
    aliases {{text}} NOT NULL,
    affected {{text}} NOT NULL,
    modified {{timestamp}},
    imported_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX rollouts_vulnerabilities_vuln ON rollouts_vulnerabilities (team_id, vuln_id);
