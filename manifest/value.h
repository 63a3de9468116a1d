/*
 * value.h -- decimals and times as the model stores them.
 *
 * Decimals are int64_t thousandths (MANIFEST_SCALE in model.h), so that
 * "24310.50" read from EDIFACT and "24.3105" tonnes read from XML become
 * the same number and print the same way.  Times are Unix seconds, UTC.
 * Pure functions; safe on any thread.
 */
#ifndef MANIFEST_VALUE_H
#define MANIFEST_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Outcome of value_decimal_parse(). */
enum value_status {
	VALUE_OK,
	VALUE_ROUNDED,		/* more than 3 decimals: rounded half away from zero */
	VALUE_INVALID,		/* not a decimal, or out of range */
};

/* Parses value_decimal_parse's text times 10^shift (0-6): tonnes in kg
 * with shift 3. */
enum value_status value_decimal_parse_scaled(const char *s, size_t len,
    int shift, int64_t *out);
/* value_count_parse for any length, each digit tested for overflow. */
int value_count_parse_long(const char *s, size_t len, int64_t *out);

/*
 * Parses [+-]digits[(.|,)digits] into thousandths.  Both '.' and ','
 * are decimal marks (EDIFACT allows either).  Inline for the common case
 * -- at most 15 characters, digits and one mark, no sign, at most 3
 * decimals, which can neither overflow nor round --, since parsers read
 * millions of them; the rest goes the long way.
 */
static inline enum value_status
value_decimal_parse(const char *s, size_t len, int64_t *out)
{
	static const int64_t	 scale[] = { 1000, 100, 10, 1 };
	const char		*p = s, *stop = s + len, *mark;
	int64_t			 v = 0;
	unsigned		 d;

	if (len == 0 || len > 15)
		return value_decimal_parse_scaled(s, len, 0, out);
	for (; p < stop && (d = (unsigned char)*p - '0') < 10; p++)
		v = v * 10 + d;
	if (p == stop) {
		*out = v * 1000;
		return VALUE_OK;
	}
	if ((*p != '.' && *p != ',') || stop - p > 4 || len == 1)
		return value_decimal_parse_scaled(s, len, 0, out);
	for (mark = p++; p < stop && (d = (unsigned char)*p - '0') < 10; p++)
		v = v * 10 + d;
	if (p != stop)
		return value_decimal_parse_scaled(s, len, 0, out);
	*out = v * scale[stop - mark - 1];
	return VALUE_OK;
}

/* Writes u in decimal and a NUL at out (21 bytes suffice); the digits' count. */
size_t value_u64_format(uint64_t u, char *out);

/* Parses an integer count (no decimals); 0 or -1.  Inline: 18 digits
 * cannot overflow, so the usual count needs no test per digit. */
static inline int
value_count_parse(const char *s, size_t len, int64_t *out)
{
	int64_t	v = 0;
	size_t	i;

	if (len == 0 || len > 18)
		return value_count_parse_long(s, len, out);
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d >= 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

#define VALUE_DECIMAL_MAX 32
/* Shortest decimal text of thousandths: "24310.5", "0.125", "-3"; returns out. */
char *value_decimal_format(int64_t milli, char *out);
/* The same text; returns its length (the writers of every item's masses
 * need it, and a strlen() each was 1% of a train's ingestion). */
size_t value_decimal_put(int64_t milli, char *out);

/* Seconds since the epoch of a civil UTC time; no range checks beyond the calendar. */
int64_t value_time_from_civil(int year, int month, int day, int hour,
    int minute, int second);
/* True when the fields form a real date and time (seconds 0-60). */
bool value_civil_valid(int year, int month, int day, int hour, int minute,
    int second);

#define VALUE_TIME_MAX 64
/* RFC 3339 UTC text, "2026-11-22T09:15:00Z"; returns out. */
char *value_time_format(int64_t t, char *out);
/*
 * Parses an RFC 3339 / ISO 8601 date-time ("2026-11-22T09:15:00Z",
 * "+05:00" offsets, fractional seconds dropped, no zone read as UTC) or
 * a date alone; 0 or -1.
 */
int value_time_parse(const char *s, size_t len, int64_t *out);

#endif
