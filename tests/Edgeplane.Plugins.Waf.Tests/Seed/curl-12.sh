# Port 9090 - Public metrics
curl http://localhost:9090/metrics

# Port 9191 - Internal metrics
curl http://localhost:9191/metrics
