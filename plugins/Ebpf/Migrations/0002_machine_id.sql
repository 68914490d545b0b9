ALTER TABLE ebpf_nodes ADD machine_id {{string}} NULL;
