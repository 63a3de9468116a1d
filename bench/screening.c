/*
 * screening.c -- name screening speed (issue 19 targets): name keys per
 * second by script (per-character cache against ICU on whole strings);
 * 10,000 generated list entries against 100,000 distinct generated party
 * names on 1 and 2 threads through rules/names_index; and 200,000
 * distinct consignees against the default list (the e-commerce case,
 * each distinct name screened once).  Names come from bench/namegen.h
 * (fixed seeds).  Prints figures, not pass/fail.  A run that would take
 * long stops after BUDGET seconds and extrapolates, and says so.
 *
 * usage: bench/screening   (run from the repository root)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/namegen.h"
#include "rules/names.h"
#include "rules/names_index.h"
#include "rules/pool.h"

#define FORMS	"etc/rules/default/lists/legal-forms.txt"
#define GENERIC	"etc/rules/default/lists/generic-words.txt"
#define LIST	"etc/rules/default/lists/sanctioned-parties.txt"
#define BUDGET	8.0	/* seconds a search run may take before it stops */
#define CHUNK	64	/* names a pool task handles */

static struct names_forms	forms;
static struct names_generic	generic;	/* as the default rule set scores */

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The lines of a words file, `#` comments dropped, leading white space
 * too; *n of them (caller frees each). */
static int
lines_load(const char *path, const char **v, size_t max, size_t *n)
{
	char	 line[512], *p;
	FILE	*f;

	*n = 0;
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL && *n < max) {
		line[strcspn(line, "#\r\n")] = '\0';
		while ((p = strrchr(line, ' ')) != NULL && p[1] == '\0')
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0')
			v[(*n)++] = strdup(p);
	}
	fclose(f);
	return 0;
}

/* Reads the default rule set's legal forms and generic words; 0 or -1. */
static int
forms_load(void)
{
	static const char	*v[2048];
	char			 err[256];
	size_t			 n, i;
	int			 r;

	if (lines_load(FORMS, v, 2048, &n) != 0)
		return -1;
	r = names_forms_init(&forms, v, n, err, sizeof(err));
	for (i = 0; i < n; i++)
		free((char *)v[i]);
	if (r != 0 || lines_load(GENERIC, v, 2048, &n) != 0)
		return -1;
	r = names_generic_init(&generic, v, n, err, sizeof(err));
	for (i = 0; i < n; i++)
		free((char *)v[i]);
	return r;
}

/* n distinct generated names (script -1: mixed) in one block of 256-byte
 * slots; a fraction `variants` of them variants of list[0..nlist). */
static char *
gen_distinct(size_t n, int script, uint64_t seed, const char *list,
    size_t nlist, double variants)
{
	char		*out = malloc(n * 256), v[256];
	size_t		 i = 0, cap = 1, j, h;
	char		**seen;
	uint64_t	 s = seed;

	while (cap < n * 2)
		cap *= 2;
	seen = calloc(cap, sizeof(*seen));
	if (out == NULL || seen == NULL) {
		fprintf(stderr, "screening: out of memory\n");
		exit(1);
	}
	while (i < n) {
		if (nlist > 0 && (double)(ng_next(&s) % 1000) < variants * 1000)
			ng_variant(v, sizeof(v), list + 256 *
			    (ng_next(&s) % nlist), &s);
		else
			ng_name(v, sizeof(v), script < 0 ? ng_script(&s) :
			    script, &s);
		for (h = 5381, j = 0; v[j] != '\0'; j++)
			h = h * 33 + (unsigned char)v[j];
		for (h &= cap - 1; seen[h] != NULL; h = (h + 1) & (cap - 1))
			if (strcmp(seen[h], v) == 0)
				break;
		if (seen[h] != NULL)
			continue;
		memcpy(out + 256 * i, v, 256);
		seen[h] = out + 256 * i++;
	}
	free(seen);
	return out;
}

/* The keys of names[0..n) on `threads` threads. */
struct keyjob {
	const char		*names;
	struct names_keys	*keys;
	size_t			 n;
	int			 whole;
};

static void
key_cb(void *arg, size_t c)
{
	struct keyjob	*j = arg;
	char		 err[256];
	size_t		 i;

	names_whole_strings(j->whole);
	for (i = c * CHUNK; i < j->n && i < (c + 1) * CHUNK; i++)
		if (names_keys(j->names + 256 * i, &forms, &j->keys[i], err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "screening: %s\n", err);
			exit(1);
		}
}

