#define _GNU_SOURCE
#include "collect.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define HELPER_NAME(x) "bpf_" #x
static const char *const helper_names[] = { __BPF_FUNC_MAPPER(HELPER_NAME) };
#define HELPER_COUNT ((int)(sizeof(helper_names) / sizeof(helper_names[0])))

static unsigned long long now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

void format_time_ns(unsigned long long ns, char *out, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ull);
	unsigned ms = (unsigned)((ns / 1000000ull) % 1000ull);
	struct tm tm;
	char b[32];

	gmtime_r(&s, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03uZ", b, ms);
}

/* Reads a small integer file such as a sysctl; returns 0 on success. */
static int read_ll(const char *path, long long *v)
{
	char b[64];
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(b, sizeof(b), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	*v = strtoll(b, NULL, 10);
	return 0;
}

static void kv_sysctl(struct json *j, const char *key, const char *path)
{
	long long v;
	json_key(j, key);
	if (read_ll(path, &v) == 0)
		json_int(j, v);
	else
		json_null(j);
}

static void write_kernel(struct json *j)
{
	struct utsname u;

	json_key(j, "kernel");
	json_begin_object(j);
	if (uname(&u) == 0) {
		json_kv_string(j, "sysname", u.sysname);
		json_kv_string(j, "release", u.release);
		json_kv_string(j, "version", u.version);
		json_kv_string(j, "machine", u.machine);
	}
	json_end_object(j);
}

static void write_btf(struct json *j)
{
	struct stat st;
	bool vmlinux = stat("/sys/kernel/btf/vmlinux", &st) == 0;
	int modules = 0;
	FILE *p;

	json_key(j, "btf");
	json_begin_object(j);
	json_kv_bool(j, "available", vmlinux);
	json_kv_string(j, "path", "/sys/kernel/btf/vmlinux");
	json_key(j, "vmlinuxSize");
	if (vmlinux)
		json_uint(j, (uint64_t)st.st_size);
	else
		json_null(j);
	/* module BTF: every other file in /sys/kernel/btf */
	p = fopen("/proc/modules", "re");
	if (p) {
		char line[512];
		while (fgets(line, sizeof(line), p)) {
			char name[256], path[300];
			if (sscanf(line, "%255s", name) == 1) {
				snprintf(path, sizeof(path), "/sys/kernel/btf/%s", name);
				if (access(path, F_OK) == 0)
					modules++;
			}
		}
		fclose(p);
	}
	json_kv_int(j, "moduleCount", modules);
	json_end_object(j);
}

static void write_jit(struct json *j)
{
	json_key(j, "jit");
	json_begin_object(j);
	kv_sysctl(j, "enable", "/proc/sys/net/core/bpf_jit_enable");
	kv_sysctl(j, "harden", "/proc/sys/net/core/bpf_jit_harden");
	kv_sysctl(j, "kallsyms", "/proc/sys/net/core/bpf_jit_kallsyms");
	kv_sysctl(j, "limit", "/proc/sys/net/core/bpf_jit_limit");
	json_end_object(j);
	json_key(j, "sysctl");
	json_begin_object(j);
	kv_sysctl(j, "unprivilegedBpfDisabled", "/proc/sys/kernel/unprivileged_bpf_disabled");
	kv_sysctl(j, "bpfStatsEnabled", "/proc/sys/kernel/bpf_stats_enabled");
	json_end_object(j);
}

static void write_bpffs(struct json *j)
{
	FILE *m = setmntent("/proc/self/mounts", "re");
	struct mntent *e;

	json_key(j, "bpffs");
	json_begin_array(j);
	if (m) {
		while ((e = getmntent(m)) != NULL) {
			if (strcmp(e->mnt_type, "bpf") != 0)
				continue;
			json_begin_object(j);
			json_kv_string(j, "path", e->mnt_dir);
			json_kv_string(j, "source", e->mnt_fsname);
			json_kv_string(j, "options", e->mnt_opts);
			json_end_object(j);
		}
		endmntent(m);
	}
	json_end_array(j);
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;
}

/* libbpf 1.1's libbpf_probe_bpf_helper() does not recognise the verifier message newer kernels
 * print ("program of this type cannot use helper ...") and then reports every helper as
 * supported. This is the same probe (load "call helper; exit" and read the verifier log) with
 * the current set of messages. Returns 1 supported, 0 not, -1 when the type cannot be probed. */
static int probe_helper(enum bpf_prog_type type, int helper)
{
	static char log[8192];
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = helper },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	struct utsname u;
	int fd, a = 0, b = 0, c = 0;

	switch (type) {
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR: opts.expected_attach_type = BPF_CGROUP_INET4_CONNECT; break;
	case BPF_PROG_TYPE_CGROUP_SOCKOPT: opts.expected_attach_type = BPF_CGROUP_GETSOCKOPT; break;
	case BPF_PROG_TYPE_SK_LOOKUP: opts.expected_attach_type = BPF_SK_LOOKUP; break;
	case BPF_PROG_TYPE_LIRC_MODE2: opts.expected_attach_type = BPF_LIRC_MODE2; break;
	case BPF_PROG_TYPE_SYSCALL: opts.prog_flags = BPF_F_SLEEPABLE; break;
	case BPF_PROG_TYPE_KPROBE:
		if (uname(&u) == 0 && sscanf(u.release, "%d.%d.%d", &a, &b, &c) >= 2)
			opts.kern_version = (__u32)((a << 16) + (b << 8) + (c > 255 ? 255 : c));
		break;
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_EXT:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_STRUCT_OPS:
		return -1; /* need an attach target */
	default: break;
	}
	log[0] = '\0';
	fd = bpf_prog_load(type, NULL, "GPL", insns, 2, &opts);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (strstr(log, "invalid func ") || strstr(log, "unknown func ") ||
	    strstr(log, "program of this type cannot use helper "))
		return 0;
	return 1; /* the verifier knew the helper and objected to something else */
}

