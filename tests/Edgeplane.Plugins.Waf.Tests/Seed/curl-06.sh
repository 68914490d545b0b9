curl -X POST http://localhost:9999/api/v1/blacklist \
  -H "Content-Type: application/json" \
  -d '{
    "ip": "192.0.2.100",
    "reason": "repeated attacks",
    "duration_seconds": 3600
  }'
