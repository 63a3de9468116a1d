/*
 * names.h -- comparison keys for party names across scripts (ICU
 * transliteration) and a word-order-insensitive score between keys.
 *
 * Owns the keys and legal-form patterns it returns (freed with the
 * matching _free) and one set of ICU transliterators per thread.  Not
 * wired into rule evaluation yet (issue 19, first step); rules/fuzzy.c
 * is today's screening and is unchanged.
 *
 * Keys of a name: ORIGINAL (NFKC + case folding), SIMPLIFIED
 * ("Traditional-Simplified", Han only), PINYIN ("Han-Latin; Latin-ASCII",
 * Han only, syllables joined because Latin spellings of Chinese names
 * group syllables freely), LATIN ("Cyrillic-Latin; Latin-ASCII" for
 * Cyrillic, "Any-Latin; Latin-ASCII" otherwise).  Every key is lower
 * case, punctuation becomes space, white space is collapsed, and a key
 * equal to an earlier one is dropped.  A key holding Han characters, and
 * the pinyin key, are "joined": compared as whole strings, spaces removed.
 *
 * Threads: a UTransliterator is not safe to use from two threads at once.
 * Each thread opens its own set on first use and keeps it (pthread key,
 * closed at thread exit or by names_thread_end): no lock on the hot path
 * and no clone per name (cloning costs about as much as opening);
 * opening "Han-Latin" takes milliseconds, so once per thread matters.
 *
 * Cost: ICU's rule engine takes about 13 us a character for Han-Latin, so
 * Traditional-Simplified, Han-Latin and Cyrillic-Latin are applied a
 * character at a time from a per-thread cache of what each character
 * became, whenever the transliterator's rules (read once per thread) show
 * that this gives ICU's whole-string result for the name: no rule longer
 * than one character may start in it and it holds no combining mark.
 * Other names go through ICU whole.  The keys are the same either way
 * (tests/unit/test_names.c compares them).
 */
#ifndef RULES_NAMES_H
#define RULES_NAMES_H

#include <stddef.h>

enum names_variant {
	NAMES_ORIGINAL,
	NAMES_SIMPLIFIED,
	NAMES_PINYIN,
	NAMES_LATIN,
	NAMES_NVARIANTS
};

struct names_key {
	enum names_variant	 variant;
	int			 joined;	/* whole-string comparison */
	char			*text;		/* UTF-8 */
};

struct names_keys {
	struct names_key	 k[NAMES_NVARIANTS];
	size_t			 n;
};

/* Legal forms as normalised patterns: whole-token ones and Han suffixes. */
struct names_forms {
	struct names_key	*pat;	/* longest first */
	size_t			 n;
};

/* Builds patterns from forms[0..n) (e.g. the lines of legal-forms.txt). */
int	names_forms_init(struct names_forms *f, const char *const *forms,
	    size_t n, char *err, size_t errlen);
void	names_forms_free(struct names_forms *f);

/* Keys of a UTF-8 name with forms (may be NULL) stripped; 0 or -1 + err. */
int	names_keys(const char *name, const struct names_forms *forms,
	    struct names_keys *out, char *err, size_t errlen);
void	names_keys_free(struct names_keys *k);

/* Token-set similarity of two keys, 0..1: best one-to-one alignment of
 * tokens (greedy on Jaro-Winkler), weighted by token lengths, unmatched
 * tokens count against; a key without spaces holding Han characters is
 * compared as a whole string. */
double	names_token_set_score(const char *a, const char *b);

struct names_hit {
	double			 score;
	enum names_variant	 variant;	/* the key that carried it */
};

/* Best score over all pairs of keys; variant is the later of the pair's. */
void	names_match_keys(const struct names_keys *a,
	    const struct names_keys *b, struct names_hit *hit);
int	names_match(const char *name, const char *entry,
	    const struct names_forms *forms, struct names_hit *hit,
	    char *err, size_t errlen);
const char *names_variant_str(enum names_variant v);

/* This thread transliterates whole strings through ICU (on) or a
 * character at a time where that is exact (off, the default); tests and
 * bench/screening compare the two. */
void	names_whole_strings(int on);

/* Closes this thread's transliterators now (tests, worker shutdown). */
void	names_thread_end(void);

#endif
