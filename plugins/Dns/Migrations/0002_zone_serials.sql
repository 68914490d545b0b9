-- The last serial of every deleted zone name: a zone created again under that name continues after it
-- (RFC 1982), so secondaries that still hold the deleted zone take the new one.
CREATE TABLE dns_zone_serials (
    name {{string}} NOT NULL PRIMARY KEY,
    serial {{bigint}} NOT NULL
);
