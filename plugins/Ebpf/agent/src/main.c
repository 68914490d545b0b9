/* edgeplane-ebpf-agent: reports a Linux host's eBPF features, programs and maps to Edgeplane. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "collect.h"
#include "http.h"
#include "json.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void logmsg(const char *level, const char *fmt, ...)
{
	char when[40];
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	format_time_ns((unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec, when, sizeof(when));
	fprintf(stderr, "%s %s ", when, level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Sleeps up to `seconds`, waking early when a stop signal arrives. */
static void sleep_interruptible(double seconds)
{
	struct timespec deadline, now;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (!stop_requested) {
		struct timespec step = { 0, 200000000L };
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
			return;
		nanosleep(&step, NULL);
	}
}

struct options {
	bool once, to_stdout, features, helpers;
	const char *server, *token, *token_file, *state_file, *name, *ca_file;
	double interval, max_backoff;
	long timeout;
};

struct state {
	char node_id[128];
	char team_id[128];
	char credential[256];
	char server[1024];
	long long interval;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgeplane-ebpf-agent [options]\n"
		"  --once --stdout          collect one report and print it as JSON\n"
		"  --once                   collect and send one report, then exit (status 0 when accepted)\n"
		"  (default)                enroll if needed, then report every --interval seconds\n"
		"  --server URL             the plugin's base URL, e.g. http://127.0.0.1:5000/ebpf\n"
		"  --token TOKEN            enrollment token (or --token-file PATH, or EDGEPLANE_ENROLLMENT_TOKEN)\n"
		"  --state-file PATH        node credential store (default /var/lib/edgeplane-ebpf-agent/state.json)\n"
		"  --name NAME              node name (default: hostname)\n"
		"  --interval SECONDS       report interval (default 30, or what the server asks for)\n"
		"  --max-backoff SECONDS    longest wait between retries (default 300)\n"
		"  --timeout SECONDS        HTTP timeout (default 30)\n"
		"  --ca-file PATH           CA bundle for HTTPS\n"
		"  --no-features            skip the feature probe (program/map types, helpers)\n"
		"  --no-helpers             probe program/map types but not helpers\n"
		"  --version, --help\n");
}

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

static int load_state(const char *path, struct state *st)
{
	char buf[4096];

	memset(st, 0, sizeof(*st));
	if (read_file(path, buf, sizeof(buf)) != 0)
		return -1;
	if (json_find_string(buf, "nodeId", st->node_id, sizeof(st->node_id)) != 0 ||
	    json_find_string(buf, "credential", st->credential, sizeof(st->credential)) != 0)
		return -1;
	json_find_string(buf, "teamId", st->team_id, sizeof(st->team_id));
	json_find_string(buf, "server", st->server, sizeof(st->server));
	if (json_find_int(buf, "reportIntervalSeconds", &st->interval) != 0)
		st->interval = 0;
	return 0;
}

