curl http://localhost:3030/api/v1/nodes
