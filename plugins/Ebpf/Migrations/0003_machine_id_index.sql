CREATE INDEX ix_ebpf_nodes_machine ON ebpf_nodes (team_id, machine_id);
