curl -X DELETE http://localhost:9999/api/v1/rules/rule_12345
