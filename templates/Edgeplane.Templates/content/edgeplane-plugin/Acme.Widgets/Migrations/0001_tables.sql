CREATE TABLE widgets_items (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    name {{string}} NOT NULL,
    quantity {{int}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE INDEX widgets_items_team ON widgets_items (team_id, id);
