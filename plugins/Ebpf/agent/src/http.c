#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

#define MAX_RESPONSE (64 * 1024)

struct sink {
	char *buf;
	size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb, take = n;
	char *nb;

	if (s->len + take > MAX_RESPONSE)
		take = MAX_RESPONSE - s->len;
	if (take == 0)
		return n; /* discard the rest */
	nb = realloc(s->buf, s->len + take + 1);
	if (!nb)
		return 0;
	s->buf = nb;
	memcpy(s->buf + s->len, ptr, take);
	s->len += take;
	s->buf[s->len] = '\0';
	return n;
}

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

int http_post_json(const char *url, const char *body, size_t len, const struct http_opts *opts, struct http_response *resp)
{
	CURL *c;
	CURLcode rc;
	struct curl_slist *headers = NULL;
	struct sink s = { NULL, 0 };
	char errbuf[CURL_ERROR_SIZE] = "";

	memset(resp, 0, sizeof(*resp));
	c = curl_easy_init();
	if (!c) {
		strcpy(resp->error, "curl_easy_init failed");
		return -1;
	}
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Expect:");
	if (opts && opts->header)
		headers = curl_slist_append(headers, opts->header);

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "edgeplane-ebpf-agent/" AGENT_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, opts && opts->timeout_seconds > 0 ? opts->timeout_seconds : 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (opts && opts->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, opts->ca_file);

	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	} else {
		snprintf(resp->error, sizeof(resp->error), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
	resp->body = s.buf;
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void http_response_free(struct http_response *resp)
{
	free(resp->body);
	resp->body = NULL;
}
