/*
 * clearances.c -- the screening clearances in force, held for the
 * evaluator, and the part of them a train can use (clearances.h).
 *
 * A set owns its JSON text, and once indexed, each clearance's compact
 * JSON and name key and the buckets of the index (clearance numbers by
 * key).  It is read by jobs on any thread: the index is built once under
 * the set's mutex and never changed after.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/model.h"
#include "manifest/strmap.h"
#include "manifest/util.h"
#include "rules/names.h"

#include "daemon/clearances.h"

/* The clearances of one name key, by their number in the set. */
struct clearance_bucket {
	size_t	*idx;
	size_t	 n, cap;
};

struct clearance_set {
	atomic_uint		 refs;
	char			*key;
	char			*json;
	size_t			 n;		/* objects in json */
	pthread_mutex_t		 mu;		/* guards building the index */
	atomic_bool		 built;
	char			**texts;	/* each clearance, compact */
	char			**keys;		/* each one's names_fold */
	struct strmap		*by_key;	/* key -> bucket */
	struct clearance_bucket	**buckets;	/* every bucket, to free */
	size_t			 nbuckets;
	size_t			*always;	/* unreadable: to every train */
	size_t			 nalways;
};

/* The objects of a JSON array, counted without parsing it. */
static size_t
count_objects(const char *s)
{
	size_t	n = 0;
	int	depth = 0;
	bool	str = false;

	for (; *s != '\0'; s++) {
		if (str) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				str = false;
		} else if (*s == '"')
			str = true;
		else if (*s == '[' || *s == '{')
			n += *s == '{' && depth++ == 1;
		else if (*s == ']' || *s == '}')
			depth--;
	}
	return n;
}

struct clearance_set *
clearance_set_new(const char *key, const char *json)
{
	struct clearance_set	*s = xcalloc(1, sizeof *s);

	atomic_init(&s->refs, 1);
	atomic_init(&s->built, false);
	pthread_mutex_init(&s->mu, NULL);
	s->key = xstrdup(key);
	s->json = xstrdup(json);
	s->n = count_objects(json);
	return s;
}

struct clearance_set *
clearance_set_ref(struct clearance_set *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void
clearance_set_unref(struct clearance_set *s)
{
	size_t	i;

	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (i = 0; s->texts != NULL && i < s->n; i++) {
		free(s->texts[i]);
		free(s->keys[i]);
	}
	for (i = 0; i < s->nbuckets; i++) {
		free(s->buckets[i]->idx);
		free(s->buckets[i]);
	}
	free(s->buckets);
	strmap_free(s->by_key);
	free(s->texts);
	free(s->keys);
	free(s->always);
	pthread_mutex_destroy(&s->mu);
	free(s->key);
	free(s->json);
	free(s);
}

const char *
clearance_set_key(const struct clearance_set *s)
{
	return s->key;
}

size_t
clearance_set_count(const struct clearance_set *s)
{
	return s->n;
}

/* Clearance i under its key k. */
static void
index_add(struct clearance_set *s, const char *k, size_t i)
{
	struct clearance_bucket	*b = strmap_get(s->by_key, k);

	if (b == NULL) {
		b = xcalloc(1, sizeof *b);
		strmap_put(s->by_key, k, b);
		s->buckets = xreallocarray(s->buckets, s->nbuckets + 1,
		    sizeof *s->buckets);
		s->buckets[s->nbuckets++] = b;
	}
	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? 2 : b->cap * 2;
		b->idx = xreallocarray(b->idx, b->cap, sizeof *b->idx);
	}
	b->idx[b->n++] = i;
}

/*
 * The index, built from the JSON once.  A clearance whose party name has
 * no key (or that is no object) goes to every train: the engine refuses
 * it there, as it would without this index -- nothing is dropped here.
 */
static void
index_build(struct clearance_set *s)
{
	json_t	*root = json_loads(s->json, 0, NULL), *o;
	char	 err[128];
	size_t	 i;

	s->n = json_array_size(root);
	s->texts = xcalloc(s->n + 1, sizeof *s->texts);
	s->keys = xcalloc(s->n + 1, sizeof *s->keys);
	s->always = xcalloc(s->n + 1, sizeof *s->always);
	s->by_key = strmap_new();
	json_array_foreach(root, i, o) {
		const char *name = json_string_value(json_object_get(
		    json_object_get(o, "party"), "name"));

		s->texts[i] = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s->texts[i] == NULL)
			s->texts[i] = xstrdup("null");
		if (name == NULL || (s->keys[i] = names_fold(name, err,
		    sizeof err)) == NULL)
			s->always[s->nalways++] = i;
		else
			index_add(s, s->keys[i], i);
	}
	json_decref(root);
}

/* Marks the clearances of name's key in use[]. */
static void
mark_name(const struct clearance_set *s, struct strmap *seen,
    const char *name, bool *use, size_t *nuse)
{
	const struct clearance_bucket	*b;
	char				*k, err[128];
	size_t				 i;

	if (name == NULL || *name == '\0' || strmap_get(seen, name) != NULL)
		return;
	strmap_put(seen, name, (void *)name);
	if ((k = names_fold(name, err, sizeof err)) == NULL)
		return;
	if ((b = strmap_get(s->by_key, k)) != NULL)
		for (i = 0; i < b->n; i++)
			if (!use[b->idx[i]]) {
				use[b->idx[i]] = true;
				(*nuse)++;
			}
	free(k);
}

char *
clearance_set_for_train(struct clearance_set *s,
    const struct manifest_train *t)
{
	struct strmap			*seen;
	const struct manifest_consignment *c;
	struct buf			 b = { 0 };
	bool				*use;
	size_t				 i, nuse = 0, k = 0;

	if (s == NULL || s->n == 0)
		return NULL;
	if (!atomic_load(&s->built)) {
		pthread_mutex_lock(&s->mu);
		if (!atomic_load(&s->built)) {
			index_build(s);
			atomic_store(&s->built, true);
		}
		pthread_mutex_unlock(&s->mu);
	}
	if (s->n == 0)
		return NULL;
	use = xcalloc(s->n, sizeof *use);
	for (i = 0; i < s->nalways; i++, nuse++)
		use[s->always[i]] = true;
	seen = strmap_new();
	for (i = 0; i < t->nconsignments; i++) {
		c = t->consignments[i];
		mark_name(s, seen, c->consignor.name, use, &nuse);
		mark_name(s, seen, c->consignee.name, use, &nuse);
		mark_name(s, seen, c->declarant.name, use, &nuse);
	}
	mark_name(s, seen, t->carrier.name, use, &nuse);
	strmap_free(seen);
	if (nuse > 0) {
		buf_add_char(&b, '[');
		for (i = 0; i < s->n; i++) {
			if (!use[i])
				continue;
			if (k++ > 0)
				buf_add_char(&b, ',');
			buf_add(&b, s->texts[i], strlen(s->texts[i]));
		}
		buf_add(&b, "]", 1);
	}
	free(use);
	return nuse > 0 ? buf_steal(&b, NULL) : NULL;
}
