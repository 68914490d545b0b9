ALTER TABLE host_api_keys ADD is_login {{bool}} NOT NULL DEFAULT {{false}};
