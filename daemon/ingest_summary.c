/*
 * ingest_summary.c -- what the database is told of a train just read
 * (see ingest_summary.h): the run's summary columns, its parties for the
 * console's search, and its wagons, each with the hash of its contents.
 * Written on the ingesting worker; owns nothing past a call.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/model.h"
#include "manifest/util.h"
#include "rules/pool.h"

#include "daemon/ingest_summary.h"

#define INGEST_BIG_TRAIN	20000	/* items: wagons hashed on every core */

bool
ingest_train_perishable(const struct manifest_train *t)
{
	size_t	i, k;

	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *c = t->consignments[i];

		for (k = 0; k < c->nitems; k++) {
			const char *hs = c->items[k]->hs;

			if (hs != NULL && hs[0] == '0' && hs[1] >= '6' && hs[1] <= '8')
				return true;
		}
	}
	return false;
}

/* The SHA-256 of b's bytes, in hex; b emptied for the next use. */
static void
contents_hash(struct buf *b, char hex[65])
{
	sha256_hex(b->data, b->len, hex);
	b->len = 0;
}

/* The numbers of the wagons carrying c's goods, at most max, once each. */
static size_t
consignment_wagons(const struct manifest_consignment *c,
    const struct manifest_wagon **out, size_t max)
{
	size_t	n = 0, i, k, m;

	for (i = 0; i < c->nitems; i++) {
		const struct manifest_item *it = c->items[i];

		for (k = 0; k < it->nplacements; k++) {
			const struct manifest_wagon *wg =
			    manifest_placement_wagon(&it->placements[k]);

			if (wg == NULL || wg->number == NULL)
				continue;
			for (m = 0; m < n && out[m] != wg; m++)
				;
			if (m == n && n < max)
				out[n++] = wg;
		}
	}
	return n;
}

/* One party with a name, for the search (search_parties_rebuild()). */
static void
write_search_party(struct jsonw *w, const char *role,
    const struct manifest_party *p, const struct manifest_consignment *c,
    const struct manifest_wagon *const *wagons, size_t nwagons)
{
	size_t	i;

	if (p->name == NULL)
		return;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "role", role);
	jsonw_kv_string(w, "name", p->name);
	jsonw_kv_string_opt(w, "id", p->id);
	jsonw_kv_string_opt(w, "country", p->country);
	if (c != NULL)
		jsonw_kv_string_opt(w, "consignment", c->ref);
	jsonw_key(w, "wagons");
	jsonw_array_begin(w);
	for (i = 0; i < nwagons; i++)
		jsonw_string(w, wagons[i]->number);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/*
 * "parties": every named party of the train with the wagons carrying its
 * consignment's goods (at most SEARCH_PARTY_WAGONS), for the console's
 * search (migration 027).
 */
#define SEARCH_PARTY_WAGONS	32
static void
build_parties_json(struct jsonw *w, const struct manifest_train *t)
{
	const struct manifest_wagon	*wagons[SEARCH_PARTY_WAGONS];
	size_t				 i, n;

	jsonw_key(w, "parties");
	jsonw_array_begin(w);
	write_search_party(w, "carrier", &t->carrier, NULL, NULL, 0);
	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *c = t->consignments[i];

		n = consignment_wagons(c, wagons, SEARCH_PARTY_WAGONS);
		write_search_party(w, "consignor", &c->consignor, c, wagons, n);
		write_search_party(w, "consignee", &c->consignee, c, wagons, n);
		write_search_party(w, "declarant", &c->declarant, c, wagons, n);
	}
	jsonw_array_end(w);
}

void
ingest_summary_train(const struct manifest_train *t, bool green_lane,
    struct buf *out)
{
	struct jsonw	w;
	struct buf	scratch = { 0 };
	char		hex[65];

	manifest_train_contents_write(t, &scratch);
	contents_hash(&scratch, hex);
	buf_free(&scratch);
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "contents_sha256", hex);
	jsonw_kv_string(&w, "direction", manifest_direction_name(t->direction));
	jsonw_kv_string_opt(&w, "carrier_id", t->carrier.id);
	jsonw_kv_string_opt(&w, "border_station", t->border_station);
	jsonw_kv_string_opt(&w, "departure_station", t->departure_station);
	jsonw_kv_string_opt(&w, "destination_station", t->destination_station);
	jsonw_kv_time_opt(&w, "eta", t->eta);
	jsonw_kv_time_opt(&w, "ata", t->ata);
	jsonw_kv_time_opt(&w, "issued", t->issued);
	jsonw_kv_bool(&w, "green_lane", green_lane);
	jsonw_key(&w, "counts");
	jsonw_object_begin(&w);
	jsonw_kv_int(&w, "wagons", (int64_t)t->nwagons);
	jsonw_kv_int(&w, "containers", (int64_t)t->ncontainers);
	jsonw_kv_int(&w, "consignments", (int64_t)t->nconsignments);
	jsonw_kv_int(&w, "items", (int64_t)t->nitems);
	jsonw_object_end(&w);
	build_parties_json(&w, t);
	jsonw_object_end(&w);
}

/* The wagons' contents hashes, filled in parallel (ingest_summary_wagons). */
struct wagon_hashes {
	const struct manifest_train	*t;
	char				(*hex)[65];
};

static void
wagon_hash_cb(void *arg, size_t i)
{
	struct wagon_hashes	*h = arg;

	manifest_wagon_contents_sha256(h->t->wagons[i], h->hex[i]);
}

/*
 * The contents hashes are most of the ingestion of a big train (the
 * canonical JSON of every item): its wagons are hashed on every core, as
 * they are evaluated.
 */
void
ingest_summary_wagons(const struct manifest_train *t, struct buf *out)
{
	struct jsonw		 w;
	struct wagon_hashes	 h = { t, xcalloc(t->nwagons + 1, sizeof *h.hex) };
	size_t			 i, k;

	(void)rules_pool_run(t->nitems > INGEST_BIG_TRAIN ? 0 : 1, t->nwagons,
	    wagon_hash_cb, &h);
	jsonw_init(&w, out);
	jsonw_array_begin(&w);
	for (i = 0; i < t->nwagons; i++) {
		const struct manifest_wagon *wg = t->wagons[i];

		jsonw_object_begin(&w);
		jsonw_kv_int(&w, "position", wg->position);
		jsonw_kv_string(&w, "number", wg->number);
		jsonw_kv_string(&w, "contents_sha256", h.hex[i]);
		jsonw_key(&w, "containers");
		jsonw_array_begin(&w);
		for (k = 0; k < wg->ncontainers; k++)
			jsonw_string(&w, wg->containers[k]->number != NULL ?
			    wg->containers[k]->number : "");
		jsonw_array_end(&w);
		jsonw_kv_int(&w, "items", (int64_t)wg->nitems);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	free(h.hex);
}
