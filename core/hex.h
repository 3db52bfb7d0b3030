/* hex.h — the value of one hexadecimal digit, for every decoder of hex text (URLs, blobs,
 * escapes in SQL dumps). */
#ifndef AMBER_HEX_H
#define AMBER_HEX_H

/* 0..15 for [0-9a-fA-F], else -1. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#endif
