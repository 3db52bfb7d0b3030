/* fuzz_http.c — libFuzzer target for http_parse_request and the query helpers.
 *
 * Input: byte 0 seeds the split sequence, byte 1 is a repeat count, the rest is the stream a
 * client sent. With a repeat count and the text shaped A 0xfe B 0xfe C, the stream is A, then
 * B repeated count*64 times, then C (at most 48 KiB), so the 414 and 431 limits are in reach.
 *
 * The stream is parsed request by request (skipping each Content-Length body) twice: whole,
 * and as a server sees it, by growing prefixes at random cuts, each from an exact-size copy.
 * The first prefix that does not need more must give exactly the whole parse's answer. Each
 * parsed head is checked against what http.h promises, and its query is iterated and its path
 * and query percent-decoded, checking that the decoder inverts an encoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/http.h"

#define MAX_STREAM 49152

#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int is_token(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int within(const char *base, size_t n, const char *p, size_t len)
{
	return p >= base && p + len <= base + n;
}

/* What http.h promises about a head of r bytes at buf. */
static void check_head(const char *buf, int r, const struct http_request *q)
{
	size_t n = (size_t)r;
	check(r > 0 && r <= HTTP_MAX_HEAD && buf[n - 1] == '\n');
	check(q->method_len > 0 && within(buf, n, q->method, q->method_len));
	for (size_t i = 0; i < q->method_len; i++)
		check(is_token((unsigned char)q->method[i]));
	check(q->method + q->method_len + 1 == q->target);
	check(q->target_len > 0 && within(buf, n, q->target, q->target_len));
	check(q->target[0] == '/' || (q->target_len == 1 && q->target[0] == '*'));
	for (size_t i = 0; i < q->target_len; i++)
		check((unsigned char)q->target[i] > ' ' && q->target[i] != 0x7f);
	check(q->path == q->target && q->path_len <= q->target_len);
	check(!memchr(q->path, '?', q->path_len));
	if (q->path_len < q->target_len)
		check(q->query == q->target + q->path_len + 1 &&
		      q->path_len + 1 + q->query_len == q->target_len);
	else
		check(q->query_len == 0 && q->query && q->query[0] == '\0');
	check((size_t)(q->target + q->target_len - buf) + 10 <= n); /* " HTTP/1.x" and a line end */
	check(memcmp(q->target + q->target_len, " HTTP/1.", 8) == 0);
	check(q->target[q->target_len + 8] - '0' == q->minor_version);
	check(q->minor_version == 0 || q->minor_version == 1);
	check(q->nheaders <= HTTP_MAX_HEADERS);
	check(q->keep_alive == 0 || q->keep_alive == 1);
	check(q->expect_continue == 0 || (q->expect_continue == 1 && q->minor_version == 1));

	const struct http_header *length = NULL;
	for (size_t i = 0; i < q->nheaders; i++) {
		const struct http_header *h = &q->headers[i];
		check(h->name_len > 0 && within(buf, n, h->name, h->name_len));
		check(within(buf, n, h->value, h->value_len));
		check(h->name > q->target && (i == 0 || h->name > q->headers[i - 1].value));
		check(h->name[h->name_len] == ':');
		for (size_t j = 0; j < h->name_len; j++)
			check(is_token((unsigned char)h->name[j]));
		for (size_t j = 0; j < h->value_len; j++) {
			unsigned char c = (unsigned char)h->value[j];
			check(c == '\t' || (c >= ' ' && c != 0x7f));
		}
		if (h->value_len)
			check(h->value[0] != ' ' && h->value[0] != '\t' &&
			      h->value[h->value_len - 1] != ' ' && h->value[h->value_len - 1] != '\t');
		check(!(h->name_len == 17 && strncasecmp(h->name, "transfer-encoding", 17) == 0));
		if (!length && h->name_len == 14 && strncasecmp(h->name, "content-length", 14) == 0)
			length = h;
	}
	check(http_find_header(q, "Content-Length") == length);
	if (length) {
		uint64_t x = 0;
		for (size_t j = 0; j < length->value_len; j++) {
			check(length->value[j] >= '0' && length->value[j] <= '9');
			x = x * 10 + (uint64_t)(length->value[j] - '0');
		}
		check(x == q->content_length);
	} else {
		check(q->content_length == 0);
	}
}

static void check_same(const char *a, const struct http_request *qa, const char *b,
		       const struct http_request *qb)
{
	check(qa->method - a == qb->method - b && qa->method_len == qb->method_len);
	check(qa->target - a == qb->target - b && qa->target_len == qb->target_len);
	check(qa->path_len == qb->path_len && qa->query_len == qb->query_len);
	check(qa->minor_version == qb->minor_version && qa->nheaders == qb->nheaders);
	check(qa->content_length == qb->content_length && qa->keep_alive == qb->keep_alive);
	check(qa->expect_continue == qb->expect_continue);
	for (size_t i = 0; i < qa->nheaders; i++) {
		const struct http_header *ha = &qa->headers[i], *hb = &qb->headers[i];
		check(ha->name - a == hb->name - b && ha->name_len == hb->name_len);
		check(ha->value - a == hb->value - b && ha->value_len == hb->value_len);
	}
}

