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

/*
 * Parses [+-]digits[(.|,)digits] into thousandths.  Both '.' and ','
 * are decimal marks (EDIFACT allows either).
 */
enum value_status value_decimal_parse(const char *s, size_t len, int64_t *out);
/* The same, for the value times 10^shift (0-6): tonnes in kg with shift 3. */
enum value_status value_decimal_parse_scaled(const char *s, size_t len,
    int shift, int64_t *out);
/* Parses an integer count (no decimals); 0 or -1. */
int value_count_parse(const char *s, size_t len, int64_t *out);

#define VALUE_DECIMAL_MAX 32
/* Shortest decimal text of thousandths: "24310.5", "0.125", "-3"; returns out. */
char *value_decimal_format(int64_t milli, char *out);

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
