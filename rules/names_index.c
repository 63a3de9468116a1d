/*
 * names_index.c -- an inverted index from grams (names_index.h) to the
 * names of list entries, so that a party name is scored only against the
 * names it shares a gram with.
 *
 * Owns: the names (a deep copy of each names_keys, with the tokens of its
 * keys made at build: names_keys_keep()) sorted by entry, and the
 * postings: the distinct grams sorted, and for each the names holding
 * it (ascending).  A gram is a uint64_t: three code points of 21 bits
 * (PAD for the boundary mark), or a Han character with the top bit set.
 * Nothing changes after build, so searches share the index unlocked;
 * each search allocates its own marks.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "manifest/util.h"
#include "rules/names_index.h"
#include "rules/names_tok.h"

#define PAD	0x110000u	/* above every code point */
#define UNIGRAM	(UINT64_C(1) << 63)
#define TOKMAX	256		/* code points of a token read for grams */

struct ix_name {
	uint32_t		 entry;
	uint32_t		 seq;	/* order added */
	size_t			 ord;	/* among its entry's names */
	struct names_keys	 keys;
	struct names_keys_kept	 kept;	/* keys' tokens, made at build */
};

struct names_index {
	struct ix_name	*name;
	size_t		 nname, capname;
	uint64_t	*gram;		/* distinct, ascending */
	size_t		 ngram;
	size_t		*off;		/* postings of gram[i]: post[off[i]..off[i+1]) */
	uint32_t	*post;
	uint32_t	*nogram;	/* names without a gram: always scored */
	size_t		 nnogram;
	const struct names_generic *generic;	/* borrowed; NULL: none */
};

/* A growable array of grams. */
struct grams {
	uint64_t	*g;
	size_t		 n, cap;
};

static void
grams_push(struct grams *g, uint64_t v)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->g = xreallocarray(g->g, g->cap, sizeof(*g->g));
	}
	g->g[g->n++] = v;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
is_han(UChar32 c)
{
	UErrorCode	st = U_ZERO_ERROR;

	return c >= 0x2e80 && uscript_getScript(c, &st) == USCRIPT_HAN;
}

/* Grams of one token cp[0..n): padded trigrams, Han characters alone. */
static void
token_grams(const UChar32 *cp, size_t n, struct grams *g)
{
	uint64_t	a = PAD, b, c;
	size_t		i;

	for (i = 0; i < n; i++)
		if (is_han(cp[i]))
			grams_push(g, UNIGRAM | (uint64_t)cp[i]);
	b = (uint64_t)cp[0];
	for (i = 1; i <= n; i++) {
		c = i < n ? (uint64_t)cp[i] : PAD;
		grams_push(g, a << 42 | b << 21 | c);
		a = b;
		b = c;
	}
}

/* The distinct grams of every key of k, ascending, into g (reset). */
static void
keys_grams(const struct names_keys *k, struct grams *g)
{
	UChar32		 cp[TOKMAX];
	const char	*s;
	int32_t		 i, len;
	size_t		 j, n, w;
	UChar32		 c;

	g->n = 0;
	for (j = 0; j < k->n; j++) {
		s = k->k[j].text;
		len = (int32_t)strlen(s);
		for (i = 0, n = 0; i <= len; ) {
			c = ' ';
			if (i < len)
				U8_NEXT(s, i, len, c);
			else
				i++;
			if (c != ' ' && n < TOKMAX) {
				cp[n++] = c < 0 ? 0xfffd : c;
				continue;
			}
			if (c == ' ' && n > 0) {
				token_grams(cp, n, g);
				n = 0;
			}
		}
	}
	if (g->n == 0)
		return;
	qsort(g->g, g->n, sizeof(*g->g), u64_cmp);
	for (w = 1, j = 1; j < g->n; j++)
		if (g->g[j] != g->g[w - 1])
			g->g[w++] = g->g[j];
	g->n = w;
}

struct names_index *
names_index_new(const struct names_generic *generic)
{
	struct names_index	*ix = xcalloc(1, sizeof(struct names_index));

	ix->generic = generic;
	return ix;
}

static void
keys_copy(struct names_keys *dst, const struct names_keys *src)
{
	size_t	i;

	*dst = *src;
	for (i = 0; i < src->n; i++)
		dst->k[i].text = xstrdup(src->k[i].text);
}

void
names_index_add(struct names_index *ix, uint32_t entry,
    const struct names_keys *keys)
{
	struct ix_name	*nm;

	if (ix->nname == ix->capname) {
		ix->capname = ix->capname ? ix->capname * 2 : 64;
		ix->name = xreallocarray(ix->name, ix->capname,
		    sizeof(*ix->name));
	}
	nm = &ix->name[ix->nname];
	nm->entry = entry;
	nm->seq = (uint32_t)ix->nname++;
	nm->ord = 0;
	keys_copy(&nm->keys, keys);
	memset(&nm->kept, 0, sizeof(nm->kept));
}