static struct names_keys *
keys_of(const char *names, size_t n, unsigned threads, int whole,
    double *secs)
{
	struct keyjob	j = { names, calloc(n + 1, sizeof(*j.keys)), n, whole };
	double		t0 = now();

	rules_pool_run(threads, (n + CHUNK - 1) / CHUNK, key_cb, &j);
	*secs = now() - t0;
	return j.keys;
}

static void
keys_free(struct names_keys *k, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		names_keys_free(&k[i]);
	free(k);
}

static void
bench_keys(void)
{
	static const char *const script[] = { "Latin", "Cyrillic", "Han" };
	struct names_keys	*k;
	char			*names;
	double			 s, w;
	int			 i;

	for (i = 0; i < 3; i++) {
		names = gen_distinct(20000, i, 0x5eed + (uint64_t)i, NULL, 0,
		    0);
		k = keys_of(names, 2000, 1, 0, &s);	/* warm-up */
		keys_free(k, 2000);
		k = keys_of(names, 20000, 1, 0, &s);
		keys_free(k, 20000);
		k = keys_of(names, 2000, 1, 1, &w);
		keys_free(k, 2000);
		printf("screening: keys, %-8s %9.0f names/s (%.1f us), ICU on"
		    " whole strings %7.0f names/s (%.1f us), 1 thread\n",
		    script[i], 20000 / s, s / 20000 * 1e6, 2000 / w,
		    w / 2000 * 1e6);
		free(names);
	}
}

/* Searches queries[0..n) on threads threads, stopping after BUDGET. */
struct searchjob {
	const struct names_index	*ix;
	const struct names_keys		*q;
	size_t				 n, cand, hits;
	double				 min, t0;
	int				 stopped;
	size_t				 done;
};

static void
hit_cb(void *arg, uint32_t entry, size_t name, const struct names_hit *h)
{
	(void)entry;
	(void)name;
	(void)h;
	__atomic_add_fetch((size_t *)arg, 1, __ATOMIC_RELAXED);
}

static void
search_cb(void *arg, size_t c)
{
	struct searchjob	*j = arg;
	size_t			 i, cand = 0;

	if (__atomic_load_n(&j->stopped, __ATOMIC_RELAXED))
		return;
	for (i = c * CHUNK; i < j->n && i < (c + 1) * CHUNK; i++)
		cand += names_index_search(j->ix, &j->q[i], j->min, hit_cb,
		    &j->hits);
	__atomic_add_fetch(&j->cand, cand, __ATOMIC_RELAXED);
	__atomic_add_fetch(&j->done, i - c * CHUNK, __ATOMIC_RELAXED);
	if (now() - j->t0 > BUDGET)
		__atomic_store_n(&j->stopped, 1, __ATOMIC_RELAXED);
}

static void
bench_search(const char *what, const struct names_index *ix,
    const struct names_keys *q, size_t n, double min, unsigned threads,
    double keysecs)
{
	struct searchjob	j = { ix, q, n, 0, 0, min, now(), 0, 0 };
	double			s;

	rules_pool_run(threads, (n + CHUNK - 1) / CHUNK, search_cb, &j);
	s = now() - j.t0;
	if (j.done < n)
		printf("screening: %s at %.2f, %u thread%s: %zu of %zu names in"
		    " %.2f s, %.0f names/s, %.0f names scored a name, %zu hits;"
		    " all %zu: %.0f s (extrapolated)\n", what, min, threads,
		    threads > 1 ? "s" : "", j.done, n, s, j.done / s,
		    (double)j.cand / (double)j.done, j.hits, n,
		    s * (double)n / (double)j.done + keysecs);
	else
		printf("screening: %s at %.2f, %u thread%s: %.2f s (keys %.2f s"
		    " + search %.2f s), %.0f names/s, %.1f names scored a name,"
		    " %zu hits\n", what, min, threads, threads > 1 ? "s" : "",
		    s + keysecs, keysecs, s, n / (s + keysecs),
		    (double)j.cand / (double)n, j.hits);
}

/* 10,000 generated entries (every fifth with an alias in another
 * script) against 100,000 distinct names, 2% of them variants. */
