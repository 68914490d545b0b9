#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
	j->first[0] = true;
}

void json_free(struct json *j)
{
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

char *json_take(struct json *j, size_t *len)
{
	char *b;

	if (j->failed || j->depth != 0) {
		json_free(j);
		return NULL;
	}
	if (!j->buf) {
		j->buf = calloc(1, 1);
		if (!j->buf)
			return NULL;
	}
	b = j->buf;
	if (len)
		*len = j->len;
	j->buf = NULL;
	json_free(j);
	return b;
}

static bool reserve(struct json *j, size_t more)
{
	size_t need, cap;
	char *nb;

	if (j->failed)
		return false;
	need = j->len + more + 1;
	if (need <= j->cap)
		return true;
	cap = j->cap ? j->cap : 4096;
	while (cap < need)
		cap *= 2;
	nb = realloc(j->buf, cap);
	if (!nb) {
		j->failed = true;
		return false;
	}
	j->buf = nb;
	j->cap = cap;
	return true;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (!reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void putc_(struct json *j, char c)
{
	put(j, &c, 1);
}

/* Writes the separator before a value or key at the current level. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		putc_(j, ',');
	j->first[j->depth] = false;
}

static void open_(struct json *j, char c)
{
	sep(j);
	putc_(j, c);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->failed = true;
		return;
	}
	j->depth--;
	putc_(j, c);
}

void json_begin_object(struct json *j) { open_(j, '{'); }
void json_end_object(struct json *j) { close_(j, '}'); }
void json_begin_array(struct json *j) { open_(j, '['); }
void json_end_array(struct json *j) { close_(j, ']'); }

static void escaped(struct json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	putc_(j, '"');
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		char u[7];

		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		case '\b': rep = "\\b"; break;
		case '\f': rep = "\\f"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
				u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
				rep = u;
			}
		}
		if (rep) {
			put(j, s + start, i - start);
			put(j, rep, strlen(rep));
			start = i + 1;
		}
	}
	put(j, s + start, i - start);
	putc_(j, '"');
}

void json_key(struct json *j, const char *key)
{
	if (j->depth == 0 || j->after_key) {
		j->failed = true;
		return;
	}
	sep(j);
	escaped(j, key, strlen(key));
	putc_(j, ':');
	j->after_key = true;
}

void json_string_n(struct json *j, const char *s, size_t n)
{
	if (!s) {
		json_null(j);
		return;
	}
	sep(j);
	escaped(j, s, n);
}

void json_string(struct json *j, const char *s)
{
	json_string_n(j, s, s ? strlen(s) : 0);
}

void json_int(struct json *j, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);
	sep(j);
	put(j, b, (size_t)n);
}

void json_uint(struct json *j, uint64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);
	sep(j);
	put(j, b, (size_t)n);
}

void json_double(struct json *j, double v)
{
	char b[40];
	int n;

	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	n = snprintf(b, sizeof(b), "%.17g", v);
	sep(j);
	put(j, b, (size_t)n);
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void json_null(struct json *j)
{
	sep(j);
	put(j, "null", 4);
}

void json_raw(struct json *j, const char *raw)
{
	sep(j);
	put(j, raw, strlen(raw));
}

void json_kv_string(struct json *j, const char *key, const char *s) { json_key(j, key); json_string(j, s); }
void json_kv_int(struct json *j, const char *key, int64_t v) { json_key(j, key); json_int(j, v); }
void json_kv_uint(struct json *j, const char *key, uint64_t v) { json_key(j, key); json_uint(j, v); }
void json_kv_bool(struct json *j, const char *key, bool v) { json_key(j, key); json_bool(j, v); }

/* ---- minimal reader for the few small responses the agent parses ---- */

static const char *find_value(const char *doc, const char *key)
{
	size_t kl = strlen(key);
	const char *p = doc;

	while ((p = strchr(p, '"')) != NULL) {
		const char *q = p + 1;
		/* skip this string */
		const char *e = q;
		while (*e && *e != '"') {
			if (*e == '\\' && e[1])
				e++;
			e++;
		}
		if (!*e)
			return NULL;
		if ((size_t)(e - q) == kl && strncmp(q, key, kl) == 0) {
			const char *v = e + 1;
			while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
				v++;
			if (*v == ':') {
				v++;
				while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
					v++;
				return v;
			}
		}
		p = e + 1;
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int json_find_string(const char *doc, const char *key, char *out, size_t out_len)
{
	const char *v = find_value(doc, key);
	size_t o = 0;

	if (!v || *v != '"' || out_len == 0)
		return -1;
	v++;
	while (*v && *v != '"') {
		char c = *v++;
		char enc[4];
		size_t n = 1;

		if (c == '\\') {
			char e = *v++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '"': case '\\': case '/': c = e; break;
			case 'u': {
				int k, cp = 0;
				for (k = 0; k < 4; k++) {
					int h = hexval(v[k]);
					if (h < 0)
						return -1;
					cp = cp * 16 + h;
				}
				v += 4;
				if (cp < 0x80) {
					enc[0] = (char)cp;
				} else if (cp < 0x800) {
					enc[0] = (char)(0xc0 | (cp >> 6));
					enc[1] = (char)(0x80 | (cp & 0x3f));
					n = 2;
				} else {
					enc[0] = (char)(0xe0 | (cp >> 12));
					enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[2] = (char)(0x80 | (cp & 0x3f));
					n = 3;
				}
				if (o + n >= out_len)
					return -1;
				memcpy(out + o, enc, n);
				o += n;
				continue;
			}
			default:
				return -1;
			}
		}
		if (o + 1 >= out_len)
			return -1;
		out[o++] = c;
	}
	if (*v != '"')
		return -1;
	out[o] = '\0';
	return 0;
}

int json_find_int(const char *doc, const char *key, long long *out)
{
	const char *v = find_value(doc, key);
	char *end;
	long long x;

	if (!v)
		return -1;
	x = strtoll(v, &end, 10);
	if (end == v)
		return -1;
	*out = x;
	return 0;
}
