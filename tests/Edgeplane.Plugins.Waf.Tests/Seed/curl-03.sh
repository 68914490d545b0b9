curl -X POST http://localhost:9999/api/v1/rules \
  -H "Content-Type: application/json" \
  -d '{
    "pattern": "(?i)(union.*select|select.*from)",
    "action": "block",
    "severity": "high"
  }'
