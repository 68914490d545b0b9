curl -X POST http://localhost:3030/api/v1/policy \
  -H "Content-Type: application/json" \
  -d '{
    "name": "strict-mode",
    "rules": [
      {"type": "rate_limit", "value": 1000},
      {"type": "geo_block", "countries": ["CN", "RU"]}
    ]
  }'
