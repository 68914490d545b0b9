#ifndef EBPF_AGENT_HTTP_H
#define EBPF_AGENT_HTTP_H

#include <stddef.h>

struct http_response {
	long status;     /* 0 when no HTTP response arrived (connection refused, timeout, ...) */
	char *body;      /* NUL-terminated, at most 64 KiB; caller frees */
	char error[256]; /* transport error text when status is 0 */
};

struct http_opts {
	const char *ca_file;       /* optional CA bundle for HTTPS */
	long timeout_seconds;
	const char *header;        /* optional extra header line, e.g. "X-Edgeplane-Node-Credential: ..." */
};

int http_global_init(void);
void http_global_cleanup(void);
/* POSTs a JSON body. Returns 0 when a response (any status) arrived, -1 on transport failure. */
int http_post_json(const char *url, const char *body, size_t len, const struct http_opts *opts, struct http_response *resp);
void http_response_free(struct http_response *resp);

#endif
