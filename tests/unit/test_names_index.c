/*
 * test_names_index.c -- the candidate index (rules/names_index.c) gives
 * exactly what scoring every listed name gives: the same entries, names
 * and scores at 0.6, 0.75, 0.85 and 0.95, for every name of
 * fixtures/screening/pairs.tsv against all its listed names (some joined
 * into entries with aliases), and for generated party names (400 in
 * make check, 2,000 in make torture; a tenth of them variants of listed
 * ones) against 1,000 generated entries in three scripts; the same from
 * four threads at once; and that from NAMES_INDEX_PRUNE_FROM on it
 * scores fewer names than there are.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/namegen.h"
#include "rules/names.h"
#include "rules/names_index.h"

#include "unit.h"

#define PAIRS	"fixtures/screening/pairs.tsv"
#define FORMS	"etc/rules/default/lists/legal-forms.txt"
#define GENERIC	"etc/rules/default/lists/generic-words.txt"

static const double	thresholds[] = { 0.6, 0.75, 0.85, 0.95 };

static struct names_forms	forms;
static struct names_generic	generic;

/* The lines of a words file, `#` comments dropped; *n of them. */
static const char **
read_lines(const char *path, size_t *n)
{
	static const char	*v[2048];
	char			 line[512], *p;
	FILE			*f;

	*n = 0;
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL && *n < 2048) {
		line[strcspn(line, "#\r\n")] = '\0';
		while ((p = strrchr(line, ' ')) != NULL && p[1] == '\0')
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0')
			v[(*n)++] = strdup(p);
	}
	fclose(f);
	return v;
}

static int
ix_init(void)
{
	const char	**v;
	char		  err[256];
	size_t		  n, i;
	int		  r;

	if ((v = read_lines(FORMS, &n)) == NULL)
		return -1;
	r = names_forms_init(&forms, v, n, err, sizeof(err));
	for (i = 0; i < n; i++)
		free((char *)v[i]);
	if (r != 0 || (v = read_lines(GENERIC, &n)) == NULL)
		return -1;
	r = names_generic_init(&generic, v, n, err, sizeof(err));
	for (i = 0; i < n; i++)
		free((char *)v[i]);
	return r;
}

static int
ix_cleanup(void)
{
	names_forms_free(&forms);
	names_generic_free(&generic);
	names_thread_end();
	return 0;
}

/* A set of names: their keys and the entry each belongs to. */
struct nameset {
	struct names_keys	*k;
	uint32_t		*entry;
	size_t			 n, cap;
};

static int
set_add(struct nameset *s, const char *name, uint32_t entry)
{
	char	err[256];

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->k = realloc(s->k, s->cap * sizeof(*s->k));
		s->entry = realloc(s->entry, s->cap * sizeof(*s->entry));
		if (s->k == NULL || s->entry == NULL)
			return -1;
	}
	if (names_keys(name, &forms, &s->k[s->n], err, sizeof(err)) != 0) {
		printf("\n  %s: %s", name, err);
		return -1;
	}
	s->entry[s->n++] = entry;
	return 0;
}

static void
set_free(struct nameset *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		names_keys_free(&s->k[i]);
	free(s->k);
	free(s->entry);
}

/* A result: entry, name and score, compared exactly. */
struct res {
	uint32_t	entry;
	size_t		name;
	double		score;
	int		variant;
};

struct results {
	struct res	r[4096];
	size_t		n;
	int		overflow;
};

static void
collect_cb(void *arg, uint32_t entry, size_t name, const struct names_hit *h)
{
	struct results	*rs = arg;

	if (rs->n == sizeof(rs->r) / sizeof(rs->r[0])) {
		rs->overflow = 1;
		return;
	}
	rs->r[rs->n].entry = entry;
	rs->r[rs->n].name = name;
	rs->r[rs->n].score = h->score;
	rs->r[rs->n++].variant = (int)h->variant;
}

