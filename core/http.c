/* http.c — the HTTP/1.x request-head parser and its helpers (see http.h).
 *
 * The parser must give the same answer whether a head arrives whole or in pieces: a server
 * calls it again on every read until it stops returning -2. So every error is decided by the
 * bytes before it, scanning front to back, and the limits are applied as windows: the head is
 * parsed inside its first HTTP_MAX_HEAD bytes (an unfinished head there is 431), the request
 * line inside its first HTTP_MAX_REQUEST_LINE bytes (no line end there is 414). Lines are found
 * with memchr and checked with one table lookup per byte. */
#include "core/http.h"

#include "core/hex.h"

#include <string.h>

/* Character classes, one bit each. */
#define C_TOKEN	 1 /* tchar: method and header-name bytes */
#define C_TARGET 2 /* request-target bytes: visible ASCII and obs-text */
#define C_VALUE	 4 /* field-value bytes: HT, SP, visible ASCII and obs-text */

static const unsigned char char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    4, 7, 6, 7, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 6, /* 0x20 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, /* 0x30 */
    6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, /* 0x40 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 7, 7, /* 0x50 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, /* 0x60 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0, /* 0x70 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0x80 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0x90 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0xa0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0xb0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0xc0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0xd0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0xe0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0xf0 */
};

#define IS(c, cls) (char_class[(unsigned char)(c)] & (cls))

static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* a[0..n) equals the lowercase ASCII `lower` ignoring case. */
static inline int equals_lower(const char *a, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != (unsigned char)lower[i])
			return 0;
	return 1;
}

#define EQUALS_LIT(p, n, lit) ((n) == sizeof(lit) - 1 && equals_lower((p), (lit), sizeof(lit) - 1))

/* Checks the request line p[0..n). With `complete`, p is the whole line without its line end;
 * otherwise it is what has arrived so far and only errors those bytes already prove are
 * reported. Returns 0 (fields filled when complete) or -1 with *status. Errors are found front
 * to back, so a partial line reports nothing the complete line would not. */
static int scan_request_line(const char *p, size_t n, int complete, struct http_request *req, int *status)
{
	size_t i = 0;
	while (i < n && IS(p[i], C_TOKEN))
		i++;
	if (i == n)
		goto end;
	if (i == 0 || p[i] != ' ')
		goto bad;
	req->method = p;
	req->method_len = i;

	size_t t = ++i; /* target start */
	if (i == n)
		goto end;
	if (p[i] == '*') {
		/* Asterisk-form, only for a server-wide OPTIONS. */
		if (!(req->method_len == 7 && memcmp(p, "OPTIONS", 7) == 0))
			goto bad;
		i++;
		if (i == n)
			goto end;
		if (p[i] != ' ')
			goto bad;
	} else {
		if (p[i] != '/')
			goto bad;
		while (i < n && IS(p[i], C_TARGET))
			i++;
		if (i == n)
			goto end;
		if (p[i] != ' ')
			goto bad;
	}
	req->target = p + t;
	req->target_len = i - t;

	/* "HTTP/" DIGIT "." DIGIT */
	static const char proto[] = "HTTP/";
	size_t v = ++i;
	for (; i < n && i - v < 5; i++)
		if (p[i] != proto[i - v])
			goto bad;
	if (i < n && !(p[i] >= '0' && p[i] <= '9'))
		goto bad;
	if (i + 1 < n && p[i + 1] != '.')
		goto bad;
	if (i + 2 < n && !(p[i + 2] >= '0' && p[i + 2] <= '9'))
		goto bad;
	if (i + 2 >= n)
		goto end;
	if (p[i] != '1' || p[i + 2] > '1') {
		*status = 505;
		return -1;
	}
	req->minor_version = p[i + 2] - '0';
	i += 3;
	/* Nothing may follow but the line end; a partial line may hold the CR of a CRLF. */
	if (complete ? i != n : (i < n && (p[i] != '\r' || i + 1 != n)))
		goto bad;
	return 0;
end:
	if (!complete)
		return 0;
bad:
	*status = 400;
	return -1;
}

/* Takes one Content-Length value: digits only, no overflow, repeats must agree. */
static int take_content_length(const char *v, size_t n, int *seen, struct http_request *req)
{
	if (n == 0)
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)v[i] - '0';
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	if (*seen && x != req->content_length)
		return -1;
	*seen = 1;
	req->content_length = x;
	return 0;
}

/* Notes "close" and "keep-alive" among the comma-separated Connection options. */
static void take_connection(const char *v, size_t n, int *close, int *keep)
{
	size_t i = 0;
	while (i < n) {
		const char *comma = memchr(v + i, ',', n - i);
		size_t end = comma ? (size_t)(comma - v) : n;
		size_t a = i, b = end;
		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (EQUALS_LIT(v + a, b - a, "close"))
			*close = 1;
		else if (EQUALS_LIT(v + a, b - a, "keep-alive"))
			*keep = 1;
		i = end + 1;
	}
}

