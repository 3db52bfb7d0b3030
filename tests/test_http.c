/* test_http.c — unit tests for the HTTP request-head parser and its helpers (core/http.h).
 *
 * Every parse runs on an exact-size heap copy so ASan catches a read past len. Most tests also
 * feed the same bytes one at a time, as a slow client would send them, and require -2 until
 * the parse gives exactly the answer the whole input gives. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/http.h"

/* A parse of one input from an exact-size copy; the copy lives until one_free. */
struct one {
	char *buf;
	size_t len;
	int r;
	int status;
	struct http_request req;
};

static int parse_copy(const char *in, size_t len, struct http_request *req, int *status, char **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, in, len);
	*status = 0;
	return http_parse_request(*copy, len, req, status);
}

/* Parses every prefix of in[0..len) shorter than the whole and requires -2 or, once the
 * answer is known, the same answer the whole gives (same length, or same status). Long inputs
 * (the limit tests) take every 61st prefix and the last 64, to stay quick. */
static void check_prefixes(const char *in, size_t len, int whole_r, int whole_status)
{
	int decided = 0;
	for (size_t n = 0; n<len; n += len> 2048 && n + 64 < len ? 61 : 1) {
		struct http_request req;
		int status;
		char *copy;
		int r = parse_copy(in, n, &req, &status, &copy);
		free(copy);
		if (decided || r != -2) {
			decided = 1;
			assert_int_equal(r, whole_r);
			if (r == -1)
				assert_int_equal(status, whole_status);
		}
	}
}

static void one_parse(struct one *o, const char *in, size_t len)
{
	memset(o, 0, sizeof(*o));
	o->len = len;
	o->r = parse_copy(in, len, &o->req, &o->status, &o->buf);
	check_prefixes(in, len, o->r, o->status);
}

static void one_free(struct one *o)
{
	free(o->buf);
}

#define PARSE(o, lit) one_parse((o), (lit), sizeof(lit) - 1)