static int
res_cmp(const void *a, const void *b)
{
	const struct res	*x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* What scoring q against every name of list gives, at no threshold:
 * every entry with its best name (entries ascending, ties to the name
 * given first). */
static void
brute(const struct nameset *list, const struct names_keys *q,
    struct results *rs)
{
	struct names_hit	 h, *best;
	size_t			*bn, *ord, i;
	uint32_t		 e, ne = 0;

	rs->n = 0;
	rs->overflow = 0;
	for (i = 0; i < list->n; i++)
		if (list->entry[i] + 1 > ne)
			ne = list->entry[i] + 1;
	best = calloc(ne + 1, sizeof(*best));
	bn = calloc(ne + 1, sizeof(*bn));
	ord = calloc(ne + 1, sizeof(*ord));
	if (best == NULL || bn == NULL || ord == NULL)
		abort();
	for (e = 0; e < ne; e++)
		bn[e] = (size_t)-1;
	/* One pass: each name against its entry's best so far (the name
	 * given first wins a tie, as it is met first). */
	for (i = 0; i < list->n; i++) {
		e = list->entry[i];
		names_match_keys(q, &list->k[i], &generic, &h);
		if (bn[e] == (size_t)-1 || h.score > best[e].score) {
			best[e] = h;
			bn[e] = ord[e];
		}
		ord[e]++;
	}
	for (e = 0; e < ne && bn[e] != (size_t)-1; e++)
		collect_cb(rs, e, bn[e], &best[e]);
	free(best);
	free(bn);
	free(ord);
}

/* all's entries scoring min or more, into rs. */
static void
at_least(const struct results *all, double min, struct results *rs)
{
	size_t	i;

	rs->n = 0;
	rs->overflow = all->overflow;
	for (i = 0; i < all->n; i++)
		if (all->r[i].score >= min)
			rs->r[rs->n++] = all->r[i];
}

/* Entries of a list are numbered 0.. without gaps. */
static struct names_index *
index_of(const struct nameset *list)
{
	struct names_index	*ix = names_index_new(&generic);
	size_t			 i;

	for (i = 0; i < list->n; i++)
		names_index_add(ix, list->entry[i], &list->k[i]);
	names_index_build(ix);
	return ix;
}

/* Compares index and brute force for every query at every threshold;
 * the number of differences; hits and names scored summed by threshold. */
static int
compare(const struct names_index *ix, const struct nameset *list,
    const struct nameset *q, size_t *hits, size_t *cand)
{
	static struct results	a, b, all;
	size_t			i, t, k;
	int			bad = 0;

	for (i = 0; i < q->n; i++) {
		brute(list, &q->k[i], &all);
		for (t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]);
		    t++) {
			a.n = 0;
			a.overflow = 0;
			cand[t] += names_index_search(ix, &q->k[i],
			    thresholds[t], collect_cb, &a);
			at_least(&all, thresholds[t], &b);
			qsort(a.r, a.n, sizeof(a.r[0]), res_cmp);
			hits[t] += b.n;
			if (a.n != b.n || a.overflow || b.overflow) {
				printf("\n  query %zu at %.2f: %zu hits, brute"
				    " force %zu (%s)", i, thresholds[t], a.n,
				    b.n, q->k[i].k[0].text);
				bad++;
				continue;
			}
			for (k = 0; k < a.n; k++)
				if (a.r[k].entry != b.r[k].entry ||
				    a.r[k].name != b.r[k].name ||
				    a.r[k].score != b.r[k].score ||
				    a.r[k].variant != b.r[k].variant) {
					bad++;
					break;
				}
		}
	}
	return bad;
}

/* pairs.tsv: queries are both columns; the list is the distinct listed
 * names, every third joined to the one before as its alias. */
static void
t_names_index_fixtures(void)
{
	struct nameset		 list = { 0 }, q = { 0 };
	struct names_index	*ix;
	char			 line[1024], *a, *b, seen[512][128];
	size_t			 nseen = 0, i, hits[4] = { 0 }, cand[4] = { 0 };
	uint32_t		 e = 0;
	FILE			*f = fopen(PAIRS, "r");
	int			 bad;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || (a = strchr(line, '\t')) == NULL ||
		    (b = strchr(++a, '\t')) == NULL)
			continue;
		*b++ = '\0';
		b[strcspn(b, "\t")] = '\0';
		CU_ASSERT_EQUAL_FATAL(set_add(&q, a, 0), 0);
		CU_ASSERT_EQUAL_FATAL(set_add(&q, b, 0), 0);
		for (i = 0; i < nseen && strcmp(seen[i], b) != 0; i++)
			;
		if (i < nseen || nseen == 512 || strlen(b) >= 128)
			continue;
		strcpy(seen[nseen++], b);
		if (nseen % 3 != 0 || e == 0)
			e = (uint32_t)list.n == 0 ? 0 : e + 1;
		CU_ASSERT_EQUAL_FATAL(set_add(&list, b, e), 0);
	}
	fclose(f);
	ix = index_of(&list);
	bad = compare(ix, &list, &q, hits, cand);
	printf("\n  %zu queries x %zu listed names (%u entries): hits %zu %zu"
	    " %zu %zu at 0.6 0.75 0.85 0.95, names scored a query at 0.85"
	    " %.1f\n", q.n, list.n, e + 1, hits[0], hits[1], hits[2],
	    hits[3], (double)cand[2] / (double)q.n);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(hits[3] > 0);
	CU_ASSERT(q.n >= 600);
	names_index_free(ix);
	set_free(&list);
	set_free(&q);
}

/*
 * How many generated party names are searched: 400 in `make check` (each
 * is scored against all 1,200 listed names several times: the new score
 * costs about 20 us a pair), RAILGATE_INDEX_QUERIES for a longer run
 * (`make torture` asks for 2,000).
 */
static size_t
queries(void)
{
	const char	*e = getenv("RAILGATE_INDEX_QUERIES");
	long		 n = e != NULL ? strtol(e, NULL, 10) : 0;

	return n >= 100 && n <= 100000 ? (size_t)n : 400;
}

