UPDATE rollouts_deployment_devices SET
    device_name = (SELECT v.name FROM rollouts_devices v WHERE v.id = rollouts_deployment_devices.device_id),
    device_type = (SELECT v.device_type FROM rollouts_devices v WHERE v.id = rollouts_deployment_devices.device_id);
