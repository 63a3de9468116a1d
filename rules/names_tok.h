/*
 * names_tok.h -- the tokens the name score compares (rules/names_tok.c)
 * and the generic-word tables behind struct names_generic; private to
 * rules/names*.c.
 */
#ifndef RULES_NAMES_TOK_H
#define RULES_NAMES_TOK_H

#include <stddef.h>
#include <stdint.h>

#include "rules/names.h"

#define NAMES_TOK_MAXCP		256	/* code points of a key compared */
#define NAMES_TOK_FOLDCP	384	/* folded (expansions are longer) */
#define NAMES_TOK_MAX		40
#define NAMES_TOK_CP		48	/* a token longer is compared on its start */

/* What names_tok_fold makes of Mongolian ө, which practical Latin
 * spellings write o (Tömör) or u (Tumur): the score takes it for either. */
#define NAMES_TOK_O_OR_U	0x04e9

/* A generic word or phrase, or an abbreviation or its expansion. */
struct names_gphrase {
	int32_t	*cp;	/* tokens separated by one ' ' */
	size_t	 len;
	size_t	 ntok;
};

struct names_tok {
	const int32_t	*cp;
	const int32_t	*fcp;	/* folded (NULL: not yet) */
	uint32_t	 len, flen;
	uint8_t		 generic;
	uint8_t		 han;
	uint8_t		 syl;	/* a pinyin syllable: equal or not */
};

/* The tokens of one key; lives on the stack, owns nothing. */
struct names_toks {
	int32_t			buf[NAMES_TOK_MAXCP];
	int32_t			fbuf[NAMES_TOK_FOLDCP];
	size_t			used, fused;
	struct names_tok	t[NAMES_TOK_MAX];
	size_t			n;
};

/*
 * The tokens of one name's keys, each made when a comparison first asks
 * for it and kept for the name's other comparisons: t[i][pin] for key i,
 * pinyin split or not.  Tokens never change once made (the comparison
 * reads them), so a name searched against many entries makes its own
 * once (names_index_search()).  About 30 kB: not for the stack of a
 * deep caller.
 */
struct names_keys_toks {
	struct names_toks	t[NAMES_NVARIANTS][2];
	int			distinct[NAMES_NVARIANTS][2];
	uint8_t			made[NAMES_NVARIANTS][2];
	uint8_t			han[NAMES_NVARIANTS][2];	/* holds Han */
};

/*
 * The tokens of one key made once for good (names_keys_keep()): a list
 * entry's, which every search comparing the entry reads -- made again for
 * each comparison, they were most of a big list's search time.  t points
 * into one allocation, the tokens' code points behind them, which both
 * pins of a key may share (names_keys_kept_free() frees it once); never
 * written after it is made, so searches on any thread share it.
 */
struct names_toks_kept {
	struct names_tok	*t;	/* NULL: not made */
	uint32_t		 n;
	uint8_t			 distinct;	/* a token is not generic */
	uint8_t			 han;		/* a token is Han */
};

/* The tokens of a name's keys, t[key][pin], each made for good. */
struct names_keys_kept {
	struct names_toks_kept	t[NAMES_NVARIANTS][2];
};

/* Empties c: nothing made yet. */
void	names_keys_toks_reset(struct names_keys_toks *c);
/* names_match_keys() with a's tokens kept in ta: reset it for another a
 * or another generic (the tokens depend on both); b's are read from kb
 * when it is not NULL (made with the same generic), else made here. */
void	names_match_keys_toks(const struct names_keys *a,
	    struct names_keys_toks *ta, const struct names_keys *b,
	    const struct names_keys_kept *kb,
	    const struct names_generic *generic,
	    struct names_hit *hit);
/* Fills kb with the tokens of each of b's keys, for each pin it may be
 * compared with (names_match_keys_toks()). */
void	names_keys_keep(const struct names_keys *b,
	    const struct names_generic *generic, struct names_keys_kept *kb);
/* Frees what names_keys_keep() made; kb is then empty. */
void	names_keys_kept_free(struct names_keys_kept *kb);

/* Tokens of key text s ready to compare into t: split (each Han
 * character a token), folded, abbreviations of generic words expanded,
 * words made of pinyin syllables split into them when `pin`, generic
 * words marked (g may be NULL); returns whether a token is distinctive. */
int	names_toks_make(const char *s, int pin,
	    const struct names_generic *g, struct names_toks *t);
/* Sets t to the unfolded token cp[0..len). */
void	names_tok_set(struct names_tok *t, const int32_t *cp, size_t len,
	    int han);
/* Folds token s[0..n) into o (at most n code points); returns its length. */
size_t	names_tok_fold(const int32_t *s, size_t n, int32_t *o);
/* Is cp[0..n) (ASCII) one pinyin syllable? */
int	names_tok_syllable(const int32_t *cp, size_t n);

#endif