/* 1,000 entries (every fifth with an alias in another script) and
 * queries() party names, a tenth of them variants of listed names. */
static void
gen_sets(struct nameset *list, struct nameset *q, char (*names)[256])
{
	char		 v[256];
	uint64_t	 s = 0x19;
	uint32_t	 e;
	size_t		 i;

	for (e = 0; e < 1000; e++) {
		ng_name(names[e], 256, ng_script(&s), &s);
		CU_ASSERT_EQUAL_FATAL(set_add(list, names[e], e), 0);
		if (e % 5 == 4) {
			ng_name(v, sizeof(v), (int)(e % 3), &s);
			CU_ASSERT_EQUAL_FATAL(set_add(list, v, e), 0);
		}
	}
	for (i = 0; i < queries(); i++) {
		if (i % 10 == 0)
			ng_variant(v, sizeof(v), names[ng_next(&s) % 1000], &s);
		else
			ng_name(v, sizeof(v), ng_script(&s), &s);
		CU_ASSERT_EQUAL_FATAL(set_add(q, v, 0), 0);
	}
}

static void
t_names_index_generated(void)
{
	static char		 names[1000][256];
	struct nameset		 list = { 0 }, q = { 0 };
	struct names_index	*ix;
	size_t			 hits[4] = { 0 }, cand[4] = { 0 };
	int			 bad;

	gen_sets(&list, &q, names);
	ix = index_of(&list);
	bad = compare(ix, &list, &q, hits, cand);
	printf("\n  %zu queries x %zu names (1000 entries): hits %zu %zu %zu"
	    " %zu at 0.6 0.75 0.85 0.95, names scored a query at 0.85 %.1f,"
	    " 0.95 %.1f\n", q.n, list.n, hits[0], hits[1], hits[2], hits[3],
	    (double)cand[2] / (double)q.n, (double)cand[3] / (double)q.n);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(hits[3] > 0);
	/* Below NAMES_INDEX_PRUNE_FROM every name is scored; from it on,
	 * far fewer. */
	CU_ASSERT_EQUAL(cand[0], q.n * list.n);
	CU_ASSERT((double)cand[2] / (double)q.n < (double)list.n / 2);
	names_index_free(ix);
	set_free(&list);
	set_free(&q);
}

struct worker {
	const struct names_index	*ix;
	const struct nameset		*q;
	size_t				 from, hits;
};

static void
count_cb(void *arg, uint32_t entry, size_t name, const struct names_hit *h)
{
	(void)entry;
	(void)name;
	(void)h;
	(*(size_t *)arg)++;
}

static void *
worker(void *arg)
{
	struct worker	*w = arg;
	size_t		 i;

	for (i = 0; i < w->q->n; i++)
		names_index_search(w->ix, &w->q->k[(i + w->from) % w->q->n],
		    0.9, count_cb, &w->hits);
	names_thread_end();
	return NULL;
}

/* Four threads searching one index at once find what one thread finds. */
static void
t_names_index_threads(void)
{
	static char		 names[1000][256];
	struct nameset		 list = { 0 }, q = { 0 };
	struct names_index	*ix;
	struct worker		 w[4];
	pthread_t		 t[4];
	size_t			 one = 0, i;

	gen_sets(&list, &q, names);
	ix = index_of(&list);
	for (i = 0; i < q.n; i++)
		names_index_search(ix, &q.k[i], 0.9, count_cb, &one);
	for (i = 0; i < 4; i++) {
		w[i].ix = ix;
		w[i].q = &q;
		w[i].from = i * q.n / 4;
		w[i].hits = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, worker,
		    &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(w[i].hits, one);
	}
	CU_ASSERT(one > 0);
	names_index_free(ix);
	set_free(&list);
	set_free(&q);
}

/* An empty index finds nothing and scores nothing. */
static void
t_names_index_empty(void)
{
	struct names_index	*ix = names_index_new(&generic);
	struct names_keys	 k;
	size_t			 hits = 0;
	char			 err[256];

	names_index_build(ix);
	CU_ASSERT_EQUAL_FATAL(names_keys("Timur Trading House", &forms, &k,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(names_index_search(ix, &k, 0.9, count_cb, &hits), 0);
	CU_ASSERT_EQUAL(names_index_search(ix, &k, 0.6, count_cb, &hits), 0);
	CU_ASSERT_EQUAL(hits, 0);
	CU_ASSERT_EQUAL(names_index_names(ix), 0);
	names_keys_free(&k);
	names_index_free(ix);
	names_index_free(NULL);
}

static CU_TestInfo names_index_tests[] = {
	{ "t_names_index_empty", t_names_index_empty },
	{ "t_names_index_fixtures", t_names_index_fixtures },
	{ "t_names_index_generated", t_names_index_generated },
	{ "t_names_index_threads", t_names_index_threads },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("names_index", ix_init, ix_cleanup, names_index_tests)
