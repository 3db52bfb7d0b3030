/* json_read.c — the strict JSON reader declared in json_read.h.
 *
 * A recursive descent parser (depth is bounded, so is the recursion). Every value, string and
 * child array lives in the document's arena, a list of chunks freed together. Children are
 * gathered on one shared stack while their container is open, then copied to the arena as one
 * contiguous array when it closes, so lookups are plain array walks. */
#include "formats/json_read.h"

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct json_doc {
	struct chunk *chunks;
	struct json_value root;
};

struct parser {
	const unsigned char *p, *end, *start;
	struct json_doc *doc;
	struct json_member *stack; /* children of open containers */
	size_t n, cap;
	int depth;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const unsigned char *at, const char *fmt, ...)
{
	if (ps->errlen == 0)
		return -1;
	int n = snprintf(ps->err, ps->errlen, "offset %zu: ", (size_t)(at - ps->start));
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int out_of_memory(struct parser *ps)
{
	if (ps->errlen)
		snprintf(ps->err, ps->errlen, "out of memory");
	return -1;
}

static void *arena_alloc(struct json_doc *d, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	struct chunk *c = d->chunks;
	if (!c || c->size - c->used < size) {
		size_t cap = size > 4096 ? size : 4096;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = d->chunks;
		c->used = 0;
		c->size = cap;
		d->chunks = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The length of the valid UTF-8 sequence at s (a non-ASCII lead byte), or 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else
		return 0;
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A string at ps->p (the opening quote); its decoded bytes go into the arena. */
static int parse_string(struct parser *ps, const char **out, size_t *outlen)
{
	const unsigned char *q = ps->p + 1;
	while (q < ps->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	if (q >= ps->end)
		return fail(ps, ps->p, "unterminated string");
	/* Decoding never grows: an escape is at least as long as the bytes it stands for. */
	char *o = arena_alloc(ps->doc, (size_t)(q - ps->p));
	if (!o)
		return out_of_memory(ps);
	*out = o;
	const unsigned char *s = ps->p + 1;
	while (s < q) {
		unsigned c = *s;
		if (c < 0x20)
			return fail(ps, s, "control character 0x%02x in a string (escape it)", c);
		if (c >= 0x80) {
			size_t n = utf8_len(s, q);
			if (!n)
				return fail(ps, s, "invalid UTF-8 byte 0x%02x in a string", c);
			memcpy(o, s, n);
			o += n;
			s += n;
			continue;
		}
		if (c != '\\') {
			*o++ = (char)c;
			s++;
			continue;
		}
		const unsigned char *esc = s;
		s++;
		switch (*s) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)*s++;
			continue;
		case 'b':
			*o++ = '\b';
			s++;
			continue;
		case 'f':
			*o++ = '\f';
			s++;
			continue;
		case 'n':
			*o++ = '\n';
			s++;
			continue;
		case 'r':
			*o++ = '\r';
			s++;
			continue;
		case 't':
			*o++ = '\t';
			s++;
			continue;
		case 'u':
			break;
		default:
			return fail(ps, esc, "unknown escape \\%c", *s >= 0x20 && *s < 0x7f ? *s : '?');
		}
		unsigned cp, lo;
		if (q - s < 5 || hex4(s + 1, &cp) < 0)
			return fail(ps, esc, "\\u needs four hex digits");
		s += 5;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return fail(ps, esc, "lone low surrogate \\u%04x", cp);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (q - s < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, &lo) < 0 || lo < 0xdc00 ||
			    lo > 0xdfff)
				return fail(ps, esc, "high surrogate \\u%04x not followed by a low one", cp);
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		}
		o += put_utf8(o, cp);
	}
	*o = '\0';
	*outlen = (size_t)(o - *out);
	ps->p = q + 1;
	return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static int parse_number(struct parser *ps, struct json_value *v)
{
	const unsigned char *s = ps->p, *e = ps->p;
	int real = 0;
	if (e < ps->end && *e == '-')
		e++;
	if (e >= ps->end || *e < '0' || *e > '9')
		return fail(ps, s, "expected a digit");
	if (*e == '0' && e + 1 < ps->end && e[1] >= '0' && e[1] <= '9')
		return fail(ps, s, "leading zero in a number");
	while (e < ps->end && *e >= '0' && *e <= '9')
		e++;
	if (e < ps->end && *e == '.') {
		real = 1;
		e++;
		if (e >= ps->end || *e < '0' || *e > '9')
			return fail(ps, e, "expected a digit after '.'");
		while (e < ps->end && *e >= '0' && *e <= '9')
			e++;
	}
	if (e < ps->end && (*e == 'e' || *e == 'E')) {
		real = 1;
		e++;
		if (e < ps->end && (*e == '+' || *e == '-'))
			e++;
		if (e >= ps->end || *e < '0' || *e > '9')
			return fail(ps, e, "expected a digit in the exponent");
		while (e < ps->end && *e >= '0' && *e <= '9')
			e++;
	}
	ps->p = e;
	if (!real) {
		/* Accumulate negatively so INT64_MIN fits. */
		int neg = *s == '-';
		int64_t acc = 0;
		const unsigned char *d = s + neg;
		for (; d < e; d++) {
			int digit = *d - '0';
			if (acc < (INT64_MIN + digit) / 10)
				break;
			acc = acc * 10 - digit;
		}
		if (d == e && (neg || acc != INT64_MIN)) {
			v->type = JSONV_INT;
			v->u.i = neg ? acc : -acc;
			return 0;
		}
	}
	/* strtod needs a NUL-terminated copy, and the C locale for '.'. */
	char small[64];
	size_t n = (size_t)(e - s);
	char *buf = n < sizeof small ? small : malloc(n + 1);
	if (!buf)
		return out_of_memory(ps);
	memcpy(buf, s, n);
	buf[n] = '\0';
	pthread_once(&c_locale_once, make_c_locale);
	v->type = JSONV_REAL;
	v->u.d = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
	if (buf != small)
		free(buf);
	return 0;
}

static int push(struct parser *ps, const struct json_member *m)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct json_member *s = realloc(ps->stack, cap * sizeof *s);
		if (!s)
			return out_of_memory(ps);
		ps->stack = s;
		ps->cap = cap;
	}
	ps->stack[ps->n++] = *m;
	return 0;
}

