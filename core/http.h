/* http.h — the HTTP/1.x request parser amberd uses: a pure function of (buf, len).
 *
 * Like picohttpparser: no allocation, no I/O, pointers into the caller's buffer; returns the
 * bytes the request head took, -1 for a malformed request (with the status to answer), or -2
 * when more bytes are needed. Easy to unit-test and to fuzz. Plus the small helpers a server
 * needs around it: percent-decoding, query-string iteration, header lookup, status texts. */
#ifndef AMBER_HTTP_H
#define AMBER_HTTP_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS      64
#define HTTP_MAX_REQUEST_LINE 8192  /* longer: 414 */
#define HTTP_MAX_HEAD	      32768 /* request line + headers; longer: 431 */

struct http_header {
	const char *name;
	size_t name_len;
	const char *value; /* without surrounding spaces */
	size_t value_len;
};

struct http_request {
	const char *method;
	size_t method_len;
	const char *target; /* the request-target as sent: "/v1/tables/t?x=1" */
	size_t target_len;
	const char *path; /* target up to '?' */
	size_t path_len;
	const char *query; /* after '?', "" when none */
	size_t query_len;
	int minor_version; /* 0 or 1 */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	uint64_t content_length; /* 0 when absent */
	int keep_alive;		 /* HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive */
	int expect_continue;	 /* "Expect: 100-continue" in an HTTP/1.1 request */
};

/* Parses one request head from buf[0..len). Returns the head's length (through the blank line),
 * -2 when incomplete (and not yet over a limit), or -1 with *status set: 400 malformed, 414
 * request line over HTTP_MAX_REQUEST_LINE, 431 head over HTTP_MAX_HEAD or more than
 * HTTP_MAX_HEADERS headers, 501 a Transfer-Encoding (chunked request bodies are not taken),
 * 505 a version other than HTTP/1.0 or 1.1, 400 a bad or duplicate Content-Length.
 * Both limits count line ends; empty lines before the request line are skipped (and counted in
 * the head). CRLF and bare LF both end a line. A prefix of any input gives -2 or the answer the
 * whole input gives, so limits and some errors are reported before the head is complete.
 * After -1 or -2 the fields of *req are unspecified. */
int http_parse_request(const char *buf, size_t len, struct http_request *req, int *status);

/* The header's value, or NULL; names compare case-insensitively. */
const struct http_header *http_find_header(const struct http_request *req, const char *name);

/* Appends the percent-decoding of in[0..len) to out; with plus_is_space, '+' is a space (query
 * strings). Returns 0, or -1 for a bad escape ("%zz", "%4") or an encoded NUL; out is then as
 * it was before the call. */
int http_url_decode(const char *in, size_t len, int plus_is_space, struct buf *out);

/* Iterates "a=1&b=2" pairs: call with *pos = 0 first; returns 1 and fills key and value
 * (decoded, reset first), 0 at the end, -1 for a bad escape. A pair without '=' has an empty
 * value; empty pairs ("a=1&&b=2") are skipped. After -1, *pos is past the bad pair. */
int http_query_next(const char *query, size_t len, size_t *pos, struct buf *key, struct buf *value);

/* "OK", "Not Found", ...; "Unknown" for codes it does not know. */
const char *http_status_text(int status);

#endif