static void
bench_list(void)
{
	struct names_index	*ix = names_index_new(&generic);
	struct names_keys	*ek, *ak, *qk;
	char			*entries, *aliases, *party;
	double			 s, ks;
	size_t			 i, heap;
	unsigned		 t;

	entries = gen_distinct(10000, -1, 0x1e, NULL, 0, 0);
	aliases = gen_distinct(2000, -1, 0xa1, NULL, 0, 0);
	party = gen_distinct(100000, -1, 0x9a, entries, 10000, 0.02);
	ek = keys_of(entries, 10000, 2, 0, &s);
	ak = keys_of(aliases, 2000, 2, 0, &ks);
	s = now();
	heap = mallinfo2().uordblks;
	for (i = 0; i < 10000; i++)
		names_index_add(ix, (uint32_t)i, &ek[i]);
	for (i = 0; i < 2000; i++)
		names_index_add(ix, (uint32_t)(i * 5 + 4), &ak[i]);
	names_index_build(ix);
	/* Its memory: what malloc holds for it (the names' copies, their
	 * tokens made for good, the postings). */
	printf("screening: index of 10,000 entries (%zu names) built in"
	    " %.2f s, %.1f MB\n", names_index_names(ix), now() - s,
	    (double)(mallinfo2().uordblks - heap) / 1e6);
	for (t = 2; t >= 1; t--) {
		qk = keys_of(party, 100000, t, 0, &ks);
		bench_search("10,000 entries x 100,000 names", ix, qk, 100000,
		    0.80, t, ks);
		bench_search("10,000 entries x 100,000 names", ix, qk, 100000,
		    NAMES_INDEX_PRUNE_FROM, t, ks);
		keys_free(qk, 100000);
	}
	keys_free(ek, 10000);
	keys_free(ak, 2000);
	names_index_free(ix);
	free(entries);
	free(aliases);
	free(party);
}

/* The default list: an entry a line in column 1, "aka NAME" lines below
 * it its aliases (edition 3); n names into *out (256-byte slots), their
 * entries into entry[]. */
static size_t
list_load(char **out, uint32_t *entry, size_t max)
{
	char		 line[512], *p;
	size_t		 n = 0;
	uint32_t	 e = 0;
	FILE		*f;

	*out = calloc(max, 256);
	if (*out == NULL || (f = fopen(LIST, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL && n < max) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		if (*p == ' ' || *p == '\t') {
			p += strspn(p, " \t");
			if (strncmp(p, "aka ", 4) != 0 || n == 0)
				continue;
			p += 4;
			entry[n] = e - 1;
		} else
			entry[n] = e++;
		snprintf(*out + 256 * n++, 256, "%.255s", p);
	}
	fclose(f);
	return n;
}

/* 200,000 distinct consignees (1% variants of listed names) against the
 * default list, keys and search, each name once. */
static void
bench_ecommerce(void)
{
	struct names_index	*ix = names_index_new(&generic);
	struct names_keys	*lk, *qk;
	uint32_t		 entry[256];
	char			*list, *party;
	double			 ks;
	size_t			 n, i;
	unsigned		 t;

	n = list_load(&list, entry, 256);
	lk = keys_of(list, n, 1, 0, &ks);
	for (i = 0; i < n; i++)
		names_index_add(ix, entry[i], &lk[i]);
	names_index_build(ix);
	party = gen_distinct(200000, -1, 0xec, list, n, 0.01);
	for (t = 2; t >= 1; t--) {
		qk = keys_of(party, 200000, t, 0, &ks);
		bench_search("default list x 200,000 consignees", ix, qk,
		    200000, 0.80, t, ks);
		bench_search("default list x 200,000 consignees", ix, qk,
		    200000, NAMES_INDEX_PRUNE_FROM, t, ks);
		keys_free(qk, 200000);
	}
	keys_free(lk, n);
	names_index_free(ix);
	free(list);
	free(party);
}

int
main(void)
{
	if (forms_load() != 0) {
		fprintf(stderr, "screening: cannot read %s or %s\n", FORMS,
		    GENERIC);
		return 1;
	}
	bench_keys();
	bench_ecommerce();
	bench_list();
	names_forms_free(&forms);
	return 0;
}
