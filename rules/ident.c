/*
 * ident.c -- shapes and check characters of the list-file identifier
 * schemes (docs/screening.md): uscc, kz-bin, inn, eori, tin.
 *
 * Owns nothing: every function works in its arguments and a stack buffer
 * of IDENT_MAX + 1 bytes, so the loader can check every id line and the
 * matcher every party id without allocating.  The check algorithms are
 * the published ones (GB 32100-2015 for the USCC, the Kazakh BIN/IIN
 * rule, the Russian INN weights); tests/unit/test_rules_ident.c holds
 * computed examples and every single-character mutation of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules/ident.h"

/* The USCC code characters, in value order (I, O, S, V, Z are not used). */
static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int	is_digit(char c);
static int	is_upper(char c);
static int	all_digits(const char *s, size_t n);
static int	uscc_value(char c);
static int	fail(char *why, size_t len, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
static int	check_uscc(const char *v, char *why, size_t len);
static int	check_kz_bin(const char *v, char *why, size_t len);
static int	check_inn(const char *v, char *why, size_t len);
static int	check_eori(const char *v, char *why, size_t len);
static int	check_tin(const char *raw, char *why, size_t len);

/* One scheme: its name, and whether it is checked on the normal form. */
struct scheme {
	const char	*name;
	int		 normalised;
	int		(*check)(const char *, char *, size_t);
};

/* In guessing order; tin last and never guessed. */
static const struct scheme schemes[] = {
	{ "uscc", 1, check_uscc },
	{ "kz-bin", 1, check_kz_bin },
	{ "inn", 1, check_inn },
	{ "eori", 1, check_eori },
	{ "tin", 0, check_tin },
};
#define NSCHEMES (sizeof(schemes) / sizeof(schemes[0]))
#define NGUESSED (NSCHEMES - 1)

/* ASCII digit (not locale-dependent, unlike isdigit). */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII capital letter. */
static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* 1 when the first n bytes of s are digits. */
static int
all_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* The value of a USCC code character, or -1. */
static int
uscc_value(char c)
{
	const char	*p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_chars, c);
	return p == NULL ? -1 : (int)(p - uscc_chars);
}