static char *features_cache;
static bool features_cache_helpers;

const char *collect_features(bool helpers)
{
	struct json j;
	int t, h;
	bool prog_ok[256] = { false };
	int nprog = 0;

	if (features_cache && (features_cache_helpers || !helpers))
		return features_cache;
	free(features_cache);
	features_cache = NULL;

	libbpf_set_print(silent_print);
	json_init(&j);
	json_begin_object(&j);

	json_key(&j, "programTypes");
	json_begin_array(&j);
	for (t = 1; t < 256; t++) {
		const char *name = libbpf_bpf_prog_type_str((enum bpf_prog_type)t);
		int r;
		if (!name)
			break;
		nprog = t;
		r = libbpf_probe_bpf_prog_type((enum bpf_prog_type)t, NULL);
		json_begin_object(&j);
		json_kv_string(&j, "name", name);
		json_kv_int(&j, "id", t);
		json_key(&j, "supported");
		if (r < 0)
			json_null(&j); /* libbpf cannot probe this type */
		else
			json_bool(&j, r > 0);
		json_end_object(&j);
		prog_ok[t] = r > 0;
	}
	json_end_array(&j);

	json_key(&j, "mapTypes");
	json_begin_array(&j);
	for (t = 1; t < 256; t++) {
		const char *name = libbpf_bpf_map_type_str((enum bpf_map_type)t);
		int r;
		if (!name)
			break;
		r = libbpf_probe_bpf_map_type((enum bpf_map_type)t, NULL);
		json_begin_object(&j);
		json_kv_string(&j, "name", name);
		json_kv_int(&j, "id", t);
		json_key(&j, "supported");
		if (r < 0)
			json_null(&j);
		else
			json_bool(&j, r > 0);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_key(&j, "helpers");
	json_begin_object(&j);
	if (helpers) {
		for (t = 1; t <= nprog; t++) {
			if (!prog_ok[t])
				continue;
			if (probe_helper((enum bpf_prog_type)t, 1) < 0)
				continue;
			json_key(&j, libbpf_bpf_prog_type_str((enum bpf_prog_type)t));
			json_begin_array(&j);
			for (h = 1; h < HELPER_COUNT; h++) {
				if (probe_helper((enum bpf_prog_type)t, h) == 1)
					json_string(&j, helper_names[h]);
			}
			json_end_array(&j);
		}
	}
	json_end_object(&j);
	json_kv_bool(&j, "helpersProbed", helpers);
	json_end_object(&j);

	features_cache = json_take(&j, NULL);
	features_cache_helpers = helpers;
	return features_cache;
}

/* bytes_memlock and frozen from /proc/self/fdinfo/<fd>, like bpftool. */
static void read_fdinfo(int fd, long long *memlock, long long *frozen)
{
	char path[64], line[256];
	FILE *f;

	*memlock = -1;
	*frozen = -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "memlock:", 8) == 0)
			*memlock = strtoll(line + 8, NULL, 10);
		else if (strncmp(line, "frozen:", 7) == 0)
			*frozen = strtoll(line + 7, NULL, 10);
	}
	fclose(f);
}