static void assert_span(const char *p, size_t n, const char *want)
{
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

static void assert_header(const struct one *o, size_t i, const char *name, const char *value)
{
	assert_true(i < o->req.nheaders);
	const struct http_header *h = &o->req.headers[i];
	assert_span(h->name, h->name_len, name);
	assert_span(h->value, h->value_len, value);
	assert_true(h->name >= o->buf && h->value + h->value_len <= o->buf + o->len);
}

/* Requires the input to be rejected with `status`, whole and fed byte by byte. */
static void assert_rejected(const char *in, size_t len, int status)
{
	struct one o;
	one_parse(&o, in, len);
	if (o.r != -1 || o.status != status)
		fail_msg("want -1/%d, got %d/%d for \"%.*s\"", status, o.r, o.status,
			 (int)(len > 80 ? 80 : len), in);
	one_free(&o);
}

#define REJECTED(lit, status) assert_rejected((lit), sizeof(lit) - 1, (status))

static void assert_accepted(const char *in, size_t len)
{
	struct one o;
	one_parse(&o, in, len);
	if (o.r != (int)len)
		fail_msg("want %zu, got %d/%d for \"%.*s\"", len, o.r, o.status, (int)(len > 80 ? 80 : len),
			 in);
	one_free(&o);
}

#define ACCEPTED(lit) assert_accepted((lit), sizeof(lit) - 1)

/* ---- valid heads ---- */

static void test_http_get_head_fills_every_field(void **state)
{
	static const char in[] = "GET /v1/tables/t?x=1&y=2 HTTP/1.1\r\n"
				 "Host: example.com\r\n"
				 "User-Agent:  curl/8.0 \t\r\n"
				 "Accept: */*\r\n"
				 "\r\n";
	struct one o;
	PARSE(&o, in);
	assert_int_equal(o.r, sizeof(in) - 1);
	assert_span(o.req.method, o.req.method_len, "GET");
	assert_span(o.req.target, o.req.target_len, "/v1/tables/t?x=1&y=2");
	assert_span(o.req.path, o.req.path_len, "/v1/tables/t");
	assert_span(o.req.query, o.req.query_len, "x=1&y=2");
	assert_int_equal(o.req.minor_version, 1);
	assert_int_equal(o.req.nheaders, 3);
	assert_header(&o, 0, "Host", "example.com");
	assert_header(&o, 1, "User-Agent", "curl/8.0");
	assert_header(&o, 2, "Accept", "*/*");
	assert_int_equal(o.req.content_length, 0);
	assert_int_equal(o.req.keep_alive, 1);
	assert_int_equal(o.req.expect_continue, 0);
	one_free(&o);
}

static void test_http_head_without_query_has_empty_query(void **state)
{
	struct one o;
	PARSE(&o, "HEAD /healthz HTTP/1.0\r\n\r\n");
	assert_int_equal(o.r, 26);
	assert_span(o.req.method, o.req.method_len, "HEAD");
	assert_span(o.req.path, o.req.path_len, "/healthz");
	assert_non_null(o.req.query);
	assert_string_equal(o.req.query, "");
	assert_int_equal(o.req.query_len, 0);
	assert_int_equal(o.req.minor_version, 0);
	assert_int_equal(o.req.nheaders, 0);
	assert_int_equal(o.req.keep_alive, 0);
	one_free(&o);

	PARSE(&o, "GET /x? HTTP/1.1\r\n\r\n");
	assert_span(o.req.path, o.req.path_len, "/x");
	assert_int_equal(o.req.query_len, 0);
	one_free(&o);

	PARSE(&o, "GET /a?b?c HTTP/1.1\r\n\r\n");
	assert_span(o.req.path, o.req.path_len, "/a");
	assert_span(o.req.query, o.req.query_len, "b?c");
	one_free(&o);
}

static void test_http_post_with_content_length_and_expect(void **state)
{
	static const char in[] = "POST /v1/query HTTP/1.1\r\n"
				 "Content-Type: application/json\r\n"
				 "content-length: 1234\r\n"
				 "Expect: 100-Continue\r\n"
				 "\r\n"
				 "{\"sql\": ...";
	struct one o;
	PARSE(&o, in);
	assert_int_equal(o.r, strstr(in, "\r\n\r\n") - in + 4);
	assert_span(o.req.method, o.req.method_len, "POST");
	assert_int_equal(o.req.content_length, 1234);
	assert_int_equal(o.req.expect_continue, 1);
	assert_int_equal(o.req.nheaders, 3);
	assert_header(&o, 1, "content-length", "1234");
	one_free(&o);

	/* Expect is an HTTP/1.1 mechanism; a 1.0 request's is ignored (RFC 9110, 10.1.1). */
	PARSE(&o, "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
	assert_true(o.r > 0);
	assert_int_equal(o.req.expect_continue, 0);
	assert_int_equal(o.req.content_length, 3);
	one_free(&o);

	PARSE(&o, "POST / HTTP/1.1\r\nExpect: something-else\r\n\r\n");
	assert_true(o.r > 0);
	assert_int_equal(o.req.expect_continue, 0);
	one_free(&o);
}

static void test_http_bare_lf_line_ends_are_accepted(void **state)
{
	static const char in[] = "GET /a HTTP/1.1\nHost: h\nX-Y:z\n\n";
	struct one o;
	PARSE(&o, in);
	assert_int_equal(o.r, sizeof(in) - 1);
	assert_header(&o, 0, "Host", "h");
	assert_header(&o, 1, "X-Y", "z");
	one_free(&o);

	ACCEPTED("GET / HTTP/1.1\r\nA: b\n\r\n");
	ACCEPTED("GET / HTTP/1.1\nA: b\r\n\n");
}

static void test_http_header_values_are_trimmed_and_may_be_empty(void **state)
{
	struct one o;
	PARSE(&o, "GET / HTTP/1.1\r\nA:\r\nB: \t \r\nC:x y\t z\r\nD: caf\xc3\xa9\r\n\r\n");
	assert_true(o.r > 0);
	assert_int_equal(o.req.nheaders, 4);
	assert_header(&o, 0, "A", "");
	assert_header(&o, 1, "B", "");
	assert_header(&o, 2, "C", "x y\t z");
	assert_header(&o, 3, "D", "caf\xc3\xa9");
	one_free(&o);
}

static void test_http_leading_empty_lines_are_skipped(void **state)
{
	static const char in[] = "\r\n\nGET / HTTP/1.1\r\n\r\n";
	struct one o;
	PARSE(&o, in);
	assert_int_equal(o.r, sizeof(in) - 1);
	assert_span(o.req.method, o.req.method_len, "GET");
	one_free(&o);
}

static void test_http_options_asterisk_form(void **state)
{
	struct one o;
	PARSE(&o, "OPTIONS * HTTP/1.1\r\n\r\n");
	assert_int_equal(o.r, 22);
	assert_span(o.req.target, o.req.target_len, "*");
	assert_span(o.req.path, o.req.path_len, "*");
	one_free(&o);
	REJECTED("GET * HTTP/1.1\r\n\r\n", 400);
	REJECTED("OPTIONS *x HTTP/1.1\r\n\r\n", 400);
}

static void test_http_any_token_method_is_taken(void **state)
{
	struct one o;
	PARSE(&o, "M-SEARCH! /x HTTP/1.1\r\n\r\n");
	assert_true(o.r > 0);
	assert_span(o.req.method, o.req.method_len, "M-SEARCH!");
	one_free(&o);
}

static void test_http_pipelined_heads_parse_one_at_a_time(void **state)
{
	static const char in[] = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
				 "GET /two HTTP/1.1\r\nHost: b\r\n\r\n"
				 "GET /thr";
	char *copy = malloc(sizeof(in) - 1);
	assert_non_null(copy);
	memcpy(copy, in, sizeof(in) - 1);
	struct http_request req;
	int status = 0;
	size_t off = 0, len = sizeof(in) - 1;

	int r = http_parse_request(copy, len, &req, &status);
	assert_int_equal(r, 30);
	assert_span(req.path, req.path_len, "/one");
	off += (size_t)r;
	r = http_parse_request(copy + off, len - off, &req, &status);
	assert_int_equal(r, 30);
	assert_span(req.path, req.path_len, "/two");
	assert_span(req.headers[0].value, req.headers[0].value_len, "b");
	off += (size_t)r;
	assert_int_equal(http_parse_request(copy + off, len - off, &req, &status), -2);
	free(copy);
}

static void test_http_exactly_at_limits_is_accepted(void **state)
{
	struct buf b = BUF_INIT;
	/* The request line, CRLF included, exactly HTTP_MAX_REQUEST_LINE bytes. */
	buf_adds(&b, "GET /");
	while (b.len < HTTP_MAX_REQUEST_LINE - strlen(" HTTP/1.1\r\n"))
		buf_addc(&b, 'a');
	buf_adds(&b, " HTTP/1.1\r\n");
	assert_int_equal(b.len, HTTP_MAX_REQUEST_LINE);
	buf_adds(&b, "\r\n");
	assert_accepted(b.data, b.len);

	/* HTTP_MAX_HEADERS headers. */
	buf_reset(&b);
	buf_adds(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		buf_addf(&b, "X-%d: %d\r\n", i, i);
	buf_adds(&b, "\r\n");
	assert_accepted(b.data, b.len);

	/* A head exactly HTTP_MAX_HEAD bytes long. */
	buf_reset(&b);
	buf_adds(&b, "GET / HTTP/1.1\r\nX: ");
	while (b.len < HTTP_MAX_HEAD - 4)
		buf_addc(&b, 'v');
	buf_adds(&b, "\r\n\r\n");
	assert_int_equal(b.len, HTTP_MAX_HEAD);
	assert_accepted(b.data, b.len);
	buf_free(&b);
}

/* ---- errors ---- */

static void test_http_malformed_request_lines_are_400(void **state)
{
	REJECTED(" GET / HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET  / HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1 \r\n\r\n", 400);
	REJECTED("GET /  HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET\t/ HTTP/1.1\r\n\r\n", 400);
	REJECTED("G(T / HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET x HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET http://h/ HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET /a\x01 HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET /a\x7f HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET /a\0b HTTP/1.1\r\n\r\n", 400);
	REJECTED("GET /\r\n\r\n", 400);
	REJECTED("GET\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1x\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\rX\r\n\r\n", 400);
	REJECTED("GET / http/1.1\r\n\r\n", 400);
	REJECTED("GET / HTTP/1\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.\r\n\r\n", 400);
	REJECTED("GET / HTTP/x.1\r\n\r\n", 400);
	REJECTED("GET / HTTP/11.1\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.10\r\n\r\n", 400);
	REJECTED("\rGET / HTTP/1.1\r\n\r\n", 400);
	REJECTED("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400); /* a TLS ClientHello */
}

static void test_http_malformed_headers_are_400(void **state)
{
	REJECTED("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\n: h\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA(b: c\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\r\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\r\n\rX\r\n", 400);
	/* obs-fold, and whitespace before the first header */
	REJECTED("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", 400);
	REJECTED("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400);
}

static void test_http_bad_content_length_is_400(void **state)
{
	REJECTED("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400);
	REJECTED("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n", 400);

	struct one o;
	PARSE(&o, "POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n");
	assert_true(o.r > 0);
	assert_true(o.req.content_length == UINT64_MAX);
	one_free(&o);
	PARSE(&o, "POST / HTTP/1.1\r\nContent-Length: 007\r\nCONTENT-LENGTH:  7 \r\n\r\n");
	assert_true(o.r > 0);
	assert_int_equal(o.req.content_length, 7);
	one_free(&o);
}

static void test_http_transfer_encoding_is_501(void **state)
{
	REJECTED("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
	REJECTED("POST / HTTP/1.1\r\ntransfer-encoding: identity\r\nContent-Length: 3\r\n\r\n", 501);
	/* Reported as soon as its line is complete, before the head is. */
	static const char part[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost";
	struct http_request req;
	int status;
	char *copy;
	assert_int_equal(parse_copy(part, sizeof(part) - 1, &req, &status, &copy), -1);
	assert_int_equal(status, 501);
	free(copy);
}

static void test_http_unsupported_versions_are_505(void **state)
{
	REJECTED("GET / HTTP/2.0\r\n\r\n", 505);
	REJECTED("GET / HTTP/1.2\r\n\r\n", 505);
	REJECTED("GET / HTTP/0.9\r\n\r\n", 505);
	REJECTED("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505);
}

static void test_http_long_request_line_is_414_even_when_incomplete(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "GET /");
	while (b.len < HTTP_MAX_REQUEST_LINE - strlen(" HTTP/1.1\r\n") + 1)
		buf_addc(&b, 'a');
	buf_adds(&b, " HTTP/1.1\r\n\r\n");
	assert_rejected(b.data, b.len, 414);

	/* No line end yet: 414 once HTTP_MAX_REQUEST_LINE bytes arrived, -2 one byte earlier. */
	buf_reset(&b);
	buf_adds(&b, "GET /");
	while (b.len < HTTP_MAX_REQUEST_LINE)
		buf_addc(&b, 'a');
	struct http_request req;
	int status;
	char *copy;
	assert_int_equal(parse_copy(b.data, b.len - 1, &req, &status, &copy), -2);
	free(copy);
	assert_int_equal(parse_copy(b.data, b.len, &req, &status, &copy), -1);
	assert_int_equal(status, 414);
	free(copy);
	buf_free(&b);
}

static void test_http_head_over_limit_is_431_even_when_incomplete(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "GET / HTTP/1.1\r\n");
	while (b.len < HTTP_MAX_HEAD)
		buf_adds(&b, "X-Filler: 0123456789abcdef\r\n");
	buf_adds(&b, "\r\n");
	assert_rejected(b.data, b.len, 431); /* also more than HTTP_MAX_HEADERS: the count hits first */

	/* Few headers, one long value, never finished. */
	buf_reset(&b);
	buf_adds(&b, "GET / HTTP/1.1\r\nCookie: ");
	while (b.len < HTTP_MAX_HEAD)
		buf_addc(&b, 'c');
	struct http_request req;
	int status;
	char *copy;
	assert_int_equal(parse_copy(b.data, b.len - 1, &req, &status, &copy), -2);
	free(copy);
	assert_int_equal(parse_copy(b.data, b.len, &req, &status, &copy), -1);
	assert_int_equal(status, 431);
	free(copy);
	buf_adds(&b, "\r\n\r\n");
	assert_rejected(b.data, b.len, 431);

	/* The blank line one byte past the limit. */
	buf_reset(&b);
	buf_adds(&b, "GET / HTTP/1.1\r\nX: ");
	while (b.len < HTTP_MAX_HEAD - 3)
		buf_addc(&b, 'v');
	buf_adds(&b, "\r\n\r\n");
	assert_rejected(b.data, b.len, 431);
	buf_free(&b);
}

static void test_http_too_many_headers_is_431_even_when_incomplete(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		buf_addf(&b, "X-%d: %d\r\n", i, i);
	buf_adds(&b, "\r\n");
	assert_rejected(b.data, b.len, 431);

	/* Known at the first byte of header HTTP_MAX_HEADERS + 1. */
	buf_reset(&b);
	buf_adds(&b, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		buf_addf(&b, "X-%d: %d\r\n", i, i);
	buf_addc(&b, 'Y');
	struct http_request req;
	int status;
	char *copy;
	assert_int_equal(parse_copy(b.data, b.len, &req, &status, &copy), -1);
	assert_int_equal(status, 431);
	free(copy);
	buf_free(&b);
}

static void test_http_every_prefix_of_valid_requests_needs_more(void **state)
{
	static const char *const inputs[] = {
	    "GET / HTTP/1.1\r\n\r\n",
	    "GET /v1/t?q=%41+b HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n",
	    "POST /x HTTP/1.0\nContent-Length: 10\nConnection: Keep-Alive\n\n",
	    "\r\n\r\nOPTIONS * HTTP/1.1\r\nA:\r\n\r\n",
	};
	for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		size_t len = strlen(inputs[k]);
		for (size_t n = 0; n < len; n++) {
			struct http_request req;
			int status;
			char *copy;
			int r = parse_copy(inputs[k], n, &req, &status, &copy);
			free(copy);
			if (r != -2)
				fail_msg("input %zu prefix %zu: got %d/%d", k, n, r, status);
		}
		assert_accepted(inputs[k], len);
	}
}

/* ---- keep-alive ---- */

static void test_http_keep_alive_follows_version_and_connection(void **state)
{
	static const struct {
		const char *in;
		int keep_alive;
	} cases[] = {
	    {"GET / HTTP/1.1\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: upgrade ,\tClose , foo\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: foo,keep-alive\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nConnection:\r\n\r\n", 1},
	    {"GET / HTTP/1.1\r\nConnection: ,,\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nX-Connection: keep-alive\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nX-Note: close\r\n\r\n", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct one o;
		one_parse(&o, cases[i].in, strlen(cases[i].in));
		assert_int_equal(o.r, strlen(cases[i].in));
		if (o.req.keep_alive != cases[i].keep_alive)
			fail_msg("case %zu: keep_alive %d, want %d", i, o.req.keep_alive,
				 cases[i].keep_alive);
		one_free(&o);
	}
}

/* ---- helpers ---- */

static void test_http_find_header_ignores_case(void **state)
{
	struct one o;
	PARSE(&o, "GET / HTTP/1.1\r\nHost: a\r\nX-Req-Id: 7\r\nhost: b\r\n\r\n");
	assert_true(o.r > 0);
	const struct http_header *h = http_find_header(&o.req, "host");
	assert_non_null(h);
	assert_ptr_equal(h, &o.req.headers[0]); /* the first of repeats */
	h = http_find_header(&o.req, "x-REQ-id");
	assert_non_null(h);
	assert_span(h->value, h->value_len, "7");
	assert_null(http_find_header(&o.req, "X-Req"));
	assert_null(http_find_header(&o.req, "X-Req-Id2"));
	assert_null(http_find_header(&o.req, ""));
	one_free(&o);
}

static void decode_ok(const char *in, int plus, const char *want, size_t want_len)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "pre:");
	assert_int_equal(http_url_decode(in, strlen(in), plus, &b), 0);
	assert_int_equal(b.len, 4 + want_len);
	assert_memory_equal(b.data, "pre:", 4);
	assert_memory_equal(b.data + 4, want, want_len);
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);
}

static void decode_bad(const char *in, int plus)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "pre:");
	assert_int_equal(http_url_decode(in, strlen(in), plus, &b), -1);
	assert_string_equal(b.data, "pre:");
	assert_int_equal(b.len, 4);
	buf_free(&b);
}

static void test_http_url_decode_valid_escapes(void **state)
{
	decode_ok("", 0, "", 0);
	decode_ok("abc", 0, "abc", 3);
	decode_ok("a%20b", 0, "a b", 3);
	decode_ok("%2f%2F%3d", 0, "//=", 3);
	decode_ok("%7e%7E%41", 0, "~~A", 3);
	decode_ok("%01%ff", 0, "\x01\xff", 2);
	decode_ok("caf%C3%A9", 0, "caf\xc3\xa9", 5);
	decode_ok("caf\xc3\xa9", 0, "caf\xc3\xa9", 5); /* raw UTF-8 bytes pass through */
	decode_ok("%2525", 0, "%25", 3);	       /* decoded once only */
}

static void test_http_url_decode_plus_is_space_only_in_queries(void **state)
{
	decode_ok("a+b", 1, "a b", 3);
	decode_ok("a+b", 0, "a+b", 3);
	decode_ok("%2B+", 1, "+ ", 2);
}

static void test_http_url_decode_rejects_bad_escapes_and_nul(void **state)
{
	decode_bad("%", 0);
	decode_bad("%4", 0);
	decode_bad("ab%4", 1);
	decode_bad("%zz", 0);
	decode_bad("%g0", 0);
	decode_bad("%0g", 0);
	decode_bad("% 41", 0);
	decode_bad("%00", 0);
	decode_bad("a%00b", 1);
	decode_bad("ok%41%", 0);
}

struct pair {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

/* Iterates `query` and requires exactly the pairs `want`, then 0 (or -1 when `bad`). */
static void check_query(const char *query, const struct pair *want, size_t n, int bad)
{
	struct buf key = BUF_INIT, value = BUF_INIT;
	size_t pos = 0, len = strlen(query);
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, query, len);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(http_query_next(copy, len, &pos, &key, &value), 1);
		assert_int_equal(key.len, want[i].key_len);
		assert_memory_equal(buf_str(&key), want[i].key, key.len);
		assert_int_equal(value.len, want[i].value_len);
		assert_memory_equal(buf_str(&value), want[i].value, value.len);
		assert_int_equal(buf_str(&value)[value.len], '\0');
	}
	assert_int_equal(http_query_next(copy, len, &pos, &key, &value), bad ? -1 : 0);
	if (!bad)
		assert_int_equal(http_query_next(copy, len, &pos, &key, &value), 0);
	free(copy);
	buf_free(&key);
	buf_free(&value);
}

#define P(k, v)                                                                                              \
	{                                                                                                    \
		k, sizeof(k) - 1, v, sizeof(v) - 1                                                           \
	}

static void test_http_query_iterates_pairs(void **state)
{
	static const struct pair simple[] = {P("a", "1"), P("b", "2")};
	check_query("a=1&b=2", simple, 2, 0);
	check_query("", NULL, 0, 0);
	check_query("&&&", NULL, 0, 0);
}

static void test_http_query_skips_empty_pairs(void **state)
{
	static const struct pair want[] = {P("a", "1"), P("b", "2")};
	check_query("a=1&&b=2", want, 2, 0);
	check_query("&a=1&b=2&", want, 2, 0);
	check_query("&&a=1&&&b=2&&", want, 2, 0);
}

static void test_http_query_pairs_without_equals_and_empty_sides(void **state)
{
	static const struct pair want[] = {P("flag", ""), P("x", ""), P("", "v"), P("", ""), P("k", "a=b")};
	check_query("flag&x=&=v&=&k=a=b", want, 5, 0);
}

static void test_http_query_decodes_keys_and_values(void **state)
{
	static const struct pair want[] = {P("a&b", "c=d"), P("sp ace", "x y+"), P("q", "caf\xc3\xa9"),
					   P("n", "\x01")};
	check_query("a%26b=c%3Dd&sp+ace=x%20y%2b&q=caf%c3%a9&n=%01", want, 4, 0);
}

static void test_http_query_bad_escape_is_an_error_and_moves_on(void **state)
{
	static const struct pair want[] = {P("a", "1")};
	check_query("a=1&b=%zz&c=3", want, 1, 1);
	check_query("a=1&%00=x", want, 1, 1);

	/* After -1 the iteration can go on with the next pair. */
	static const char q[] = "x=%4&y=2";
	struct buf key = BUF_INIT, value = BUF_INIT;
	size_t pos = 0;
	assert_int_equal(http_query_next(q, sizeof(q) - 1, &pos, &key, &value), -1);
	assert_int_equal(http_query_next(q, sizeof(q) - 1, &pos, &key, &value), 1);
	assert_string_equal(buf_str(&key), "y");
	assert_string_equal(buf_str(&value), "2");
	buf_free(&key);
	buf_free(&value);
}

static void test_http_status_texts(void **state)
{
	static const struct {
		int code;
		const char *text;
	} cases[] = {
	    {100, "Continue"},
	    {200, "OK"},
	    {204, "No Content"},
	    {206, "Partial Content"},
	    {301, "Moved Permanently"},
	    {304, "Not Modified"},
	    {400, "Bad Request"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {408, "Request Timeout"},
	    {411, "Length Required"},
	    {413, "Content Too Large"},
	    {414, "URI Too Long"},
	    {415, "Unsupported Media Type"},
	    {429, "Too Many Requests"},
	    {431, "Request Header Fields Too Large"},
	    {500, "Internal Server Error"},
	    {501, "Not Implemented"},
	    {503, "Service Unavailable"},
	    {505, "HTTP Version Not Supported"},
	    {0, "Unknown"},
	    {299, "Unknown"},
	    {-1, "Unknown"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(http_status_text(cases[i].code), cases[i].text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http_get_head_fills_every_field),
	    cmocka_unit_test(test_http_head_without_query_has_empty_query),
	    cmocka_unit_test(test_http_post_with_content_length_and_expect),
	    cmocka_unit_test(test_http_bare_lf_line_ends_are_accepted),
	    cmocka_unit_test(test_http_header_values_are_trimmed_and_may_be_empty),
	    cmocka_unit_test(test_http_leading_empty_lines_are_skipped),
	    cmocka_unit_test(test_http_options_asterisk_form),
	    cmocka_unit_test(test_http_any_token_method_is_taken),
	    cmocka_unit_test(test_http_pipelined_heads_parse_one_at_a_time),
	    cmocka_unit_test(test_http_exactly_at_limits_is_accepted),
	    cmocka_unit_test(test_http_malformed_request_lines_are_400),
	    cmocka_unit_test(test_http_malformed_headers_are_400),
	    cmocka_unit_test(test_http_bad_content_length_is_400),
	    cmocka_unit_test(test_http_transfer_encoding_is_501),
	    cmocka_unit_test(test_http_unsupported_versions_are_505),
	    cmocka_unit_test(test_http_long_request_line_is_414_even_when_incomplete),
	    cmocka_unit_test(test_http_head_over_limit_is_431_even_when_incomplete),
	    cmocka_unit_test(test_http_too_many_headers_is_431_even_when_incomplete),
	    cmocka_unit_test(test_http_every_prefix_of_valid_requests_needs_more),
	    cmocka_unit_test(test_http_keep_alive_follows_version_and_connection),
	    cmocka_unit_test(test_http_find_header_ignores_case),
	    cmocka_unit_test(test_http_url_decode_valid_escapes),
	    cmocka_unit_test(test_http_url_decode_plus_is_space_only_in_queries),
	    cmocka_unit_test(test_http_url_decode_rejects_bad_escapes_and_nul),
	    cmocka_unit_test(test_http_query_iterates_pairs),
	    cmocka_unit_test(test_http_query_skips_empty_pairs),
	    cmocka_unit_test(test_http_query_pairs_without_equals_and_empty_sides),
	    cmocka_unit_test(test_http_query_decodes_keys_and_values),
	    cmocka_unit_test(test_http_query_bad_escape_is_an_error_and_moves_on),
	    cmocka_unit_test(test_http_status_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
