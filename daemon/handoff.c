/*
 * handoff.c -- a short FIFO of parsed models (see handoff.h).
 *
 * A few dozen entries at most are ever held (the trains between their
 * ingestion and their claim), so a linear search is the right size.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/model.h"
#include "manifest/util.h"

#include "daemon/handoff.h"

struct handoff {
	struct handoff_entry	*v;		/* oldest first */
	size_t			 n, cap;
	size_t			 bytes, max_bytes;
};

struct handoff *
handoff_new(size_t max_bytes)
{
	struct handoff	*h = xcalloc(1, sizeof *h);

	h->max_bytes = max_bytes;
	return h;
}

/* Removes entry i, keeping the order; its model is the caller's. */
static void
handoff_remove(struct handoff *h, size_t i)
{
	h->bytes -= h->v[i].raw_size;
	memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof *h->v);
	h->n--;
}

void
handoff_free(struct handoff *h)
{
	if (h == NULL)
		return;
	while (h->n > 0) {
		manifest_train_free(h->v[0].train);
		handoff_remove(h, 0);
	}
	free(h->v);
	free(h);
}

void
handoff_put(struct handoff *h, const struct handoff_entry *e)
{
	if (e->raw_size > h->max_bytes) {
		manifest_train_free(e->train);
		return;
	}
	while (h->n > 0 && h->bytes + e->raw_size > h->max_bytes) {
		manifest_train_free(h->v[0].train);
		handoff_remove(h, 0);
	}
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 16 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->n++] = *e;
	h->bytes += e->raw_size;
}

int
handoff_take(struct handoff *h, long long manifest_id,
    struct handoff_entry *out)
{
	size_t	i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i].manifest_id != manifest_id)
			continue;
		*out = h->v[i];
		handoff_remove(h, i);
		return 0;
	}
	return -1;
}

void
handoff_expire(struct handoff *h, int64_t at_ms)
{
	while (h->n > 0 && h->v[0].at_ms < at_ms) {
		manifest_train_free(h->v[0].train);
		handoff_remove(h, 0);
	}
}

size_t
handoff_count(const struct handoff *h)
{
	return h->n;
}

size_t
handoff_manifest_ids(const struct handoff *h, long long *ids)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		ids[i] = h->v[i].manifest_id;
	return h->n;
}
