/*
 * ident.h -- party identifiers (docs/screening.md): normalisation.
 * Placeholder until the identifier module lands (shape checks per scheme).
 */
#ifndef RULES_IDENT_H
#define RULES_IDENT_H

#include <stddef.h>

/* in without spaces, '-', '/', '.', upper case, into out (truncated). */
void ident_normalise(const char *in, char *out, size_t outlen);

#endif
