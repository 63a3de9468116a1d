/*
 * names.h -- comparison keys for party names across scripts (ICU
 * transliteration) and a word-order-insensitive score between keys.
 *
 * Owns the keys, legal-form patterns and generic words it returns (freed
 * with the matching _free) and one set of ICU transliterators per thread.
 * Rule sets of edition 3 screen with it (rules/screen.c,
 * docs/screening.md); editions 1 and 2 keep rules/fuzzy.c, so their
 * decisions replay.
 *
 * Keys of a name: ORIGINAL (NFKC + case folding), SIMPLIFIED
 * ("Traditional-Simplified", Han only), PINYIN ("Han-Latin; Latin-ASCII",
 * Han only, syllables joined because Latin spellings of Chinese names
 * group syllables freely), LATIN ("Cyrillic-Latin; Latin-ASCII" for
 * Cyrillic, "Any-Latin; Latin-ASCII" otherwise).  Every key is lower
 * case, punctuation becomes space, white space is collapsed, and a key
 * equal to an earlier one is dropped.  A key holding Han characters, and
 * the pinyin key, are "joined" (spaces removed); the score still compares
 * them character by character and syllable by syllable
 * (rules/names_score.c).
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

/*
 * Generic words (rules/names_score.c): business words that many unrelated
 * companies share (Trading, Logistics, Торговый Дом, 贸易, 进出口, Thương
 * mại), the regions Chinese registered names open with, and abbreviations
 * of them ("ТД = Торговый Дом", "Impex = Import Export").  Built from
 * lines like those of etc/rules/default/lists/generic-words.txt the way
 * legal forms are; a rule set owns one and passes it to every score.
 */
struct names_gphrase;
struct names_generic {
	struct names_gphrase	*word;	/* sorted by first token */
	size_t			 nword;
	struct names_gphrase	*from;	/* abbreviations ... */
	struct names_gphrase	*to;	/* ... and what each stands for */
	size_t			 nabbr;
};

/* Builds the words from lines[0..n): "WORD [WORD...]" or "ABBR = WORDS"
 * (comments, "#...", and lines without letters add nothing); 0, or -1
 * with err (an "=" line with no letters on one side, out of memory). */
int	names_generic_init(struct names_generic *g, const char *const *lines,
	    size_t n, char *err, size_t errlen);
void	names_generic_free(struct names_generic *g);

/*
 * Similarity of two keys, 0..1 (see names_score.c for the model): tokens
 * (words; each Han character; pinyin syllables when a key is pinyin)
 * aligned one to one by a transliteration-tolerant string similarity,
 * words written together matched to words written apart, abbreviations
 * of generic words expanded; each token weighs by its length, a generic
 * token that found its counterpart weighs less and one missing on the
 * other side little (dropped words), a distinctive token whose
 * counterpart differs weighs more.  generic may be NULL.  No allocation.
 */
double	names_key_score(const struct names_key *a, const struct names_key *b,
	    const struct names_generic *generic);
/* The same for two spaced key texts, no generic words. */
double	names_token_set_score(const char *a, const char *b);

struct names_hit {
	double			 score;
	enum names_variant	 variant;	/* the key that carried it */
};

/* Best score over all pairs of keys; variant is the later of the pair's.
 * generic may be NULL (every word distinctive). */
void	names_match_keys(const struct names_keys *a,
	    const struct names_keys *b, const struct names_generic *generic,
	    struct names_hit *hit);
int	names_match(const char *name, const char *entry,
	    const struct names_forms *forms,
	    const struct names_generic *generic, struct names_hit *hit,
	    char *err, size_t errlen);
const char *names_variant_str(enum names_variant v);

/* The ORIGINAL key of name alone (NFKC, case folded, white space
 * collapsed; spaces removed when it holds Han): how a cleared party's
 * name is compared.  Caller frees; NULL with err. */
char	*names_fold(const char *name, char *err, size_t errlen);

/* This thread transliterates whole strings through ICU (on) or a
 * character at a time where that is exact (off, the default); tests and
 * bench/screening compare the two. */
void	names_whole_strings(int on);

/* Closes this thread's transliterators now (tests, worker shutdown). */
void	names_thread_end(void);

#endif