static void hex_tag(const unsigned char *tag, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		out[2 * i] = hex[tag[i] >> 4];
		out[2 * i + 1] = hex[tag[i] & 15];
	}
	out[2 * BPF_TAG_SIZE] = '\0';
}

static void type_name(struct json *j, const char *name, unsigned type)
{
	char b[32];
	if (name) {
		json_string(j, name);
	} else {
		snprintf(b, sizeof(b), "type_%u", type);
		json_string(j, b);
	}
}

static void write_program(struct json *j, int fd, unsigned long long boot_wall_ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	__u32 ids_stack[64];
	__u32 *ids = ids_stack;
	__u32 nids, i;
	long long memlock, frozen;
	char tag[2 * BPF_TAG_SIZE + 1], when[40];

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		return;
	nids = info.nr_map_ids;
	if (nids > 64) {
		ids = calloc(nids, sizeof(__u32));
		if (!ids)
			return;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		info.nr_map_ids = nids;
		info.map_ids = (__u64)(unsigned long)ids;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
			free(ids);
			return;
		}
		if (info.nr_map_ids < nids)
			nids = info.nr_map_ids;
	}
	read_fdinfo(fd, &memlock, &frozen);
	hex_tag(info.tag, tag);

	json_begin_object(j);
	json_kv_uint(j, "id", info.id);
	json_key(j, "type");
	type_name(j, libbpf_bpf_prog_type_str((enum bpf_prog_type)info.type), info.type);
	json_kv_uint(j, "typeId", info.type);
	json_key(j, "name");
	json_string_n(j, info.name, sizeof(info.name));
	json_kv_string(j, "tag", tag);
	json_kv_bool(j, "gplCompatible", info.gpl_compatible);
	format_time_ns(boot_wall_ns + info.load_time, when, sizeof(when));
	json_kv_string(j, "loadedAt", when);
	json_kv_uint(j, "loadTimeNs", info.load_time);
	json_kv_uint(j, "uid", info.created_by_uid);
	json_kv_uint(j, "bytesXlated", info.xlated_prog_len);
	json_kv_bool(j, "jited", info.jited_prog_len > 0);
	json_kv_uint(j, "bytesJited", info.jited_prog_len);
	json_key(j, "bytesMemlock");
	if (memlock >= 0)
		json_int(j, memlock);
	else
		json_null(j);
	json_key(j, "mapIds");
	json_begin_array(j);
	for (i = 0; i < nids; i++)
		json_uint(j, ids[i]);
	json_end_array(j);
	json_kv_uint(j, "btfId", info.btf_id);
	json_kv_uint(j, "runCnt", info.run_cnt);
	json_kv_uint(j, "runTimeNs", info.run_time_ns);
	json_kv_uint(j, "recursionMisses", info.recursion_misses);
	json_kv_uint(j, "verifiedInsns", info.verified_insns);
	json_kv_uint(j, "ifindex", info.ifindex);
	json_kv_uint(j, "attachBtfObjId", info.attach_btf_obj_id);
	json_kv_uint(j, "attachBtfId", info.attach_btf_id);
	json_end_object(j);
	if (ids != ids_stack)
		free(ids);
}

