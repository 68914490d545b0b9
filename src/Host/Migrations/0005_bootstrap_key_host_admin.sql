-- Before 0004 every key of a host admin acted as host admin; only the first admin's bootstrap key keeps that power.
UPDATE host_api_keys SET is_host_admin = {{true}}
WHERE name = 'bootstrap' AND user_id IN (SELECT id FROM host_users WHERE is_host_admin = {{true}});
