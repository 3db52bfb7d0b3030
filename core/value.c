/* value.c — typed values from text and UTF-8 validation (see value.h). */
#include "core/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int value_parse_int64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return -1;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int value_parse_real(const char *s, size_t len, double *out)
{
	char small[64];
	size_t i = 0, digits = 0;
	if (len == 0)
		return -1;
	/* Grammar check first: strtod alone would accept "inf", "nan", hex floats and spaces. */
	if (s[i] == '-' || s[i] == '+')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t exp_start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == exp_start)
			return -1;
	}
	if (i != len)
		return -1;
	/* strtod needs a NUL-terminated copy; fields are not terminated. */
	char *tmp = len < sizeof small ? small : malloc(len + 1);
	if (!tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	double v = strtod(tmp, NULL);
	if (tmp != small)
		free(tmp);
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

enum value_type value_classify(const char *s, size_t len)
{
	int64_t i;
	double d;
	if (value_parse_int64(s, len, &i) == 0) {
		size_t first = s[0] == '-' ? 1 : 0;
		int canonical =
		    s[0] != '+' && (len - first == 1 || s[first] != '0') && !(s[0] == '-' && i == 0);
		return canonical ? VALUE_INTEGER : VALUE_TEXT;
	}
	/* Digits only but too long for int64 (a 20-digit id): REAL would lose digits. */
	size_t k = len && (s[0] == '-' || s[0] == '+') ? 1 : 0;
	while (k < len && s[k] >= '0' && s[k] <= '9')
		k++;
	if (k == len)
		return VALUE_TEXT;
	return value_parse_real(s, len, &d) == 0 ? VALUE_REAL : VALUE_TEXT;
}

size_t utf8_invalid_offset(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		/* Fast path: eight ASCII bytes at a time. */
		if (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n; /* continuation bytes */
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3;
		else
			return i;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
		else if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
		if (i + n >= len)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += n + 1;
	}
	return len;
}
