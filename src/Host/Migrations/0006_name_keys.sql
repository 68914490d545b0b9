ALTER TABLE host_users ADD username_key {{string}} NULL;
ALTER TABLE host_teams ADD name_key {{string}} NULL;
ALTER TABLE host_organizations ADD name_key {{string}} NULL;
