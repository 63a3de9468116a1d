/*
 * bytes.h -- the parsers' word-at-a-time byte tests: is a value all
 * ASCII, are two short values equal.
 *
 * Inline on purpose: the EDIFACT map and the model's string sharing call
 * them on every value they read, and a call to memcmp or a byte loop
 * there costs a measurable part of a parse (bench/edifact.sh).  Pure
 * functions of their arguments; any thread.
 */
#ifndef MANIFEST_BYTES_H
#define MANIFEST_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True when the len bytes at s are all ASCII (no byte over 0x7f), read a
 * word at a time: parsers call it on every value to take the path that
 * needs no conversion or normalisation.
 */
static inline bool
manifest_text_is_ascii(const char *s, size_t len)
{
	uint64_t	acc = 0, w;
	uint32_t	h;
	size_t		i;

	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8) {
			__builtin_memcpy(&w, s + i, 8);
			acc |= w;
		}
		__builtin_memcpy(&w, s + len - 8, 8);	/* overlaps: harmless */
		return ((acc | w) & 0x8080808080808080ULL) == 0;
	}
	if (len >= 4) {
		__builtin_memcpy(&h, s, 4);
		acc = h;
		__builtin_memcpy(&h, s + len - 4, 4);
		return ((acc | h) & 0x80808080U) == 0;
	}
	for (i = 0; i < len; i++)
		acc |= (unsigned char)s[i];
	return acc < 0x80;
}

/*
 * True when the len bytes at a and b are equal: up to 16 bytes with two
 * overlapping loads from each side instead of a call to memcmp, since
 * parsers compare short codes with the ones they met last.
 */
static inline bool
manifest_bytes_equal(const char *a, const char *b, size_t len)
{
	uint64_t	wa, wb, xa, xb;
	uint32_t	ha, hb, ia, ib;

	if (len >= 8 && len <= 16) {
		__builtin_memcpy(&wa, a, 8);
		__builtin_memcpy(&wb, b, 8);
		__builtin_memcpy(&xa, a + len - 8, 8);
		__builtin_memcpy(&xb, b + len - 8, 8);
		return ((wa ^ wb) | (xa ^ xb)) == 0;
	}
	if (len >= 4 && len < 8) {
		__builtin_memcpy(&ha, a, 4);
		__builtin_memcpy(&hb, b, 4);
		__builtin_memcpy(&ia, a + len - 4, 4);
		__builtin_memcpy(&ib, b + len - 4, 4);
		return ((ha ^ hb) | (ia ^ ib)) == 0;
	}
	if (len < 4)	/* first, middle and last: every byte of 1 to 3 */
		return len == 0 || (a[0] == b[0] && a[len >> 1] == b[len >> 1] &&
		    a[len - 1] == b[len - 1]);
	return __builtin_memcmp(a, b, len) == 0;
}

#endif