static void write_map(struct json *j, int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long long memlock, frozen;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		return;
	read_fdinfo(fd, &memlock, &frozen);

	json_begin_object(j);
	json_kv_uint(j, "id", info.id);
	json_key(j, "type");
	type_name(j, libbpf_bpf_map_type_str((enum bpf_map_type)info.type), info.type);
	json_kv_uint(j, "typeId", info.type);
	json_key(j, "name");
	json_string_n(j, info.name, sizeof(info.name));
	json_kv_uint(j, "flags", info.map_flags);
	json_kv_uint(j, "bytesKey", info.key_size);
	json_kv_uint(j, "bytesValue", info.value_size);
	json_kv_uint(j, "maxEntries", info.max_entries);
	json_key(j, "bytesMemlock");
	if (memlock >= 0)
		json_int(j, memlock);
	else
		json_null(j);
	json_key(j, "frozen");
	if (frozen >= 0)
		json_bool(j, frozen != 0);
	else
		json_null(j);
	json_kv_uint(j, "btfId", info.btf_id);
	json_kv_uint(j, "btfKeyTypeId", info.btf_key_type_id);
	json_kv_uint(j, "btfValueTypeId", info.btf_value_type_id);
	json_kv_uint(j, "ifindex", info.ifindex);
	json_kv_uint(j, "mapExtra", info.map_extra);
	json_end_object(j);
}

static unsigned long long boot_wall_ns(void)
{
	return now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME);
}

static int walk_errors;

void collect_programs(struct json *j)
{
	__u32 id = 0;
	unsigned long long boot = boot_wall_ns();

	json_begin_array(j);
	while (bpf_prog_get_next_id(id, &id) == 0) {
		int fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (errno != ENOENT) /* ENOENT: unloaded while we walked */
				walk_errors++;
			continue;
		}
		write_program(j, fd, boot);
		close(fd);
	}
	json_end_array(j);
}

void collect_maps(struct json *j)
{
	__u32 id = 0;

	json_begin_array(j);
	while (bpf_map_get_next_id(id, &id) == 0) {
		int fd = bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			if (errno != ENOENT)
				walk_errors++;
			continue;
		}
		write_map(j, fd);
		close(fd);
	}
	json_end_array(j);
}

void read_machine_id(char *out, size_t len)
{
	FILE *f = fopen("/etc/machine-id", "re");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\r\n")] = '\0';
	else
		out[0] = '\0';
	fclose(f);
}

int collect_report(struct json *j, const struct collect_opts *opts)
{
	char host[256] = "", when[40], machine_id[64];
	unsigned long long start = now_ns(CLOCK_MONOTONIC);

	gethostname(host, sizeof(host) - 1);
	read_machine_id(machine_id, sizeof(machine_id));
	walk_errors = 0;

	json_begin_object(j);
	json_kv_int(j, "schemaVersion", 1);
	json_kv_string(j, "agentVersion", AGENT_VERSION);
	json_kv_string(j, "hostname", host);
	json_kv_string(j, "nodeName", opts && opts->node_name ? opts->node_name : host);
	json_key(j, "machineId");
	if (machine_id[0])
		json_string(j, machine_id);
	else
		json_null(j);
	format_time_ns(now_ns(CLOCK_REALTIME), when, sizeof(when));
	json_kv_string(j, "collectedAt", when);
	format_time_ns(boot_wall_ns(), when, sizeof(when));
	json_kv_string(j, "bootedAt", when);
	write_kernel(j);
	write_btf(j);
	write_jit(j);
	write_bpffs(j);

	json_key(j, "features");
	if (opts && opts->features) {
		const char *feat = collect_features(opts->helpers);
		if (feat)
			json_raw(j, feat);
		else
			json_null(j);
	} else {
		json_null(j);
	}

	json_key(j, "programs");
	collect_programs(j);
	json_key(j, "maps");
	collect_maps(j);
	json_kv_int(j, "walkErrors", walk_errors);
	json_kv_uint(j, "collectionNs", now_ns(CLOCK_MONOTONIC) - start);
	json_end_object(j);
	return j->failed ? -1 : 0;
}
