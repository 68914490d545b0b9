-- The change feed: one row per change to what is served (a zone created or deleted, records added or
-- removed), written in the change's own transaction. position comes from dns_state.generation, taken
-- under its row lock and moved only here (one step per row), so committed positions are dense and in commit
-- order: every host follows the feed from its last position and rebuilds only the zones named; a gap (rows
-- pruned after ChangeRetentionSeconds, or a write that moved the counter without a row) makes it load everything.
-- kind: 'zone' (created: the zone starts here), 'records' (removed/added: JSON lists of records), 'deleted'.
CREATE TABLE dns_changes (
    position {{bigint}} NOT NULL PRIMARY KEY,
    zone_id {{id}} NOT NULL,
    zone_name {{string}} NOT NULL,
    kind {{string}} NOT NULL,
    old_serial {{bigint}} NOT NULL,
    serial {{bigint}} NOT NULL,
    removed {{text}} NOT NULL,
    added {{text}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE INDEX ix_dns_changes_zone ON dns_changes (zone_id, position);
CREATE INDEX ix_dns_changes_created ON dns_changes (created_at);
