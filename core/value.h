/* value.h — reading typed values out of text fields: the rules shared by type inference and
 * by binding values to typed columns. Pure functions, no allocation. */
#ifndef AMBER_VALUE_H
#define AMBER_VALUE_H

#include <stddef.h>
#include <stdint.h>

enum value_type { VALUE_TEXT = 0, VALUE_INTEGER, VALUE_REAL };

/* Parses a whole field as a decimal int64: optional sign, digits, nothing else. Leading zeros
 * are accepted. Returns 0 on success, -1 when the text is not an integer or does not fit. */
int value_parse_int64(const char *s, size_t len, int64_t *out);
/* Parses a whole field as a finite decimal number (123, -1.5, .5, 6.02e23). Returns 0 or -1. */
int value_parse_real(const char *s, size_t len, double *out);
/* The type a column of such values is given by inference: VALUE_INTEGER only for canonical
 * integers that fit int64 ("0", "-12"; not "007", "+1", "-0", which would not print back the
 * same), VALUE_REAL for other decimal numbers ("1.5", "1e3", "+2.0"; printed back in shortest
 * form), VALUE_TEXT for everything else, including digit strings too long for int64, which a
 * REAL would round. Empty text is not classified here. */
enum value_type value_classify(const char *s, size_t len);
/* Offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and values
 * above U+10FFFF are invalid), or len when all of it is valid. */
size_t utf8_invalid_offset(const char *s, size_t len);

#endif
