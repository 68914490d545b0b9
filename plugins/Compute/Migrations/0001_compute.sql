CREATE TABLE compute_nodes (
    id {{id}} PRIMARY KEY,
    name {{string}} NOT NULL,
    tags {{text}} NOT NULL,
    ram_bytes {{bigint}} NOT NULL,
    disk_bytes {{bigint}} NOT NULL,
    processor_nano {{bigint}} NOT NULL,
    address {{string}} NOT NULL,
    port {{int}} NULL,
    tls {{bool}} NOT NULL,
    status {{string}} NOT NULL,
    engine {{string}} NULL,
    api_version {{string}} NULL,
    last_error {{text}} NULL,
    last_seen_at {{timestamp}} NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);

CREATE UNIQUE INDEX compute_nodes_name ON compute_nodes (name);

CREATE TABLE compute_images (
    id {{id}} PRIMARY KEY,
    name {{string}} NOT NULL,
    reference {{string}} NOT NULL,
    memory_bytes {{bigint}} NOT NULL,
    nano_cpus {{bigint}} NOT NULL,
    command {{text}} NULL,
    description {{text}} NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE UNIQUE INDEX compute_images_name ON compute_images (name);

CREATE TABLE compute_instances (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    owner_user_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    image_id {{id}} NOT NULL,
    image_reference {{string}} NOT NULL,
    node_id {{id}} NOT NULL,
    memory_bytes {{bigint}} NOT NULL,
    nano_cpus {{bigint}} NOT NULL,
    ports {{text}} NOT NULL,
    primary_port {{int}} NULL,
    state {{string}} NOT NULL,
    desired_state {{string}} NOT NULL,
    message {{text}} NULL,
    container_id {{string}} NULL,
    exit_code {{int}} NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    deleted_at {{timestamp}} NULL
);

CREATE INDEX compute_instances_team ON compute_instances (team_id, created_at);
CREATE INDEX compute_instances_owner ON compute_instances (owner_user_id);
CREATE INDEX compute_instances_node ON compute_instances (node_id, state);

-- One row per published host port: the primary key is what makes two deploys unable to take the same port.
CREATE TABLE compute_ports (
    node_id {{id}} NOT NULL,
    host_port {{int}} NOT NULL,
    protocol {{string}} NOT NULL,
    instance_id {{id}} NOT NULL,
    PRIMARY KEY (node_id, host_port, protocol)
);

CREATE INDEX compute_ports_instance ON compute_ports (instance_id);
