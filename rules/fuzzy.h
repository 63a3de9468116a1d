/*
 * fuzzy.h -- party name screening: script-aware normalisation and a
 * similarity score between names.
 *
 * Owns nothing beyond the strings it returns.  Normalisation is NFKC +
 * case folding (utf8proc), punctuation removed, Cyrillic transliterated
 * to Latin (so "Тимур" and "Timur" compare equal), legal-form words
 * (LLC, LLP, TOO, ТОО, ООО, GmbH, 有限公司 ...) dropped and white space
 * collapsed.  Similarity is Jaro-Winkler over code points, so Chinese
 * names compare character by character.  Safe on any thread.
 */
#ifndef RULES_FUZZY_H
#define RULES_FUZZY_H

#include <stddef.h>
#include <stdint.h>

/* The normalised form of s as code points; caller frees *out; returns count. */
size_t rules_fuzzy_normalise(const char *s, int32_t **out);
/* Jaro-Winkler similarity of two code point strings, 0..1. */
double rules_fuzzy_similarity_cp(const int32_t *a, size_t na,
    const int32_t *b, size_t nb);
/* Similarity of two names after normalisation, 0..1. */
double rules_fuzzy_similarity(const char *a, const char *b);

#endif
