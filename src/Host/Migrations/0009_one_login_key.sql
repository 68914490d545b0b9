-- A user has at most one live login key: a login revokes the previous one in the same transaction.
CREATE UNIQUE INDEX host_api_keys_one_login ON host_api_keys (user_id) WHERE is_login = {{true}} AND revoked_at IS NULL;
