/* json_read.h — a small strict JSON reader (RFC 8259) that parses a whole text into a tree.
 *
 * Written for the HTTP server, which reads small documents: the POST /v1/query body
 * {"sql":...,"params":{...}} and the keyset cursors it wrote itself with formats/json.h. So
 * the reader is strict and small rather than streaming: json_parse() builds the whole tree in
 * memory owned by one struct json_doc, freed with json_doc_free().
 *
 *	char err[128];
 *	struct json_doc *d = json_parse(text, len, err, sizeof err);
 *	const struct json_value *sql = d ? json_get(json_doc_root(d), "sql") : NULL;
 *
 * What it accepts: exactly one value of any type, with optional whitespace (space, tab, CR, LF)
 * around it. What it rejects, with a message naming the byte offset: trailing bytes, anything
 * unterminated, leading zeros (01), a bare '.', '+' or "-", numbers without digits after '.' or
 * 'e', control characters (below 0x20) inside strings, unknown escapes, \u escapes that leave a
 * lone surrogate, bytes that are not valid UTF-8 (overlong forms, encoded surrogates, anything
 * above U+10FFFF, truncated sequences), nesting deeper than JSON_READ_MAX_DEPTH, and texts
 * longer than JSON_READ_MAX_LEN.
 *
 * Strings are decoded to UTF-8 and NUL-terminated; they may hold NUL bytes (from \u0000), so
 * callers that need a C string check the length. Numbers written without a fraction or an
 * exponent that fit in int64_t are JSON_INT; every other number is JSON_REAL (read by strtod
 * in the C locale whatever LC_NUMERIC says, so 1e400 is HUGE_VAL). 1.0 is therefore a real, as
 * formats/json.h intends. Duplicate keys are kept; json_get() returns the last one, as
 * jansson and JavaScript do.
 *
 * Names: amber also links jansson (exporting json_object_get, json_array_get, json_typeof,
 * JSON_OBJECT, ...), so nothing here reuses a jansson name. */
#ifndef AMBER_JSON_READ_H
#define AMBER_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

/* Arrays and objects open at once; deeper is an error. */
#define JSON_READ_MAX_DEPTH 64
/* The longest text json_parse() reads, in bytes. */
#define JSON_READ_MAX_LEN ((size_t)1 << 30)

enum json_vtype {
	JSONV_NULL,
	JSONV_FALSE,
	JSONV_TRUE,
	JSONV_INT,
	JSONV_REAL,
	JSONV_STRING,
	JSONV_ARRAY,
	JSONV_OBJECT
};

struct json_member;

/* Read-only for callers; the struct is public only so a caller can make a constant (an empty
 * object, say). `len` is the string's byte count, or the array's or object's member count. */
struct json_value {
	enum json_vtype type;
	size_t len;
	union {
		int64_t i;			   /* JSONV_INT */
		double d;			   /* JSONV_REAL */
		const char *s;			   /* JSONV_STRING: len bytes and a NUL */
		const struct json_value *items;	   /* JSONV_ARRAY */
		const struct json_member *members; /* JSONV_OBJECT, in text order */
	} u;
};

struct json_member {
	const char *key; /* decoded, NUL-terminated, key_len bytes */
	size_t key_len;
	struct json_value value;
};

struct json_doc;

/* Parses `len` bytes of `text` (which need not be NUL-terminated). Returns the document, or
 * NULL after writing a message like "offset 12: expected ',' or '}'" into err (if errlen > 0;
 * "out of memory" when allocation fails). */
struct json_doc *json_parse(const char *text, size_t len, char *err, size_t errlen);
/* Frees the document and every value in it; NULL is fine. */
void json_doc_free(struct json_doc *d);
/* The top-level value; lives as long as the document. */
const struct json_value *json_doc_root(const struct json_doc *d);

/* The value's type; NULL counts as absent and gives -1. */
int json_value_type(const struct json_value *v);
/* The member named `key` (NUL-terminated) of an object, the last if repeated; NULL when `v` is
 * NULL, not an object, or has no such member. */
const struct json_value *json_get(const struct json_value *v, const char *key);
/* An array's length (0 for NULL or a non-array) and its i-th item (NULL when out of range). */
size_t json_array_len(const struct json_value *v);
const struct json_value *json_array_at(const struct json_value *v, size_t i);
/* A string's bytes (NUL-terminated) and, if len is not NULL, its length; NULL for non-strings. */
const char *json_as_string(const struct json_value *v, size_t *len);
/* 0 and the value in *out for a JSONV_INT, -1 otherwise. */
int json_as_int64(const struct json_value *v, int64_t *out);
/* 0 and the value in *out for any number (an int converted), -1 otherwise. */
int json_as_double(const struct json_value *v, double *out);

#endif
