curl -H "X-SecBeat-API-Key: your-key" \
  http://localhost:9999/api/v1/status
