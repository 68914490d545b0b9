CREATE TABLE rollouts_tuf_keys (
    id {{id}} PRIMARY KEY,
    role {{string}} NOT NULL,
    keyid {{string}} NOT NULL,
    public_key {{text}} NOT NULL,
    encrypted_key {{blob}} NOT NULL,
    kek_id {{string}} NOT NULL,
    state {{string}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE rollouts_tuf_metadata (
    role {{string}} NOT NULL,
    version {{bigint}} NOT NULL,
    document {{text}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (role, version)
);

CREATE TABLE rollouts_tuf_targets (
    name {{string}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    length {{bigint}} NOT NULL,
    sha256 {{string}} NOT NULL,
    targets_version {{bigint}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE rollouts_artifact_blobs (
    sha256 {{string}} PRIMARY KEY,
    size {{bigint}} NOT NULL,
    data {{blob}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE rollouts_artifacts (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    version {{string}} NOT NULL,
    device_types {{text}} NOT NULL,
    size {{bigint}} NOT NULL,
    sha256 {{string}} NOT NULL,
    target_name {{string}} NOT NULL,
    file_name {{string}} NOT NULL,
    content_type {{string}} NOT NULL,
    description {{text}} NOT NULL,
    labels {{text}} NOT NULL,
    source {{text}} NOT NULL,
    targets_version {{bigint}} NOT NULL,
    created_by {{id}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX rollouts_artifacts_name_version ON rollouts_artifacts (team_id, name, version);

CREATE TABLE rollouts_sboms (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    artifact_id {{id}} NOT NULL,
    format {{string}} NOT NULL,
    spec_version {{string}} NOT NULL,
    document {{text}} NOT NULL,
    sha256 {{string}} NOT NULL,
    components {{int}} NOT NULL,
    created_by {{id}},
    created_at {{timestamp}} NOT NULL
);
CREATE INDEX rollouts_sboms_artifact ON rollouts_sboms (team_id, artifact_id);

CREATE TABLE rollouts_sbom_components (
    id {{id}} PRIMARY KEY,
    sbom_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    artifact_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    version {{string}} NOT NULL,
    purl {{text}} NOT NULL
);
CREATE INDEX rollouts_sbom_components_sbom ON rollouts_sbom_components (sbom_id);
CREATE INDEX rollouts_sbom_components_team ON rollouts_sbom_components (team_id, name);

CREATE TABLE rollouts_registries (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    url {{string}} NOT NULL,
    username {{string}} NOT NULL,
    encrypted_password {{blob}},
    kek_id {{string}} NOT NULL,
    created_by {{id}},
    created_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX rollouts_registries_name ON rollouts_registries (team_id, name);
