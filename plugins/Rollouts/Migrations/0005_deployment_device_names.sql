ALTER TABLE rollouts_deployment_devices ADD device_name {{string}} NULL;
ALTER TABLE rollouts_deployment_devices ADD device_type {{string}} NULL;
