/* Collects the kernel's eBPF state into a JSON report. */
#ifndef EBPF_AGENT_COLLECT_H
#define EBPF_AGENT_COLLECT_H

#include <stdbool.h>
#include "json.h"

#define AGENT_VERSION "0.1.0"

struct collect_opts {
	bool features;      /* probe program/map types and helpers (slow-ish; done once per process) */
	bool helpers;       /* include per-program-type helper support in the feature probe */
	const char *node_name;
};

/* The feature probe as a serialised JSON object, computed once and cached. NULL on failure. */
const char *collect_features(bool helpers);

/* Writes one complete report object. Returns 0, or -1 when the writer failed. */
int collect_report(struct json *j, const struct collect_opts *opts);

/* Writes the array of loaded programs / maps (exposed for tests and benchmarks). */
void collect_programs(struct json *j);
void collect_maps(struct json *j);

/* The machine's id from /etc/machine-id (systemd's), or "" when there is none. */
void read_machine_id(char *out, size_t len);

/* Formats a wall-clock time (ns since the epoch) as RFC 3339 UTC with milliseconds. */
void format_time_ns(unsigned long long ns, char *out, size_t len);

#endif