/* Writes a reason to why (when given) and returns -1. */
static int
fail(char *why, size_t len, const char *fmt, ...)
{
	va_list	ap;

	if (why != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
ident_normalise(const char *in, char *out, size_t outlen)
{
	size_t	n = 0;
	char	c;

	if (outlen == 0)
		return;
	for (; (c = *in) != '\0'; in++) {
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f' || c == '-' || c == '/' || c == '.')
			continue;
		if (n + 1 >= outlen) {
			out[0] = '\0';
			return;
		}
		out[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	out[n] = '\0';
}

int
ident_scheme_known(const char *scheme)
{
	size_t	i;

	for (i = 0; i < NSCHEMES; i++)
		if (strcmp(schemes[i].name, scheme) == 0)
			return 1;
	return 0;
}

int
ident_uscc_check_char(const char *s)
{
	int	sum = 0, w = 1, i, v;

	for (i = 0; i < 17; i++) {
		if ((v = uscc_value(s[i])) < 0)
			return -1;
		sum += v * w;
		w = w * 3 % 31;
	}
	v = 31 - sum % 31;
	return uscc_chars[v == 31 ? 0 : v];
}

int
ident_kz_bin_check_digit(const char *s)
{
	int	sum = 0, i;

	if (!all_digits(s, 11))
		return -1;
	for (i = 0; i < 11; i++)
		sum += (i + 1) * (s[i] - '0');
	if (sum % 11 != 10)
		return '0' + sum % 11;
	/* Second pass: weights 3..11, 1, 2. */
	sum = 0;
	for (i = 0; i < 11; i++)
		sum += ((i + 2) % 11 + 1) * (s[i] - '0');
	return sum % 11 == 10 ? -1 : '0' + sum % 11;
}

int
ident_inn_check_digit(const char *s, size_t n)
{
	/* The 11 weights; a check over n digits uses the last n of them. */
	static const int	w[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
	size_t			i;
	int			sum = 0;

	if (n < 9 || n > 11 || !all_digits(s, n))
		return -1;
	for (i = 0; i < n; i++)
		sum += w[11 - n + i] * (s[i] - '0');
	return '0' + sum % 11 % 10;
}

/* uscc on a normal form. */
static int
check_uscc(const char *v, char *why, size_t len)
{
	size_t	n = strlen(v), i;
	int	want;

	if (n != 18)
		return fail(why, len, "uscc: 18 characters expected, not %zu",
		    n);
	for (i = 0; i < 18; i++) {
		if (uscc_value(v[i]) >= 0)
			continue;
		/* A byte that is not printable ASCII (a part of a UTF-8
		 * character, a control) is named by its value: quoted
		 * alone it would make the message invalid text. */
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return fail(why, len, "uscc: byte 0x%02x at %zu is not "
			    "one of 0-9A-HJ-NPQRTUWXY", (unsigned char)v[i],
			    i + 1);
		return fail(why, len, "uscc: '%c' at %zu is not one of "
		    "0-9A-HJ-NPQRTUWXY", v[i], i + 1);
	}
	want = ident_uscc_check_char(v);
	if (v[17] != want)
		return fail(why, len, "uscc: check character should be "
		    "'%c', not '%c'", want, v[17]);
	return 0;
}

/* kz-bin on a normal form. */
static int
check_kz_bin(const char *v, char *why, size_t len)
{
	int	want;

	if (strlen(v) != 12 || !all_digits(v, 12))
		return fail(why, len, "kz-bin: 12 digits expected");
	if ((want = ident_kz_bin_check_digit(v)) < 0)
		return fail(why, len, "kz-bin: no check digit exists for "
		    "these 11 digits");
	if (v[11] != want)
		return fail(why, len, "kz-bin: check digit should be '%c', "
		    "not '%c'", want, v[11]);
	return 0;
}

/* inn on a normal form: 10 digits, or 12. */
static int
check_inn(const char *v, char *why, size_t len)
{
	size_t	n = strlen(v);
	int	want;

	if ((n != 10 && n != 12) || !all_digits(v, n))
		return fail(why, len, "inn: 10 or 12 digits expected");
	if (n == 10) {
		want = ident_inn_check_digit(v, 9);
		if (v[9] != want)
			return fail(why, len, "inn: check digit should be "
			    "'%c', not '%c'", want, v[9]);
		return 0;
	}
	want = ident_inn_check_digit(v, 10);
	if (v[10] != want)
		return fail(why, len, "inn: 11th digit (check) should be "
		    "'%c', not '%c'", want, v[10]);
	want = ident_inn_check_digit(v, 11);
	if (v[11] != want)
		return fail(why, len, "inn: 12th digit (check) should be "
		    "'%c', not '%c'", want, v[11]);
	return 0;
}

/* eori on a normal form: two letters, then 1 to 15 letters or digits. */
static int
check_eori(const char *v, char *why, size_t len)
{
	size_t	n = strlen(v), i;

	if (n < 3 || n > 17)
		return fail(why, len, "eori: 3 to 17 characters expected, "
		    "not %zu", n);
	if (!is_upper(v[0]) || !is_upper(v[1]))
		return fail(why, len, "eori: two letters (the country) "
		    "expected first");
	for (i = 2; i < n; i++)
		if (!is_upper(v[i]) && !is_digit(v[i]))
			return fail(why, len, "eori: only letters and digits "
			    "may follow the country");
	return 0;
}

/* tin as written: 4 to 20 letters, digits, '-' or '/'. */
static int
check_tin(const char *raw, char *why, size_t len)
{
	size_t	n = strlen(raw), i;
	char	c;

	if (n < 4 || n > 20)
		return fail(why, len, "tin: 4 to 20 characters expected, "
		    "not %zu", n);
	for (i = 0; i < n; i++) {
		c = raw[i];
		if (!is_digit(c) && !is_upper(c) && !(c >= 'a' && c <= 'z') &&
		    c != '-' && c != '/')
			return fail(why, len, "tin: only letters, digits, '-' "
			    "and '/' allowed");
	}
	return 0;
}

int
ident_check(const char *scheme, const char *value, char *why, size_t len)
{
	char	norm[IDENT_MAX + 1];
	size_t	i;

	for (i = 0; i < NSCHEMES; i++) {
		if (strcmp(schemes[i].name, scheme) != 0)
			continue;
		if (!schemes[i].normalised)
			return schemes[i].check(value, why, len);
		ident_normalise(value, norm, sizeof(norm));
		if (norm[0] == '\0')
			return fail(why, len, "%s: %s", scheme, *value == '\0' ?
			    "empty value" : "value too long");
		return schemes[i].check(norm, why, len);
	}
	return fail(why, len, "unknown identifier scheme '%s' (uscc, kz-bin, "
	    "inn, eori, tin)", scheme);
}

int
ident_guess(const char *value, const char **scheme)
{
	char	norm[IDENT_MAX + 1];
	size_t	i;
	int	n = 0;

	*scheme = NULL;
	ident_normalise(value, norm, sizeof(norm));
	if (norm[0] == '\0')
		return 0;
	for (i = 0; i < NGUESSED; i++) {
		if (schemes[i].check(norm, NULL, 0) != 0)
			continue;
		if (n++ == 0)
			*scheme = schemes[i].name;
	}
	return n;
}
