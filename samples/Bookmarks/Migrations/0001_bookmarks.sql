CREATE TABLE bookmarks (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    url {{string}} NOT NULL,
    title {{string}} NOT NULL,
    notes {{text}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE INDEX bookmarks_team ON bookmarks (team_id, id);
