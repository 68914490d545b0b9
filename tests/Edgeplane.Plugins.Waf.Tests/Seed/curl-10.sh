curl -X POST http://localhost:3030/api/v1/scale \
  -d '{"action": "scale_up", "count": 2}'
