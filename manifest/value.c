/*
 * value.c -- decimal and time conversions.
 */
#include <stdio.h>
#include <string.h>

#include "value.h"

/* Adds a digit to *acc unless that overflows int64_t. */
static inline int
accumulate(int64_t *acc, int digit)
{
	/* The exact test (a division) only near the limit. */
	if (*acc >= INT64_MAX / 10 && *acc > (INT64_MAX - digit) / 10)
		return -1;
	*acc = *acc * 10 + digit;
	return 0;
}

/* Decimal text times 10^shift, in thousandths (tonnes to kilograms: 3). */
enum value_status
value_decimal_parse_scaled(const char *s, size_t len, int shift, int64_t *out)
{
	int64_t		 whole = 0, frac = 0, scale = 1;
	size_t		 i = 0, nfrac = 0, ndigits = 0, keep = 3 + (size_t)shift;
	bool		 neg = false, rounded = false;
	int		 round_digit = -1, k;

	/* The common case: at most 15 characters, digits and one point, no sign --
	 * no overflow possible, no rounding. */
	if (len <= 15 && shift == 0) {
		int64_t	v = 0;
		size_t	point = len, j;

		for (j = 0; j < len; j++) {
			if (s[j] >= '0' && s[j] <= '9')
				v = v * 10 + (s[j] - '0');
			else if ((s[j] == '.' || s[j] == ',') && point == len)
				point = j;
			else
				break;
		}
		if (j == len && len - point <= 4 && len > (point < len)) {
			size_t fd = point < len ? len - point - 1 : 0;

			for (; fd < 3; fd++)
				v *= 10;
			*out = v;
			return VALUE_OK;
		}
	}
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++)
		if (accumulate(&whole, s[i] - '0') < 0)
			return VALUE_INVALID;
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++) {
			if (nfrac < keep) {
				frac = frac * 10 + (s[i] - '0');
				nfrac++;
			} else {
				if (round_digit < 0)
					round_digit = s[i] - '0';
				rounded = true;
			}
		}
	}
	if (i != len || ndigits == 0)
		return VALUE_INVALID;
	for (; nfrac < keep; nfrac++)
		frac *= 10;
	for (k = 0; k < 3 + shift; k++)
		scale *= 10;
	if (whole > (INT64_MAX - scale) / scale)
		return VALUE_INVALID;
	*out = whole * scale + frac + (round_digit >= 5 ? 1 : 0);
	if (neg)
		*out = -*out;
	return rounded ? VALUE_ROUNDED : VALUE_OK;
}

/* Unsigned integer text of any length, each digit tested for overflow. */
int
value_count_parse_long(const char *s, size_t len, int64_t *out)
{
	int64_t	v = 0;
	size_t	i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9' || accumulate(&v, s[i] - '0') < 0)
			return -1;
	*out = v;
	return 0;
}


/* "00" to "99": the pairs of digits value_u64_format() writes. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/*
 * Writes u in decimal and a NUL at out (21 bytes suffice); the digits' count.
 * Two digits a division, from the last, straight into place: every number
 * of a train's canonical JSON passes here (five an item), a tenth of its
 * writer's instructions one digit at a time.
 */
size_t
value_u64_format(uint64_t u, char *out)
{
	size_t		len = 1, n;
	uint64_t	v;

	for (v = u; v >= 10; v /= 10)
		len++;
	out[len] = '\0';
	for (n = len; u >= 100; u /= 100) {
		n -= 2;
		memcpy(out + n, digit_pairs + 2 * (u % 100), 2);
	}
	if (u >= 10)
		memcpy(out, digit_pairs + 2 * u, 2);
	else
		out[0] = (char)('0' + u);
	return len;
}

char *
value_decimal_format(int64_t milli, char *out)
{
	(void)value_decimal_put(milli, out);
	return out;
}