static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int save_state(const char *path, const struct state *st)
{
	char tmp[PATH_MAX];
	struct json j;
	char *doc;
	size_t len;
	int fd;
	ssize_t w;

	if (mkdir_parents(path) != 0)
		return -1;
	json_init(&j);
	json_begin_object(&j);
	json_kv_string(&j, "server", st->server);
	json_kv_string(&j, "nodeId", st->node_id);
	json_kv_string(&j, "teamId", st->team_id);
	json_kv_string(&j, "credential", st->credential);
	json_kv_int(&j, "reportIntervalSeconds", st->interval);
	json_end_object(&j);
	doc = json_take(&j, &len);
	if (!doc)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(doc);
		return -1;
	}
	w = write(fd, doc, len);
	free(doc);
	if (w != (ssize_t)len || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

static void describe(const struct http_response *r, char *out, size_t len)
{
	char detail[300] = "";

	if (r->status == 0) {
		snprintf(out, len, "%s", r->error);
		return;
	}
	if (r->body && (json_find_string(r->body, "detail", detail, sizeof(detail)) == 0 ||
			json_find_string(r->body, "title", detail, sizeof(detail)) == 0))
		snprintf(out, len, "HTTP %ld: %s", r->status, detail);
	else
		snprintf(out, len, "HTTP %ld", r->status);
}

/* 1: enrolled; 0: refused for good (bad token); -1: try again later. */
static int enroll(const struct options *o, const char *token, struct state *st)
{
	char url[2048], host[256] = "", msg[512], machine_id[64];
	struct json j;
	struct http_response r;
	struct http_opts ho = { o->ca_file, o->timeout, NULL };
	char *body;
	size_t len;
	int rc;

	gethostname(host, sizeof(host) - 1);
	read_machine_id(machine_id, sizeof(machine_id));
	snprintf(url, sizeof(url), "%s/api/v1/nodes/enroll", o->server);
	json_init(&j);
	json_begin_object(&j);
	json_kv_string(&j, "token", token);
	json_kv_string(&j, "name", o->name ? o->name : host);
	json_kv_string(&j, "hostname", host);
	json_kv_string(&j, "agentVersion", AGENT_VERSION);
	if (machine_id[0])
		json_kv_string(&j, "machineId", machine_id); /* the host recognises a machine enrolling again */
	json_end_object(&j);
	body = json_take(&j, &len);
	if (!body)
		return -1;
	rc = http_post_json(url, body, len, &ho, &r);
	free(body);
	describe(&r, msg, sizeof(msg));
	if (rc != 0 || r.status >= 500 || r.status == 429 || r.status == 408) {
		logmsg("warn", "enrollment at %s failed: %s", url, msg);
		http_response_free(&r);
		return -1;
	}
	if (r.status < 200 || r.status >= 300) {
		logmsg("error", "enrollment refused: %s", msg);
		http_response_free(&r);
		return 0;
	}
	memset(st, 0, sizeof(*st));
	if (!r.body || json_find_string(r.body, "nodeId", st->node_id, sizeof(st->node_id)) != 0 ||
	    json_find_string(r.body, "credential", st->credential, sizeof(st->credential)) != 0) {
		logmsg("error", "enrollment answer lacks nodeId/credential");
		http_response_free(&r);
		return -1;
	}
	json_find_string(r.body, "teamId", st->team_id, sizeof(st->team_id));
	if (json_find_int(r.body, "reportIntervalSeconds", &st->interval) != 0)
		st->interval = 0;
	snprintf(st->server, sizeof(st->server), "%s", o->server);
	http_response_free(&r);
	logmsg("info", "enrolled as node %s (team %s)", st->node_id, st->team_id);
	return 1;
}

/* 1: accepted; 0: refused (4xx); -1: host unreachable or failing (retry with backoff); -2: credential refused. */
static int send_report(const struct options *o, const struct state *st, const char *doc, size_t len)
{
	char url[2048], header[400], msg[512];
	struct http_response r;
	struct http_opts ho = { o->ca_file, o->timeout, header };
	int rc;

	snprintf(url, sizeof(url), "%s/api/v1/nodes/%s/reports", o->server, st->node_id);
	snprintf(header, sizeof(header), "X-Edgeplane-Node-Credential: %s", st->credential);
	rc = http_post_json(url, doc, len, &ho, &r);
	describe(&r, msg, sizeof(msg));
	http_response_free(&r);
	if (rc != 0 || r.status >= 500 || r.status == 429 || r.status == 408) {
		logmsg("warn", "report not delivered: %s", msg);
		return -1;
	}
	if (r.status == 401 || r.status == 403 || r.status == 404) {
		logmsg("error", "report refused, credential no longer valid: %s", msg);
		return -2;
	}
	if (r.status < 200 || r.status >= 300) {
		logmsg("error", "report refused: %s", msg);
		return 0;
	}
	return 1;
}

static char *build_report(const struct options *o, size_t *len)
{
	struct json j;
	struct collect_opts co = { o->features, o->helpers, o->name };

	json_init(&j);
	if (collect_report(&j, &co) != 0) {
		json_free(&j);
		return NULL;
	}
	return json_take(&j, len);
}

static double jitter(void)
{
	return (double)rand() / ((double)RAND_MAX + 1.0);
}

static int run_agent(const struct options *o)
{
	struct state st;
	char token[512] = "";
	const char *env;
	int failures = 0;
	bool have_state;

	if (!o->server) {
		logmsg("error", "--server is required");
		return 2;
	}
	have_state = load_state(o->state_file, &st) == 0;
	if (have_state && st.server[0] && strcmp(st.server, o->server) != 0)
		logmsg("warn", "state file was written for %s; reporting to %s", st.server, o->server);

	if (!have_state) {
		if (o->token) {
			snprintf(token, sizeof(token), "%s", o->token);
		} else if (o->token_file) {
			if (read_file(o->token_file, token, sizeof(token)) != 0) {
				logmsg("error", "cannot read %s: %s", o->token_file, strerror(errno));
				return 2;
			}
			token[strcspn(token, "\r\n")] = '\0';
		} else if ((env = getenv("EDGEPLANE_ENROLLMENT_TOKEN")) != NULL) {
			snprintf(token, sizeof(token), "%s", env);
		}
		if (!token[0]) {
			logmsg("error", "not enrolled (%s missing) and no enrollment token given", o->state_file);
			return 2;
		}
		while (!stop_requested) {
			int r = enroll(o, token, &st);
			if (r == 1)
				break;
			if (r == 0)
				return 3;
			failures++;
			sleep_interruptible(backoff_delay(failures, 1, o->max_backoff, jitter()));
		}
		if (stop_requested)
			return 0;
		if (save_state(o->state_file, &st) != 0) {
			logmsg("error", "cannot write %s: %s", o->state_file, strerror(errno));
			return 2;
		}
		failures = 0;
	}

	while (!stop_requested) {
		size_t len;
		char *doc = build_report(o, &len);
		double interval = o->interval > 0 ? o->interval : (st.interval > 0 ? (double)st.interval : 30);
		int r;

		if (!doc) {
			logmsg("error", "collection failed (out of memory)");
			r = -1;
		} else {
			r = send_report(o, &st, doc, len);
			free(doc);
		}
		if (r == 1) {
			if (failures)
				logmsg("info", "report delivered after %d failed attempts", failures);
			failures = 0;
			if (o->once)
				return 0;
			sleep_interruptible(interval);
		} else if (o->once) {
			return 1;
		} else if (r == -1) {
			failures++;
			sleep_interruptible(backoff_delay(failures, 1, o->max_backoff, jitter()));
		} else if (r == -2) {
			/* node removed or credential revoked: keep trying, slowly, until an operator acts */
			failures++;
			sleep_interruptible(o->max_backoff);
		} else {
			sleep_interruptible(interval);
		}
	}
	logmsg("info", "stopping");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "stdout", no_argument, NULL, 's' },
		{ "server", required_argument, NULL, 'S' },
		{ "token", required_argument, NULL, 't' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "state-file", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-backoff", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "ca-file", required_argument, NULL, 'c' },
		{ "no-features", no_argument, NULL, 'F' },
		{ "no-helpers", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { 0 };
	struct sigaction sa;
	int c, rc;

	o.features = true;
	o.helpers = true;
	o.state_file = "/var/lib/edgeplane-ebpf-agent/state.json";
	o.max_backoff = 300;
	o.timeout = 30;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.once = true; break;
		case 's': o.to_stdout = true; break;
		case 'S': o.server = optarg; break;
		case 't': o.token = optarg; break;
		case 'T': o.token_file = optarg; break;
		case 'f': o.state_file = optarg; break;
		case 'n': o.name = optarg; break;
		case 'i': o.interval = atof(optarg); break;
		case 'b': o.max_backoff = atof(optarg); break;
		case 'w': o.timeout = atol(optarg); break;
		case 'c': o.ca_file = optarg; break;
		case 'F': o.features = false; break;
		case 'H': o.helpers = false; break;
		case 'V': printf("edgeplane-ebpf-agent %s\n", AGENT_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || (o.to_stdout && !o.once) || o.interval < 0 || o.max_backoff < 1) {
		usage(stderr);
		return 2;
	}
	if (o.server) {
		/* strip trailing slashes */
		static char server[1024];
		size_t n;
		snprintf(server, sizeof(server), "%s", o.server);
		n = strlen(server);
		while (n > 0 && server[n - 1] == '/')
			server[--n] = '\0';
		o.server = server;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());

	if (o.once && o.to_stdout) {
		size_t len;
		char *doc = build_report(&o, &len);
		if (!doc) {
			fprintf(stderr, "collection failed\n");
			return 1;
		}
		fwrite(doc, 1, len, stdout);
		fputc('\n', stdout);
		free(doc);
		return fflush(stdout) == 0 ? 0 : 1;
	}

	if (http_global_init() != 0) {
		logmsg("error", "libcurl initialisation failed");
		return 1;
	}
	rc = run_agent(&o);
	http_global_cleanup();
	return rc;
}
