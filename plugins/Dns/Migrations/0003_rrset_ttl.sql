-- One RRset, one TTL (RFC 2181 §5.2): records added before the rule take their RRset's lowest TTL,
-- the one the server already answered with, so that the export and the records agree with the answers.
UPDATE dns_records SET ttl = (
    SELECT MIN(o.ttl) FROM dns_records o
    WHERE o.zone_id = dns_records.zone_id AND o.name = dns_records.name AND o.type = dns_records.type
);