static int
name_cmp(const void *a, const void *b)
{
	const struct ix_name	*x = a, *y = b;

	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* (gram, name) pairs, sorted by gram then name. */
struct pair {
	uint64_t	gram;
	uint32_t	name;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair	*x = a, *y = b;

	if (x->gram != y->gram)
		return x->gram < y->gram ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Collects every (gram, name) pair and the names without a gram. */
static struct pair *
collect_pairs(struct names_index *ix, size_t *np)
{
	struct grams	 g = { NULL, 0, 0 };
	struct pair	*p = NULL;
	size_t		 i, j, n = 0, cap = 0;

	ix->nogram = xreallocarray(NULL, ix->nname + 1, sizeof(uint32_t));
	for (i = 0; i < ix->nname; i++) {
		keys_grams(&ix->name[i].keys, &g);
		if (g.n == 0)
			ix->nogram[ix->nnogram++] = (uint32_t)i;
		if (n + g.n > cap) {
			cap = (n + g.n) * 2;
			p = xreallocarray(p, cap, sizeof(*p));
		}
		for (j = 0; j < g.n; j++) {
			p[n].gram = g.g[j];
			p[n++].name = (uint32_t)i;
		}
	}
	free(g.g);
	*np = n;
	return p;
}

void
names_index_build(struct names_index *ix)
{
	struct pair	*p;
	size_t		 i, n;

	if (ix->nname > 0)
		qsort(ix->name, ix->nname, sizeof(*ix->name), name_cmp);
	for (i = 1; i < ix->nname; i++)
		if (ix->name[i].entry == ix->name[i - 1].entry)
			ix->name[i].ord = ix->name[i - 1].ord + 1;
	/* Each name's tokens once, rather than at each comparison: a big
	 * list's names are each compared with thousands of queries. */
	for (i = 0; i < ix->nname; i++)
		names_keys_keep(&ix->name[i].keys, ix->generic,
		    &ix->name[i].kept);
	p = collect_pairs(ix, &n);
	if (n > 0)
		qsort(p, n, sizeof(*p), pair_cmp);
	ix->gram = xreallocarray(NULL, n + 1, sizeof(*ix->gram));
	ix->off = xreallocarray(NULL, n + 2, sizeof(*ix->off));
	ix->post = xreallocarray(NULL, n + 1, sizeof(*ix->post));
	for (i = 0; i < n; i++) {
		if (i == 0 || p[i].gram != p[i - 1].gram) {
			ix->off[ix->ngram] = i;
			ix->gram[ix->ngram++] = p[i].gram;
		}
		ix->post[i] = p[i].name;
	}
	ix->off[ix->ngram] = n;
	free(p);
}

/* The names to score against query grams g, ascending, into *out;
 * their number. */
static size_t
candidates(const struct names_index *ix, const struct grams *g,
    uint32_t **out)
{
	uint8_t		*seen;
	uint32_t	*c;
	size_t		 i, j, n = 0, lo, hi, mid;

	c = xreallocarray(NULL, ix->nname + 1, sizeof(*c));
	if (g->n == 0) {	/* nothing to select on: every name */
		for (i = 0; i < ix->nname; i++)
			c[i] = (uint32_t)i;
		*out = c;
		return ix->nname;
	}
	seen = xcalloc(ix->nname + 1, 1);
	for (i = 0; i < ix->nnogram; i++) {
		seen[ix->nogram[i]] = 1;
		c[n++] = ix->nogram[i];
	}
	for (i = 0; i < g->n; i++) {
		for (lo = 0, hi = ix->ngram; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (ix->gram[mid] < g->g[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == ix->ngram || ix->gram[lo] != g->g[i])
			continue;
		for (j = ix->off[lo]; j < ix->off[lo + 1]; j++)
			if (!seen[ix->post[j]]) {
				seen[ix->post[j]] = 1;
				c[n++] = ix->post[j];
			}
	}
	free(seen);
	qsort(c, n, sizeof(*c), u32_cmp);
	*out = c;
	return n;
}

size_t
names_index_search(const struct names_index *ix,
    const struct names_keys *keys, double min_score, names_index_cb cb,
    void *arg)
{
	struct grams		 g = { NULL, 0, 0 };
	struct names_hit	 h, best = { 0, NAMES_ORIGINAL };
	const struct ix_name	*nm, *bn = NULL;
	struct names_keys_toks	*qt = xmalloc(sizeof(*qt));	/* keys' tokens */
	uint32_t		*c;
	size_t			 i, n;

	if (min_score >= NAMES_INDEX_PRUNE_FROM)
		keys_grams(keys, &g);
	n = candidates(ix, &g, &c);	/* no gram: every name */
	free(g.g);
	names_keys_toks_reset(qt);
	for (i = 0; i < n; i++) {
		nm = &ix->name[c[i]];
		if (bn != NULL && nm->entry != bn->entry) {
			if (best.score >= min_score)
				cb(arg, bn->entry, bn->ord, &best);
			bn = NULL;
		}
		names_match_keys_toks(keys, qt, &nm->keys,
		    &nm->kept, ix->generic, &h);
		if (bn == NULL || h.score > best.score) {
			best = h;
			bn = nm;
		}
	}
	if (bn != NULL && best.score >= min_score)
		cb(arg, bn->entry, bn->ord, &best);
	free(qt);
	free(c);
	return n;
}

size_t
names_index_names(const struct names_index *ix)
{
	return ix->nname;
}

void
names_index_free(struct names_index *ix)
{
	size_t	i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->nname; i++) {
		names_keys_free(&ix->name[i].keys);
		names_keys_kept_free(&ix->name[i].kept);
	}
	free(ix->name);
	free(ix->gram);
	free(ix->off);
	free(ix->post);
	free(ix->nogram);
	free(ix);
}
