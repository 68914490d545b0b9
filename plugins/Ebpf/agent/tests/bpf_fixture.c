/* Test helper: creates real BPF maps and loads real (tiny) programs through libbpf, prints their
 * ids as JSON on stdout, then holds them until stdin closes or SIGTERM; exiting unloads them.
 * usage: ebpf-fixture [--maps N] [--programs N] [--prefix NAME] */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int id_of_map(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? (int)info.id : -1;
}

static int id_of_prog(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? (int)info.id : -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "maps", required_argument, NULL, 'm' },
		{ "programs", required_argument, NULL, 'p' },
		{ "prefix", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	int nmaps = 3, nprogs = 1, c, i;
	const char *prefix = "epfx";
	int *map_fds, *prog_fds;
	char buf[64];

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': nmaps = atoi(optarg); break;
		case 'p': nprogs = atoi(optarg); break;
		case 'x': prefix = optarg; break;
		default:
			fprintf(stderr, "usage: %s [--maps N] [--programs N] [--prefix NAME]\n", argv[0]);
			return 2;
		}
	}
	if (nmaps < 1 || nprogs < 0 || strlen(prefix) > 8) {
		fprintf(stderr, "need --maps >= 1 and a prefix of at most 8 characters\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	map_fds = calloc((size_t)nmaps, sizeof(int));
	prog_fds = calloc((size_t)(nprogs ? nprogs : 1), sizeof(int));
	if (!map_fds || !prog_fds)
		return 1;

	for (i = 0; i < nmaps; i++) {
		char name[16];
		enum bpf_map_type type = i % 3 == 0 ? BPF_MAP_TYPE_ARRAY : i % 3 == 1 ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_PERCPU_ARRAY;
		__u32 key = 4, value = 8 + 8 * (i % 4), entries = 16 + (__u32)i;
		snprintf(name, sizeof(name), "%s_m%d", prefix, i);
		map_fds[i] = bpf_map_create(type, name, key, value, entries, NULL);
		if (map_fds[i] < 0) {
			fprintf(stderr, "bpf_map_create(%s): %s\n", name, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < nprogs; i++) {
		char name[16];
		int mfd = map_fds[i % nmaps];
		/* r1 = map (ld_imm64 pseudo map fd); r0 = i; exit */
		struct bpf_insn insns[] = {
			{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = BPF_PSEUDO_MAP_FD, .imm = mfd },
			{ 0 },
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = i },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		snprintf(name, sizeof(name), "%s_p%d", prefix, i);
		prog_fds[i] = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, 4, NULL);
		if (prog_fds[i] < 0) {
			fprintf(stderr, "bpf_prog_load(%s): %s\n", name, strerror(errno));
			return 1;
		}
	}

	printf("{\"maps\":[");
	for (i = 0; i < nmaps; i++)
		printf("%s%d", i ? "," : "", id_of_map(map_fds[i]));
	printf("],\"programs\":[");
	for (i = 0; i < nprogs; i++)
		printf("%s%d", i ? "," : "", id_of_prog(prog_fds[i]));
	printf("]}\n");
	fflush(stdout);

	/* hold until stdin closes */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
