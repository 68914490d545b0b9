/* Unit tests for the JSON writer/reader and the backoff schedule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/backoff.h"
#include "../src/collect.h"
#include "../src/json.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); \
	if (!g_ || strcmp(g_, w_) != 0) { fprintf(stderr, "%s:%d: got [%s], want [%s]\n", __FILE__, __LINE__, g_ ? g_ : "(null)", w_); failures++; } } while (0)

static void test_nesting_and_commas(void)
{
	struct json j;
	char *s;
	json_init(&j);
	json_begin_object(&j);
	json_kv_int(&j, "a", -1);
	json_key(&j, "b");
	json_begin_array(&j);
	json_uint(&j, 18446744073709551615ull);
	json_bool(&j, true);
	json_null(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_begin_array(&j);
	json_end_array(&j);
	json_end_array(&j);
	json_kv_bool(&j, "c", false);
	json_key(&j, "d");
	json_raw(&j, "{\"x\":1}");
	json_end_object(&j);
	s = json_take(&j, NULL);
	CHECK_STR(s, "{\"a\":-1,\"b\":[18446744073709551615,true,null,{},[]],\"c\":false,\"d\":{\"x\":1}}");
	free(s);
}

static void test_escaping(void)
{
	struct json j;
	char *s;
	json_init(&j);
	json_begin_array(&j);
	json_string(&j, "q\"b\\n\nt\tc\x01\x1f\x7f" "é");
	json_string(&j, NULL);
	json_string_n(&j, "abcdef", 3);
	json_string_n(&j, "ab\0cd", 5); /* stops at NUL, like a kernel object name */
	json_end_array(&j);
	s = json_take(&j, NULL);
	CHECK_STR(s, "[\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\\u007fé\",null,\"abc\",\"ab\"]");
	free(s);
}

static void test_misuse_fails(void)
{
	struct json j;
	size_t len = 1;
	json_init(&j);
	json_begin_object(&j);
	json_key(&j, "a");
	json_end_object(&j); /* key without value */
	CHECK(json_take(&j, &len) == NULL);

	json_init(&j);
	json_begin_array(&j); /* never closed */
	CHECK(json_take(&j, NULL) == NULL);

	json_init(&j);
	json_end_array(&j); /* close without open */
	CHECK(json_take(&j, NULL) == NULL);
}

static void test_doubles(void)
{
	struct json j;
	char *s;
	json_init(&j);
	json_begin_array(&j);
	json_double(&j, 0.5);
	json_double(&j, NAN);
	json_end_array(&j);
	s = json_take(&j, NULL);
	CHECK_STR(s, "[0.5,null]");
	free(s);
}

static void test_large_document(void)
{
	struct json j;
	char *s;
	size_t len;
	int i;
	json_init(&j);
	json_begin_array(&j);
	for (i = 0; i < 100000; i++)
		json_int(&j, i);
	json_end_array(&j);
	s = json_take(&j, &len);
	CHECK(s != NULL);
	CHECK(len == strlen(s));
	CHECK(s && strncmp(s, "[0,1,2,", 7) == 0);
	CHECK(s && strcmp(s + len - 7, ",99999]") == 0);
	free(s);
}

static void test_reader(void)
{
	char out[64];
	long long n;
	const char *doc = "{ \"nodeId\" : \"01abc\", \"credential\":\"ep_n\\\"x\\u00e9\\/\", \"reportIntervalSeconds\": 15, \"nested\":{\"teamId\":\"t1\"}}";
	CHECK(json_find_string(doc, "nodeId", out, sizeof(out)) == 0);
	CHECK_STR(out, "01abc");
	CHECK(json_find_string(doc, "credential", out, sizeof(out)) == 0);
	CHECK_STR(out, "ep_n\"xé/");
	CHECK(json_find_int(doc, "reportIntervalSeconds", &n) == 0 && n == 15);
	CHECK(json_find_string(doc, "teamId", out, sizeof(out)) == 0);
	CHECK_STR(out, "t1");
	CHECK(json_find_string(doc, "missing", out, sizeof(out)) != 0);
	CHECK(json_find_string(doc, "reportIntervalSeconds", out, sizeof(out)) != 0); /* not a string */
	CHECK(json_find_string(doc, "nodeId", out, 3) != 0);                        /* too small */
	/* a value equal to a key name is not a key */
	CHECK(json_find_string("{\"a\":\"nodeId\",\"nodeId\":\"x\"}", "nodeId", out, sizeof(out)) == 0);
	CHECK_STR(out, "x");
}

static void test_round_trip(void)
{
	struct json j;
	char *s, out[128];
	const char *tricky = "a\"b\\c\n\x02 z";
	json_init(&j);
	json_begin_object(&j);
	json_kv_string(&j, "k", tricky);
	json_end_object(&j);
	s = json_take(&j, NULL);
	CHECK(s && json_find_string(s, "k", out, sizeof(out)) == 0);
	CHECK_STR(out, tricky);
	free(s);
}

static void test_time_format(void)
{
	char b[40];
	format_time_ns(0, b, sizeof(b));
	CHECK_STR(b, "1970-01-01T00:00:00.000Z");
	format_time_ns(1795000000123456789ull, b, sizeof(b));
	CHECK_STR(b, "2026-11-18T11:06:40.123Z");
}

static void test_backoff(void)
{
	CHECK(fabs(backoff_delay(1, 1, 300, 0) - 1) < 1e-9);
	CHECK(fabs(backoff_delay(2, 1, 300, 0) - 2) < 1e-9);
	CHECK(fabs(backoff_delay(5, 1, 300, 0) - 16) < 1e-9);
	CHECK(fabs(backoff_delay(9, 1, 300, 0) - 256) < 1e-9);
	CHECK(fabs(backoff_delay(10, 1, 300, 0) - 300) < 1e-9);
	CHECK(fabs(backoff_delay(100000, 1, 300, 0) - 300) < 1e-9); /* no overflow */
	CHECK(fabs(backoff_delay(10, 1, 300, 0.5) - 270) < 1e-9);    /* jitter shortens by up to 20% */
	CHECK(backoff_delay(10, 1, 300, 5) >= 240);                  /* jitter is clamped */
	CHECK(fabs(backoff_delay(0, 1, 300, 0) - 1) < 1e-9);
}

int main(void)
{
	test_nesting_and_commas();
	test_escaping();
	test_misuse_fails();
	test_doubles();
	test_large_document();
	test_reader();
	test_round_trip();
	test_time_format();
	test_backoff();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("all JSON/backoff checks passed\n");
	return 0;
}
