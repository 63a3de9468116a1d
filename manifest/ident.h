/*
 * ident.h -- identifier checks: UIC wagon numbers, ISO 6346 container
 * numbers, HS codes, train numbers, and the shapes of country, currency
 * and UN numbers.
 *
 * Pure functions of their arguments; safe on any thread; own nothing.
 */
#ifndef MANIFEST_IDENT_H
#define MANIFEST_IDENT_H

#include <stdbool.h>
#include <stddef.h>

enum ident_status {
	IDENT_OK,
	IDENT_BAD_SHAPE,	/* wrong length or characters */
	IDENT_BAD_CHECK,	/* well-formed, wrong check digit */
};

/* Luhn check digit (0-9) over the first 11 digits of s, or -1 if not digits. */
int ident_uic_check_digit(const char *s);
/* Checks a 12-digit UIC wagon number; *expected gets the right digit. */
enum ident_status ident_uic_check(const char *s, int *expected);

/* ISO 6346 check digit over the first 10 characters (4 letters, 6 digits), or -1. */
int ident_iso6346_check_digit(const char *s);
/* Checks an 11-character container number; *expected gets the right digit. */
enum ident_status ident_iso6346_check(const char *s, int *expected);

#define IDENT_HS_MAX 10
/*
 * Normalises an HS code: dots and spaces dropped, 6 to 10 digits left.
 * Writes the digits and a NUL to out (IDENT_HS_MAX + 1 bytes); 0 or -1.
 */
int ident_hs_normalise(const char *s, size_t len, char *out);

/* ISO 3166-1 alpha-2 shape: two capital letters. */
bool ident_is_country(const char *s);
/* ISO 4217 shape: three capital letters. */
bool ident_is_currency(const char *s);
/* UN number shape: four digits. */
bool ident_is_un_number(const char *s);

#define IDENT_TRAIN_NUMBER_MAX 64
/*
 * Checks a train number: 1 to 64 printable ASCII characters other than
 * space, '/' and '@', and not "." or "..".  That is what the API can name
 * in a URL (/v1/trains/NUMBER or NUMBER@RUN: '/' would end the segment,
 * '@' starts the run, a proxy folds away "." and ".."), and what a log
 * line or an EDIFACT reply can quote as it is.  NULL when s is one, else
 * what is wrong with it (a static string, for a diagnostic).
 */
const char *ident_train_number_problem(const char *s, size_t len);

#endif
