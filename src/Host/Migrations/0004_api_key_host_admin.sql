ALTER TABLE host_api_keys ADD is_host_admin {{bool}} NOT NULL DEFAULT {{false}};
