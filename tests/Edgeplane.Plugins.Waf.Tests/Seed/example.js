const API_KEY = 'your-api-key';
const BASE_URL = 'http://localhost:9999/api/v1';

async function getStatus() {
  const response = await fetch(`${BASE_URL}/status`, {
    headers: {'X-SecBeat-API-Key': API_KEY}
  });
  const data = await response.json();
  console.log('Status:', data);
}

getStatus();