static int parse_value(struct parser *ps, struct json_value *v);

/* An array or object at ps->p; its children are on the stack from `base` while it is open. */
static int parse_container(struct parser *ps, struct json_value *v)
{
	int object = *ps->p == '{';
	char close = object ? '}' : ']';
	if (ps->depth == JSON_READ_MAX_DEPTH)
		return fail(ps, ps->p, "nesting deeper than %d", JSON_READ_MAX_DEPTH);
	ps->depth++;
	ps->p++;
	size_t base = ps->n;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
	} else {
		for (;;) {
			struct json_member m = {0};
			skip_space(ps);
			if (object) {
				if (ps->p >= ps->end || *ps->p != '"')
					return fail(ps, ps->p, "expected a string key");
				if (parse_string(ps, &m.key, &m.key_len) < 0)
					return -1;
				skip_space(ps);
				if (ps->p >= ps->end || *ps->p != ':')
					return fail(ps, ps->p, "expected ':'");
				ps->p++;
			}
			if (parse_value(ps, &m.value) < 0 || push(ps, &m) < 0)
				return -1;
			skip_space(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == close) {
				ps->p++;
				break;
			}
			return fail(ps, ps->p, "expected ',' or '%c'", close);
		}
	}
	size_t n = ps->n - base;
	v->len = n;
	if (object) {
		struct json_member *m = n ? arena_alloc(ps->doc, n * sizeof *m) : NULL;
		if (n && !m)
			return out_of_memory(ps);
		if (n)
			memcpy(m, ps->stack + base, n * sizeof *m);
		v->type = JSONV_OBJECT;
		v->u.members = m;
	} else {
		struct json_value *a = n ? arena_alloc(ps->doc, n * sizeof *a) : NULL;
		if (n && !a)
			return out_of_memory(ps);
		for (size_t i = 0; i < n; i++)
			a[i] = ps->stack[base + i].value;
		v->type = JSONV_ARRAY;
		v->u.items = a;
	}
	ps->n = base;
	ps->depth--;
	return 0;
}

static int literal(struct parser *ps, const char *word, enum json_vtype type, struct json_value *v)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, ps->p, "expected a value");
	ps->p += n;
	v->type = type;
	return 0;
}

static int parse_value(struct parser *ps, struct json_value *v)
{
	memset(v, 0, sizeof *v);
	skip_space(ps);
	if (ps->p >= ps->end)
		return fail(ps, ps->p, "expected a value, found the end");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, v);
	case '"':
		v->type = JSONV_STRING;
		return parse_string(ps, &v->u.s, &v->len);
	case 't':
		return literal(ps, "true", JSONV_TRUE, v);
	case 'f':
		return literal(ps, "false", JSONV_FALSE, v);
	case 'n':
		return literal(ps, "null", JSONV_NULL, v);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, v);
		return fail(ps, ps->p, "expected a value");
	}
}

struct json_doc *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (len > JSON_READ_MAX_LEN) {
		if (errlen)
			snprintf(err, errlen, "the text is longer than %zu bytes", JSON_READ_MAX_LEN);
		return NULL;
	}
	struct json_doc *d = calloc(1, sizeof *d);
	if (!d) {
		if (errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const unsigned char *t = (const unsigned char *)(text ? text : "");
	struct parser ps = {.p = t, .end = t + len, .start = t, .doc = d, .err = err, .errlen = errlen};
	int rc = parse_value(&ps, &d->root);
	if (rc == 0) {
		skip_space(&ps);
		if (ps.p != ps.end)
			rc = fail(&ps, ps.p, "unexpected bytes after the value");
	}
	free(ps.stack);
	if (rc < 0) {
		json_doc_free(d);
		return NULL;
	}
	return d;
}

void json_doc_free(struct json_doc *d)
{
	if (!d)
		return;
	for (struct chunk *c = d->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(d);
}

const struct json_value *json_doc_root(const struct json_doc *d)
{
	return &d->root;
}

int json_value_type(const struct json_value *v)
{
	return v ? (int)v->type : -1;
}

const struct json_value *json_get(const struct json_value *v, const char *key)
{
	if (!v || v->type != JSONV_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = v->len; i-- > 0;) {
		const struct json_member *m = &v->u.members[i];
		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return &m->value;
	}
	return NULL;
}

size_t json_array_len(const struct json_value *v)
{
	return v && v->type == JSONV_ARRAY ? v->len : 0;
}

const struct json_value *json_array_at(const struct json_value *v, size_t i)
{
	return i < json_array_len(v) ? &v->u.items[i] : NULL;
}

const char *json_as_string(const struct json_value *v, size_t *len)
{
	if (!v || v->type != JSONV_STRING)
		return NULL;
	if (len)
		*len = v->len;
	return v->u.s;
}

int json_as_int64(const struct json_value *v, int64_t *out)
{
	if (!v || v->type != JSONV_INT)
		return -1;
	*out = v->u.i;
	return 0;
}

int json_as_double(const struct json_value *v, double *out)
{
	if (!v || (v->type != JSONV_INT && v->type != JSONV_REAL))
		return -1;
	*out = v->type == JSONV_INT ? (double)v->u.i : v->u.d;
	return 0;
}