/* Integer part, then the fraction without trailing zeros. */
size_t
value_decimal_put(int64_t milli, char *out)
{
	uint64_t	 u, whole;
	unsigned	 frac;
	char		*p = out;

	if (milli < 0) {
		*p++ = '-';
		u = (uint64_t)-(milli + 1) + 1;
	} else
		u = (uint64_t)milli;
	whole = u / 1000;
	frac = (unsigned)(u % 1000);
	/* By hand, not sprintf: every mass and value of a big train's
	 * contents passes here. */
	p += value_u64_format(whole, p);
	if (frac != 0) {
		*p++ = '.';
		*p++ = (char)('0' + frac / 100);
		*p++ = (char)('0' + frac / 10 % 10);
		*p++ = (char)('0' + frac % 10);
		while (p[-1] == '0')
			p--;
	}
	*p = '\0';
	return (size_t)(p - out);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Epoch seconds of a UTC civil time. */
int64_t
value_time_from_civil(int year, int month, int day, int hour, int minute,
    int second)
{
	return days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 +
	    hour * 3600 + minute * 60 + second;
}

/* Calendar check, leap years included. */
bool
value_civil_valid(int year, int month, int day, int hour, int minute,
    int second)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int	 dim;
	bool	 leap;

	if (year < 1 || year > 9999 || month < 1 || month > 12)
		return false;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	dim = mdays[month - 1] + (month == 2 && leap);
	return day >= 1 && day <= dim && hour >= 0 && hour <= 23 &&
	    minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

/* Epoch seconds to "YYYY-MM-DDTHH:MM:SSZ". */
char *
value_time_format(int64_t t, char *out)
{
	int64_t		days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t		secs = t - days * 86400;
	int64_t		z, era, y;
	unsigned	doe, yoe, doy, mp, d, m;

	/* civil_from_days, the inverse of days_from_civil. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, VALUE_TIME_MAX, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
	    (long long)y, m, d, (unsigned)(secs / 3600) % 24u,
	    (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
	return out;
}

/* Reads n digits at s[*i] into *v. */
static int
read_digits(const char *s, size_t len, size_t *i, int n, int *v)
{
	int	k;

	*v = 0;
	for (k = 0; k < n; k++, (*i)++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return -1;
		*v = *v * 10 + (s[*i] - '0');
	}
	return 0;
}

/* Reads the zone after a time: Z, +hh:mm, -hh:mm, or nothing (UTC). */
static int
read_zone(const char *s, size_t len, size_t *i, int *offset)
{
	int	 hh, mm, sign;

	*offset = 0;
	if (*i == len)
		return 0;
	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		return 0;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return -1;
	sign = s[(*i)++] == '-' ? -1 : 1;
	if (read_digits(s, len, i, 2, &hh) < 0)
		return -1;
	if (*i < len && s[*i] == ':')
		(*i)++;
	if (read_digits(s, len, i, 2, &mm) < 0 || hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600 + mm * 60);
	return 0;
}

/* RFC 3339 date-time, or a date. */
int
value_time_parse(const char *s, size_t len, int64_t *out)
{
	size_t	 i = 0;
	int	 y, mo, d, h = 0, mi = 0, sec = 0, off = 0;

	if (read_digits(s, len, &i, 4, &y) < 0 || i >= len || s[i++] != '-' ||
	    read_digits(s, len, &i, 2, &mo) < 0 || i >= len || s[i++] != '-' ||
	    read_digits(s, len, &i, 2, &d) < 0)
		return -1;
	if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (read_digits(s, len, &i, 2, &h) < 0 || i >= len ||
		    s[i++] != ':' || read_digits(s, len, &i, 2, &mi) < 0)
			return -1;
		if (i < len && s[i] == ':') {
			i++;
			if (read_digits(s, len, &i, 2, &sec) < 0)
				return -1;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
					;
			}
		}
		if (read_zone(s, len, &i, &off) < 0)
			return -1;
	}
	if (i != len || !value_civil_valid(y, mo, d, h, mi, sec))
		return -1;
	*out = value_time_from_civil(y, mo, d, h, mi, sec) - off;
	return 0;
}
