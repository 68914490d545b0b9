CREATE TABLE rollouts_rollouts (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    artifact_id {{id}} NOT NULL,
    group_id {{id}} NOT NULL,
    phases {{text}} NOT NULL,
    failure_threshold {{double}} NOT NULL,
    requires_approval {{bool}} NOT NULL,
    state {{string}} NOT NULL,
    current_phase {{int}} NOT NULL,
    phase_started_at {{timestamp}},
    phase_history {{text}} NOT NULL,
    failure_baseline {{int}} NOT NULL,
    paused_reason {{text}},
    created_by {{id}},
    approved_by {{id}},
    approved_at {{timestamp}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    finished_at {{timestamp}}
);
CREATE INDEX rollouts_rollouts_team ON rollouts_rollouts (team_id, created_at);
CREATE INDEX rollouts_rollouts_state ON rollouts_rollouts (state);

CREATE TABLE rollouts_deployment_devices (
    rollout_id {{id}} NOT NULL,
    device_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    phase {{int}} NOT NULL,
    state {{string}} NOT NULL,
    message {{text}} NOT NULL,
    rollout_created_at {{timestamp}} NOT NULL,
    released {{bool}} NOT NULL,
    abort_notified {{bool}} NOT NULL,
    started_at {{timestamp}},
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (rollout_id, device_id)
);
CREATE INDEX rollouts_deployment_devices_device ON rollouts_deployment_devices (device_id, state, rollout_created_at);
CREATE INDEX rollouts_deployment_devices_rollout ON rollouts_deployment_devices (rollout_id, phase, state, released);

CREATE TABLE rollouts_rollout_events (
    id {{id}} PRIMARY KEY,
    rollout_id {{id}} NOT NULL,
    team_id {{id}} NOT NULL,
    type {{string}} NOT NULL,
    data {{text}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE INDEX rollouts_rollout_events_rollout ON rollouts_rollout_events (rollout_id, created_at);
