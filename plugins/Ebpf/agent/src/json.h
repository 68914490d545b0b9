/* A small streaming JSON writer into a growable buffer. */
#ifndef EBPF_AGENT_JSON_H
#define EBPF_AGENT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define JSON_MAX_DEPTH 32

struct json {
	char *buf;
	size_t len;
	size_t cap;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no element written yet at this level */
	bool after_key;             /* a key was written; the value follows without a comma */
	bool failed;                /* out of memory or misuse: the document is invalid */
};

void json_init(struct json *j);
void json_free(struct json *j);
/* Detaches the buffer (NUL-terminated); the caller frees it. NULL when the writer failed. */
char *json_take(struct json *j, size_t *len);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);
/* A string of at most n bytes (stops early at NUL). */
void json_string_n(struct json *j, const char *s, size_t n);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Appends an already-serialised JSON value verbatim. */
void json_raw(struct json *j, const char *raw);

/* key + value shorthands */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* Finds the string value of a top-level-or-nested "key" in a small JSON document (first match);
 * unescapes \" \\ \/ \n \t \r \b \f and \uXXXX (BMP, UTF-8 output). Returns 0 on success. */
int json_find_string(const char *doc, const char *key, char *out, size_t out_len);
/* Finds a number value of "key"; returns 0 on success. */
int json_find_int(const char *doc, const char *key, long long *out);

#endif
