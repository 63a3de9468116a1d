/*
 * ident.c -- check digits and code shapes (docs/contracts.md, "Identifiers").
 */
#include <string.h>

#include "ident.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/* True when s has exactly n characters, each accepted by pred (inline:
 * specialised per predicate, these run once per goods item). */
static inline bool
all_of(const char *s, size_t n, bool (*pred)(char))
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || !pred(s[i]))
			return false;
	return s[n] == '\0';
}

/* Luhn over digits 1-11, weights 2,1,2,... from the left. */
int
ident_uic_check_digit(const char *s)
{
	int	i, d, sum = 0;

	for (i = 0; i < 11; i++) {
		if (!is_digit(s[i]))
			return -1;
		d = (s[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += d / 10 + d % 10;
	}
	return (10 - sum % 10) % 10;
}

/* Shape and check digit of a UIC wagon number. */
enum ident_status
ident_uic_check(const char *s, int *expected)
{
	int	check;

	if (s == NULL || !all_of(s, 12, is_digit))
		return IDENT_BAD_SHAPE;
	check = ident_uic_check_digit(s);
	if (expected != NULL)
		*expected = check;
	return check == s[11] - '0' ? IDENT_OK : IDENT_BAD_CHECK;
}

/* ISO 6346 letter values: A=10, then skipping multiples of 11. */
static int
iso6346_letter_value(char c)
{
	int	v = 10;
	char	l;

	for (l = 'A'; l < c; l++) {
		v++;
		if (v % 11 == 0)
			v++;
	}
	return v;
}

/* Weighted sum (2^i) mod 11, mod 10. */
int
ident_iso6346_check_digit(const char *s)
{
	long	sum = 0;
	int	i, v;

	for (i = 0; i < 10; i++) {
		if (i < 4) {
			if (!is_upper(s[i]))
				return -1;
			v = iso6346_letter_value(s[i]);
		} else {
			if (!is_digit(s[i]))
				return -1;
			v = s[i] - '0';
		}
		sum += (long)v << i;
	}
	return (int)(sum % 11 % 10);
}

/* Shape and check digit of a container number. */
enum ident_status
ident_iso6346_check(const char *s, int *expected)
{
	int	check;

	if (s == NULL || strlen(s) != 11 || !is_digit(s[10]))
		return IDENT_BAD_SHAPE;
	if ((check = ident_iso6346_check_digit(s)) < 0)
		return IDENT_BAD_SHAPE;
	if (expected != NULL)
		*expected = check;
	return check == s[10] - '0' ? IDENT_OK : IDENT_BAD_CHECK;
}

/* Drops dots and spaces; accepts 6 to 10 digits. */
int
ident_hs_normalise(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '.' || s[i] == ' ')
			continue;
		if (!is_digit(s[i]) || n == IDENT_HS_MAX)
			return -1;
		out[n++] = s[i];
	}
	out[n] = '\0';
	return n >= 6 ? 0 : -1;
}

/* Two capital letters. */
bool
ident_is_country(const char *s)
{
	return s != NULL && all_of(s, 2, is_upper);
}

/* Three capital letters. */
bool
ident_is_currency(const char *s)
{
	return s != NULL && all_of(s, 3, is_upper);
}

/* Four digits. */
bool
ident_is_un_number(const char *s)
{
	return s != NULL && all_of(s, 4, is_digit);
}

/* The first rule s breaks, in the order a sender fixes them. */
const char *
ident_train_number_problem(const char *s, size_t len)
{
	size_t	i;

	if (s == NULL || len == 0)
		return "it is empty";
	if (len > IDENT_TRAIN_NUMBER_MAX)
		return "it is longer than 64 characters";
	for (i = 0; i < len; i++) {
		if (s[i] == '/')
			return "it holds '/', which no URL can name";
		if (s[i] == '@')
			return "it holds '@', which the API reads as the start of "
			    "a run number";
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return "it holds a space, a control character or a "
			    "character outside printable ASCII";
	}
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' &&
	    s[1] == '.'))
		return "\".\" and \"..\" are path segments, not train numbers";
	return NULL;
}
