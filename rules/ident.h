/*
 * ident.h -- party identifiers (docs/screening.md): normalisation.
 * Placeholder until the identifier module lands (shape checks per scheme).
 */
#ifndef RULES_IDENT_H
#define RULES_IDENT_H

#include <stddef.h>

/* in without spaces, '-', '/', '.', upper case, into out (truncated). */
void ident_normalise(const char *in, char *out, size_t outlen);
/* 0 when value (raw) fits scheme's shape, else -1 with why. */
int ident_check(const char *scheme, const char *value, char *why, size_t len);
/* The scheme whose shape value has (*scheme, or NULL); 0, -1 none. */
int ident_guess(const char *value, const char **scheme);

#endif
