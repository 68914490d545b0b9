-- A single record add reads, in the writers' transaction, only the records at its name and the zone's delegations
-- (RecordScope.AtName): these indexes keep that read a few rows whatever the zone's size.
CREATE INDEX ix_dns_records_zone_name ON dns_records (zone_id, name);
CREATE INDEX ix_dns_records_zone_type ON dns_records (zone_id, type);
