curl http://localhost:9999/api/v1/rules
