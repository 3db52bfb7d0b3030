/* json.h — a small compact JSON writer that appends to a struct buf.
 *
 * Written for two callers: the OCI image documents (config, manifest, index), whose sha256 must
 * be reproducible byte for byte, and the HTTP server's query results, which must be valid JSON
 * whatever bytes a database holds. So the output is compact (no spaces, no trailing newline),
 * keys come out in the order the caller writes them, and nothing depends on the locale.
 *
 * The writer only tracks nesting and commas; the caller decides the structure:
 *
 *	struct json_writer w;
 *	json_writer_init(&w, &out);
 *	json_object_begin(&w);
 *	json_kv_string(&w, "name", "amber");
 *	json_key(&w, "tags");
 *	json_array_begin(&w);
 *	json_str(&w, "latest");
 *	json_array_end(&w);
 *	json_object_end(&w);        -> {"name":"amber","tags":["latest"]}
 *
 * Misuse is a bug in the caller, not an input error, and fails an assert(): a value where an
 * object needs a key, a key outside an object, an end that does not match its begin, nesting
 * deeper than JSON_MAX_DEPTH, or a second value at the top level.
 *
 * Strings: '"' and '\' are escaped as \" and \\; control characters below 0x20 as \b \f \n \r
 * \t or \u00xx (lowercase hex), and DEL (0x7f) as \u007f; '/' is not escaped. Valid UTF-8 is
 * copied as is, U+2028 and U+2029 included (they are valid in JSON and, since ES2019, in
 * JavaScript string literals). Bytes that are not valid UTF-8 (a stray continuation or bad lead
 * byte, a truncated sequence, an overlong form, a surrogate, anything above U+10FFFF) become
 * U+FFFD, one per maximal invalid subpart as Unicode recommends (the same output as Python's
 * bytes.decode("utf-8", "replace")). The output is therefore always valid UTF-8.
 *
 * Names: jansson, which amber links for reading JSON, exports json_string() and json_null(), so
 * this writer calls them json_str() and json_null_value(); every other name is free of clashes. */
#ifndef AMBER_JSON_H
#define AMBER_JSON_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Objects and arrays open at once; more is a caller bug (assert). */
#define JSON_MAX_DEPTH 64

/* Fields are private to json.c; the struct is public only so it can live on the stack. */
struct json_writer {
	struct buf *out;
	int depth;				 /* objects and arrays now open */
	unsigned char level[JSON_MAX_DEPTH + 1]; /* per level, [0] the top: kind, has-items, after-key */
};

/* Starts a document appended to `out` (which may already hold other bytes; they are kept). */
void json_writer_init(struct json_writer *w, struct buf *out);
/* 1 when exactly one complete value has been written and every object and array is closed. */
int json_writer_done(const struct json_writer *w);

/* Opening and closing an object or array; a begin takes the place of a value. */
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);

/* The next member's key, inside an object; a value must follow. Escaped like json_str. */
void json_key(struct json_writer *w, const char *key);

/* Values. Each goes where a value is expected: after a key, in an array, or at the top. */

/* A NUL-terminated string (not NULL). */
void json_str(struct json_writer *w, const char *s);
/* `len` bytes of any values, NUL and invalid UTF-8 included (see the string rules above). */
void json_str_n(struct json_writer *w, const char *s, size_t len);
/* Exact decimal integers, INT64_MIN and UINT64_MAX included. */
void json_int64(struct json_writer *w, int64_t v);
void json_uint64(struct json_writer *w, uint64_t v);
/* The shortest of %.15g, %.16g and %.17g that strtod reads back to the same bits (for subnormals,
 * whose few significant bits allow fewer digits, the shortest of %.1g to %.17g), always with
 * '.' as the decimal point whatever LC_NUMERIC says, and always containing '.' or 'e' so that
 * readers that tell integers from reals (jansson, Python) read a real back: 1.0 -> "1.0",
 * -0.0 -> "-0.0", 0.1 -> "0.1", 1e300 -> "1e300", 1e-5 -> "1e-5", 5e-324 -> "5e-324" (the
 * exponent has no '+' and no leading zeros). NaN and the infinities have no JSON form: null. */
void json_double(struct json_writer *w, double v);
/* true or false (any nonzero `v` is true). */
void json_bool(struct json_writer *w, int v);
void json_null_value(struct json_writer *w);
/* `len` bytes of an already encoded JSON value, copied without any check. */
void json_raw(struct json_writer *w, const char *text, size_t len);

/* json_key followed by the value. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_int64(struct json_writer *w, const char *key, int64_t v);
void json_kv_uint64(struct json_writer *w, const char *key, uint64_t v);
void json_kv_double(struct json_writer *w, const char *key, double v);
void json_kv_bool(struct json_writer *w, const char *key, int v);
void json_kv_null(struct json_writer *w, const char *key);

/* Appends the escaped form of `len` bytes of `s` without the surrounding quotes, for callers
 * that assemble JSON text themselves. Same rules as json_str_n. */
void json_escape_append(struct buf *out, const char *s, size_t len);

#endif
