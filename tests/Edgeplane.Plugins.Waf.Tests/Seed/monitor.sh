#!/bin/bash
API_KEY="your-api-key"
BASE="http://localhost:9999/api/v1"

# Monitor stats every 5 seconds
while true; do
  curl -s -H "X-SecBeat-API-Key: $API_KEY" \
    "$BASE/stats" | jq '.requests_per_second'
  sleep 5
done
