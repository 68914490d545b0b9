UPDATE host_users SET username_key = LOWER(username);
UPDATE host_teams SET name_key = LOWER(name);
UPDATE host_organizations SET name_key = LOWER(name);
CREATE UNIQUE INDEX host_users_username_nocase ON host_users (username_key);
CREATE UNIQUE INDEX host_teams_name_nocase ON host_teams (name_key);
CREATE UNIQUE INDEX host_organizations_name_nocase ON host_organizations (name_key);
