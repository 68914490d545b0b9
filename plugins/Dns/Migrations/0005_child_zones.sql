-- How many zones are below each zone (child zones at any depth, whose names the zone must not hold): a record write
-- reads it with the zone's row and looks the child zones up only when there are any, instead of scanning every zone's
-- name in the writers' transaction. Zone adds and deletes keep it exact under the writers' lock. -1: not counted yet
-- (zones stored before this column); the zone's next record write counts them and stores the count.
ALTER TABLE dns_zones ADD child_zones {{int}} NOT NULL DEFAULT -1;
