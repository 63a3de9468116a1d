/*
 * ident.h -- the identifier schemes of edition-3 list files
 * (docs/screening.md, "List files"): their shapes and check characters,
 * and the normal form identifiers are compared in.
 *
 *   uscc    Chinese unified social credit code: 18 characters of
 *           0-9A-HJ-NPQRTUWXY, the last a check character per
 *           GB 32100-2015 (weights 3^(i-1) mod 31, check 31 - sum mod 31)
 *   kz-bin  Kazakh BIN/IIN: 12 digits, the last the check digit (sum of
 *           weights 1..11 mod 11; when that is 10, weights 3..11,1,2; a
 *           second 10 means no valid number has these 11 digits)
 *   inn     Russian INN: 10 digits (check digit 10) or 12 (check digits
 *           11 and 12), each (sum mod 11) mod 10 of the published weights
 *   eori    EORI: two letters (the country) then 1 to 15 letters or digits
 *   tin     any other tax number: 4 to 20 letters, digits, '-' or '/'
 *
 * uscc, kz-bin, inn and eori are checked on the value's normal form
 * (ident_normalise), so "7707-083-893" and a lower-case USCC fit; tin is
 * checked as written, since its shape names '-' and '/'.
 *
 * Pure functions of their arguments: no allocation, no global state, safe
 * on any thread.  Nothing here compares two identifiers; callers compare
 * normal forms with strcmp.
 */
#ifndef RULES_IDENT_H
#define RULES_IDENT_H

#include <stddef.h>

/* Longest normal form any scheme accepts, plus room to spare; out buffers of IDENT_MAX + 1 bytes always suffice for a value that can fit a scheme. */
#define IDENT_MAX 32

/*
 * The normal form identifiers are compared in: ASCII white space, '-',
 * '/' and '.' removed, ASCII letters upper-cased, every other byte kept.
 * Writes at most outlen bytes with the NUL; when the normal form does not
 * fit, out is "" (an identifier that long fits no scheme and so equals
 * nothing a list can hold).  outlen 0 writes nothing.
 */
void ident_normalise(const char *in, char *out, size_t outlen);

/* 1 when scheme is one of uscc, kz-bin, inn, eori, tin; else 0. */
int ident_scheme_known(const char *scheme);

/*
 * Whether value (as written in a list file or received in a manifest)
 * has the shape of scheme: 0 when it does; -1 with a one-line reason in
 * why (len bytes, may be NULL/0) when it does not, or the scheme is
 * unknown.  The reason names the scheme, e.g. "uscc: check character
 * should be 'X', not '7'".
 */
int ident_check(const char *scheme, const char *value, char *why, size_t len);

/*
 * Which scheme's shape a bare identifier has, trying uscc, kz-bin, inn,
 * eori in that order (tin fits nearly anything and is never guessed).
 * Returns how many of them fit: 0 (*scheme NULL), 1, or 2 for a 12-digit
 * value that passes both the BIN and the INN check (*scheme "kz-bin", the
 * first).  *scheme is a static string.  A caller asking "is this a value
 * of scheme S" should call ident_check(S, ...) instead.
 */
int ident_guess(const char *value, const char **scheme);

/* The GB 32100-2015 check character for the first 17 characters of s, or -1 when they are not 17 code characters (upper case). */
int ident_uscc_check_char(const char *s);
/* The BIN/IIN check digit ('0'..'9') for the first 11 digits of s; -1 when they are not digits or no check digit exists (both sums 10). */
int ident_kz_bin_check_digit(const char *s);
/* The INN check digit ('0'..'9') over the first n digits of s (n = 9, 10 or 11); -1 otherwise. */
int ident_inn_check_digit(const char *s, size_t n);

#endif