/* Percent-encodes every byte but unreserved ones, then requires the decoder to invert it. */
static void check_decode_inverts_encode(const char *s, size_t n, struct buf *enc, struct buf *dec)
{
	static const char hex[] = "0123456789ABCDEF";
	if (memchr(s, '\0', n))
		return;
	buf_reset(enc);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.') {
			buf_addc(enc, (char)c);
		} else {
			buf_addc(enc, '%');
			buf_addc(enc, hex[c >> 4]);
			buf_addc(enc, hex[c & 15]);
		}
	}
	buf_reset(dec);
	check(http_url_decode(buf_str(enc), enc->len, 1, dec) == 0);
	check(dec->len == n && memcmp(buf_str(dec), s, n) == 0);
}

static void check_query(const struct http_request *q)
{
	struct buf key = BUF_INIT, value = BUF_INIT, enc = BUF_INIT;
	size_t pos = 0, pairs = 0, amps = 0;
	for (size_t i = 0; i < q->query_len; i++)
		amps += q->query[i] == '&';
	for (;;) {
		size_t before = pos;
		int r = http_query_next(q->query, q->query_len, &pos, &key, &value);
		check(r >= -1 && r <= 1 && pos <= q->query_len);
		if (r == 0) {
			check(pos == q->query_len);
			break;
		}
		check(pos > before);
		check(key.len + value.len <= pos - before);
		if (r == 1) {
			pairs++;
			check(!memchr(buf_str(&key), '\0', key.len) &&
			      !memchr(buf_str(&value), '\0', value.len));
			check(buf_str(&key)[key.len] == '\0' && buf_str(&value)[value.len] == '\0');
		}
	}
	check(pairs <= amps + 1);

	buf_reset(&key);
	size_t before = key.len;
	if (http_url_decode(q->path, q->path_len, 0, &key) == 0)
		check(key.len <= q->path_len);
	else
		check(key.len == before);
	check_decode_inverts_encode(q->query, q->query_len, &enc, &value);
	buf_free(&key);
	buf_free(&value);
	buf_free(&enc);
}

/* The stream the input describes; returns its length. */
static size_t make_stream(const uint8_t *data, size_t size, char *out)
{
	const uint8_t *t = data + 2;
	size_t n = size - 2;
	const uint8_t *m1 = memchr(t, 0xfe, n);
	const uint8_t *m2 = m1 ? memchr(m1 + 1, 0xfe, n - (size_t)(m1 + 1 - t)) : NULL;
	if (data[1] == 0 || !m2) {
		n = n < MAX_STREAM ? n : MAX_STREAM;
		memcpy(out, t, n);
		return n;
	}
	size_t a = (size_t)(m1 - t), b = (size_t)(m2 - m1 - 1), c = n - (size_t)(m2 + 1 - t), len = 0;
	memcpy(out, t, a < MAX_STREAM ? a : MAX_STREAM);
	len = a < MAX_STREAM ? a : MAX_STREAM;
	for (size_t k = 0; b && k < (size_t)data[1] * 64 && len + b <= MAX_STREAM; k++, len += b)
		memcpy(out + len, m1 + 1, b);
	size_t cc = c < MAX_STREAM - len ? c : MAX_STREAM - len;
	memcpy(out + len, m2 + 1, cc);
	return len + cc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	static char stream[MAX_STREAM];
	size_t n = make_stream(data, size, stream);
	uint32_t seed = 0x9e3779b9u ^ data[0] * 0x01000193u;

	char *whole = malloc(n ? n : 1);
	check(whole);
	memcpy(whole, stream, n);
	size_t off = 0;
	for (int requests = 0; requests < 64; requests++) {
		struct http_request wq, pq;
		int ws = 0, ps = 0;
		size_t rest = n - off;
		int w = http_parse_request(whole + off, rest, &wq, &ws);
		check(w == -2 || w == -1 || (w > 0 && (size_t)w <= rest));
		if (w == -2)
			check(rest < HTTP_MAX_HEAD);
		if (w == -1)
			check(ws == 400 || ws == 414 || ws == 431 || ws == 501 || ws == 505);

		/* Growing prefixes, as reads would deliver them. */
		size_t seen = 0;
		int p = -2;
		char *part = NULL;
		while (p == -2 && seen < rest) {
			uint32_t x = rng_next(&seed);
			size_t step = x & 3 ? 1 + (x >> 8) % (rest / 6 + 1) : 1 + (x >> 8) % 4;
			seen = step < rest - seen ? seen + step : rest;
			free(part);
			part = malloc(seen);
			check(part);
			memcpy(part, stream + off, seen);
			p = http_parse_request(part, seen, &pq, &ps);
		}
		if (rest == 0) {
			check(w == -2);
			free(part);
			break;
		}
		check(p == w);
		if (w == -1) {
			check(ps == ws);
		} else if (w > 0) {
			check_head(whole + off, w, &wq);
			check_same(whole + off, &wq, part, &pq);
			check(memcmp(part, stream + off, seen) == 0);
			check_query(&wq);
		}
		free(part);
		if (w < 0)
			break;
		off += (size_t)w;
		off += wq.content_length < n - off ? (size_t)wq.content_length : n - off;
	}
	free(whole);
	return 0;
}
