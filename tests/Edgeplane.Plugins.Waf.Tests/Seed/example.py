import requests

API_KEY = "your-api-key"
BASE_URL = "http://localhost:9999/api/v1"

headers = {"X-SecBeat-API-Key": API_KEY}

# Get status
response = requests.get(f"{BASE_URL}/status", headers=headers)
status = response.json()
print(f"Status: {status['status']}")

# Add rule
rule = {
    "pattern": "(?i)script.*alert",
    "action": "block",
    "severity": "high"
}
response = requests.post(f"{BASE_URL}/rules", json=rule, headers=headers)
print(f"Rule created: {response.json()['id']}")