/* The parser proper, on a window already cut to HTTP_MAX_HEAD bytes. */
static int parse_head(const char *buf, size_t len, struct http_request *req, int *status)
{
	size_t pos = 0;

	/* Empty lines before the request line are ignored (RFC 9112, section 2.2). */
	while (pos < len) {
		if (buf[pos] == '\n') {
			pos++;
		} else if (buf[pos] == '\r') {
			if (pos + 1 == len)
				return -2;
			if (buf[pos + 1] != '\n')
				break; /* the request line rejects it */
			pos += 2;
		} else {
			break;
		}
	}
	if (pos == len)
		return -2;

	/* The request line, line end included, must fit in HTTP_MAX_REQUEST_LINE. */
	size_t avail = len - pos;
	size_t window = avail < HTTP_MAX_REQUEST_LINE ? avail : HTTP_MAX_REQUEST_LINE;
	const char *lf = memchr(buf + pos, '\n', window);
	if (!lf) {
		if (scan_request_line(buf + pos, window, 0, req, status) < 0)
			return -1;
		if (avail >= HTTP_MAX_REQUEST_LINE) {
			*status = 414;
			return -1;
		}
		return -2;
	}
	size_t end = (size_t)(lf - buf);
	if (end > pos && buf[end - 1] == '\r')
		end--;
	if (scan_request_line(buf + pos, end - pos, 1, req, status) < 0)
		return -1;
	pos = (size_t)(lf - buf) + 1;

	int seen_length = 0, conn_close = 0, conn_keep = 0;
	for (;;) {
		if (pos == len)
			return -2;
		char c = buf[pos];
		if (c == '\n' || c == '\r') {
			if (c == '\r') {
				if (pos + 1 == len)
					return -2;
				if (buf[pos + 1] != '\n')
					goto bad;
				pos++;
			}
			pos++;
			break;
		}
		/* A line folded onto the previous one (obs-fold), or space before the first header. */
		if (c == ' ' || c == '\t')
			goto bad;
		if (req->nheaders == HTTP_MAX_HEADERS) {
			*status = 431;
			return -1;
		}
		lf = memchr(buf + pos, '\n', len - pos);
		if (!lf)
			return -2;
		const char *p = buf + pos, *e = lf;
		if (e[-1] == '\r')
			e--;

		const char *name = p;
		while (p < e && IS(*p, C_TOKEN))
			p++;
		size_t name_len = (size_t)(p - name);
		if (name_len == 0 || p == e || *p != ':')
			goto bad;
		p++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		const char *value = p;
		for (; p < e; p++)
			if (!IS(*p, C_VALUE))
				goto bad;
		while (e > value && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t value_len = (size_t)(e - value);

		struct http_header *h = &req->headers[req->nheaders++];
		h->name = name;
		h->name_len = name_len;
		h->value = value;
		h->value_len = value_len;

		switch (name_len) {
		case 6:
			if (EQUALS_LIT(name, name_len, "expect") && req->minor_version == 1 &&
			    EQUALS_LIT(value, value_len, "100-continue"))
				req->expect_continue = 1;
			break;
		case 10:
			if (EQUALS_LIT(name, name_len, "connection"))
				take_connection(value, value_len, &conn_close, &conn_keep);
			break;
		case 14:
			if (EQUALS_LIT(name, name_len, "content-length") &&
			    take_content_length(value, value_len, &seen_length, req) < 0)
				goto bad;
			break;
		case 17:
			if (EQUALS_LIT(name, name_len, "transfer-encoding")) {
				*status = 501;
				return -1;
			}
			break;
		}
		pos = (size_t)(lf - buf) + 1;
	}

	const char *q = memchr(req->target, '?', req->target_len);
	req->path = req->target;
	if (q) {
		req->path_len = (size_t)(q - req->target);
		req->query = q + 1;
		req->query_len = req->target_len - req->path_len - 1;
	} else {
		req->path_len = req->target_len;
		req->query = "";
		req->query_len = 0;
	}
	req->keep_alive = req->minor_version == 1 ? !conn_close : conn_keep && !conn_close;
	return (int)pos;
bad:
	*status = 400;
	return -1;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req, int *status)
{
	req->nheaders = 0;
	req->content_length = 0;
	req->keep_alive = 0;
	req->expect_continue = 0;
	req->minor_version = 0;
	int r = parse_head(buf, len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD, req, status);
	if (r == -2 && len >= HTTP_MAX_HEAD) {
		*status = 431;
		return -1;
	}
	return r;
}

const struct http_header *http_find_header(const struct http_request *req, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];
		if (h->name_len != n)
			continue;
		size_t j = 0;
		while (j < n && ascii_lower((unsigned char)h->name[j]) == ascii_lower((unsigned char)name[j]))
			j++;
		if (j == n)
			return h;
	}
	return NULL;
}

int http_url_decode(const char *in, size_t len, int plus_is_space, struct buf *out)
{
	/* The decoding is never longer than the input: write in place, commit at the end. */
	buf_grow(out, len);
	char *o = out->data + out->len;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3 || (hi = hex_digit((unsigned char)in[i + 1])) < 0 ||
			    (lo = hex_digit((unsigned char)in[i + 2])) < 0 || (hi | lo) == 0) {
				out->data[out->len] = '\0';
				return -1;
			}
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			*o++ = ' ';
		} else {
			*o++ = c;
		}
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

int http_query_next(const char *query, size_t len, size_t *pos, struct buf *key, struct buf *value)
{
	buf_reset(key);
	buf_reset(value);
	while (*pos < len) {
		size_t start = *pos;
		const char *amp = memchr(query + start, '&', len - start);
		size_t end = amp ? (size_t)(amp - query) : len;
		*pos = amp ? end + 1 : len;
		if (end == start)
			continue;
		const char *eq = memchr(query + start, '=', end - start);
		size_t key_end = eq ? (size_t)(eq - query) : end;
		if (http_url_decode(query + start, key_end - start, 1, key) < 0)
			return -1;
		if (eq && http_url_decode(eq + 1, end - key_end - 1, 1, value) < 0)
			return -1;
		/* Leave both NUL-terminated, even when empty. */
		buf_grow(key, 0);
		buf_grow(value, 0);
		key->data[key->len] = '\0';
		value->data[value->len] = '\0';
		return 1;
	}
	return 0;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 416:
		return "Range Not Satisfiable";
	case 417:
		return "Expectation Failed";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Unknown";
}
