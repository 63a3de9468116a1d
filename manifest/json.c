/*
 * json.c -- the train model as canonical JSON.
 *
 * One function per model type, each writing its keys in the order of
 * docs/contracts.md ("The train model").  The writer never looks at how the train was parsed, so
 * EDIFACT and XML inputs of the same train print the same bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "value.h"

static void write_party(struct jsonw *, const char *, const struct manifest_party *);
static void write_seals(struct jsonw *, const struct manifest_seal *, size_t);
static void write_container(struct jsonw *, const struct manifest_container *);
static void write_wagon(struct jsonw *, const struct manifest_wagon *);
struct item_seen;
static void write_item(struct jsonw *, const struct manifest_item *,
    struct item_seen *);
static void write_consignment(struct jsonw *,
    const struct manifest_consignment *, struct item_seen *);

/* "key": {party} unless every field is absent. */
static void
write_party(struct jsonw *w, const char *key, const struct manifest_party *p)
{
	if (manifest_party_is_empty(p))
		return;
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_kv_string_opt(w, "id", p->id);
	jsonw_kv_string_opt(w, "name", p->name);
	jsonw_kv_string_opt(w, "country", p->country);
	jsonw_kv_string_opt(w, "aeo", p->aeo);
	jsonw_object_end(w);
}

/* "seals": [...] (always present). */
static void
write_seals(struct jsonw *w, const struct manifest_seal *v, size_t n)
{
	size_t	i;

	jsonw_key(w, "seals");
	jsonw_array_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "number", v[i].number);
		jsonw_kv_string(w, "sealed_by", manifest_sealer_name(v[i].sealed_by));
		jsonw_kv_string(w, "condition",
		    manifest_seal_condition_name(v[i].condition));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* One container. */
static void
write_container(struct jsonw *w, const struct manifest_container *c)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "number", c->number);
	jsonw_kv_string_opt(w, "size_type", c->size_type);
	jsonw_kv_bool(w, "full", c->full);
	jsonw_kv_decimal_opt(w, "gross_kg", c->gross_kg);
	write_seals(w, c->seals, c->nseals);
	jsonw_object_end(w);
}

/* One wagon with its containers. */
static void
write_wagon(struct jsonw *w, const struct manifest_wagon *wg)
{
	size_t	i;

	jsonw_object_begin(w);
	jsonw_kv_int(w, "position", wg->position);
	jsonw_kv_string(w, "number", wg->number);
	jsonw_kv_string_opt(w, "type", wg->type);
	jsonw_kv_decimal_opt(w, "tare_kg", wg->tare_kg);
	write_seals(w, wg->seals, wg->nseals);
	jsonw_key(w, "containers");
	jsonw_array_begin(w);
	for (i = 0; i < wg->ncontainers; i++)
		write_container(w, wg->containers[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static void item_members(struct jsonw *, const struct manifest_item *,
    struct item_seen *);

/* One goods item. */
static void
write_item(struct jsonw *w, const struct manifest_item *it,
    struct item_seen *seen)
{
	jsonw_object_begin(w);
	item_members(w, it, seen);
	jsonw_object_end(w);
}

/* The per-item writers' key-value pairs, with literal keys (jsonw.h). */
#define KV_INT(w, k, v)		do { jsonw_key_literal(w, k); \
				    jsonw_int(w, v); } while (0)
#define KV_STRING(w, k, s)	do { jsonw_key_literal(w, k); \
				    jsonw_string(w, (s) != NULL ? (s) : ""); } \
				    while (0)
#define KV_STRING_OPT(w, k, s)	do { if ((s) != NULL) \
				    KV_STRING(w, k, s); } while (0)
#define KV_DECIMAL_OPT(w, k, v)	do { if ((v) != MANIFEST_ABSENT) { \
				    jsonw_key_literal(w, k); \
				    jsonw_decimal(w, v); } } while (0)

void
manifest_item_write_members_escaped(struct jsonw *w,
    const struct manifest_item *it)
{
	size_t	i;

	KV_INT(w, "seq", it->seq);
	KV_STRING_OPT(w, "hs", it->hs);
	KV_STRING_OPT(w, "description", it->description);
	if (it->packages != MANIFEST_ABSENT)
		KV_INT(w, "packages", it->packages);
	KV_STRING_OPT(w, "package_type", it->package_type);
	KV_DECIMAL_OPT(w, "gross_kg", it->gross_kg);
	KV_DECIMAL_OPT(w, "net_kg", it->net_kg);
	KV_DECIMAL_OPT(w, "value", it->value);
	KV_STRING_OPT(w, "currency", it->currency);
	KV_STRING_OPT(w, "origin", it->origin);
	KV_STRING_OPT(w, "un_number", it->un_number);
	jsonw_key_literal(w, "documents");
	jsonw_array_begin(w);
	for (i = 0; i < it->ndocuments; i++) {
		jsonw_object_begin(w);
		KV_STRING(w, "type", it->documents[i].type);
		KV_STRING_OPT(w, "id", it->documents[i].id);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_key_literal(w, "placement");
	jsonw_array_begin(w);
	for (i = 0; i < it->nplacements; i++) {
		jsonw_object_begin(w);
		KV_STRING(w, "equipment",
		    manifest_placement_equipment(&it->placements[i]));
		if (it->placements[i].packages != MANIFEST_ABSENT)
			KV_INT(w, "packages", it->placements[i].packages);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	/* After the contract's keys: an addition, never a reordering. */
	KV_STRING_OPT(w, "tracking", it->tracking);
}

/*
 * The goods item is the most written JSON of all: the wagons' contents
 * hashes write every item (315 MB for a million parcels, on the daemon's
 * way to every decision).  When none of its strings needs an escape --
 * nearly always -- its members go into one reservation, keys and
 * punctuation copied as literals, rather than key by key through the
 * writer: that train's JSON took 0.23 s on one thread instead of 0.38 s.
 * Any other item goes the writer's way; both write the same bytes.
 */
#define ITEM_FIXED	448	/* every key, quote, comma and number of an item */
#define ITEM_DOCUMENT	32	/* a document's, besides its strings */
#define ITEM_PLACEMENT	64	/* a placement's, besides its number */
#define PUT(p, lit)	(memcpy((p), (lit), sizeof(lit) - 1), \
			    (p) += sizeof(lit) - 1)

/*
 * What the item writer learnt of the strings it met last: their length,
 * and whether one needs an escape (ITEM_ESCAPE).  The model's strings
 * are shared, one copy per distinct value, so a train's items hand the
 * writer the same few addresses again and again (a code, a description,
 * a container's number); measuring and scanning each anew was a third
 * of the writer's instructions.  Keyed by address, so valid only while
 * the strings are: one writer of one train's contents owns one, zeroed
 * (item_seen_init), for the length of its call.
 */
#define ITEM_SEEN	64
#define ITEM_ESCAPE	UINT32_MAX
struct item_seen {
	const char	*s[ITEM_SEEN];
	uint32_t	 len[ITEM_SEEN];
};

static void
item_seen_init(struct item_seen *seen)
{
	memset(seen->s, 0, sizeof seen->s);
}

/* The length of s, and whether it needs no escape, measured or recalled. */
static inline __attribute__((always_inline)) bool
item_string(struct item_seen *seen, const char *s, size_t *len)
{
	size_t	i = (size_t)(((uintptr_t)s >> 3) * 0x9e3779b97f4a7c15ULL >> 58);
	bool	plain;

	if (seen != NULL && seen->s[i] == s) {
		*len = seen->len[i];
		return *len != ITEM_ESCAPE;
	}
	*len = strlen(s);
	plain = *len == 0 || json_plain_prefix(s, *len) == *len;
	if (seen != NULL && *len < ITEM_ESCAPE) {
		seen->s[i] = s;
		seen->len[i] = plain ? (uint32_t)*len : ITEM_ESCAPE;
	}
	return plain;
}

/* Whether s (NULL: absent) needs no escape; its length added to *need. */
static inline __attribute__((always_inline)) bool
item_plain(struct item_seen *seen, const char *s, size_t *len, size_t *need)
{
	if (s == NULL) {
		*len = 0;
		return true;
	}
	if (!item_string(seen, s, len))
		return false;
	*need += *len;
	return true;
}

static char *
put_str(char *p, const char *s, size_t len)
{
	*p++ = '"';
	memcpy(p, s, len);
	p += len;
	*p++ = '"';
	return p;
}

static char *
put_int(char *p, int64_t v)
{
	if (v < 0)
		*p++ = '-';
	return p + value_u64_format(v < 0 ? (uint64_t)-(v + 1) + 1 :
	    (uint64_t)v, p);
}

static char *
put_decimal(char *p, int64_t milli)
{
	return p + value_decimal_put(milli, p);
}

/* The room the item's members take, or 0 when a string needs an escape. */
static size_t
item_plain_room(const struct manifest_item *it, size_t len[7],
    struct item_seen *seen)
{
	const char	*s[7] = { it->hs, it->description, it->package_type,
			    it->currency, it->origin, it->un_number, it->tracking };
	size_t		 need = ITEM_FIXED, n, i;

	for (i = 0; i < 7; i++)
		if (!item_plain(seen, s[i], &len[i], &need))
			return 0;
	for (i = 0; i < it->ndocuments; i++) {
		need += ITEM_DOCUMENT;
		if (!item_plain(seen, it->documents[i].type, &n, &need) ||
		    !item_plain(seen, it->documents[i].id, &n, &need))
			return 0;
	}
	for (i = 0; i < it->nplacements; i++) {
		need += ITEM_PLACEMENT;
		if (!item_plain(seen, manifest_placement_equipment(
		    &it->placements[i]), &n, &need))
			return 0;
	}
	return need;
}

/* The length of a string item_plain_room() found plain (NULL: ""). */
static size_t
item_len(struct item_seen *seen, const char *s)
{
	size_t	len = 0;

	if (s != NULL)
		(void)item_string(seen, s, &len);
	return len;
}

/* The documents and placement arrays of an item whose strings are plain. */
static char *
put_item_arrays(char *p, const struct manifest_item *it,
    struct item_seen *seen)
{
	const char	*s;
	size_t		 i;

	PUT(p, ",\"documents\":[");
	for (i = 0; i < it->ndocuments; i++) {
		if (i > 0)
			*p++ = ',';
		s = it->documents[i].type;
		PUT(p, "{\"type\":");
		p = put_str(p, s != NULL ? s : "", item_len(seen, s));
		if ((s = it->documents[i].id) != NULL) {
			PUT(p, ",\"id\":");
			p = put_str(p, s, item_len(seen, s));
		}
		*p++ = '}';
	}
	PUT(p, "],\"placement\":[");
	for (i = 0; i < it->nplacements; i++) {
		if (i > 0)
			*p++ = ',';
		s = manifest_placement_equipment(&it->placements[i]);
		PUT(p, "{\"equipment\":");
		p = put_str(p, s != NULL ? s : "", item_len(seen, s));
		if (it->placements[i].packages != MANIFEST_ABSENT) {
			PUT(p, ",\"packages\":");
			p = put_int(p, it->placements[i].packages);
		}
		*p++ = '}';
	}
	*p++ = ']';
	return p;
}

#define PUT_STR(p, key, s, len)	do { if ((s) != NULL) { PUT(p, key); \
				    (p) = put_str(p, s, len); } } while (0)
#define PUT_DECIMAL(p, key, v)	do { if ((v) != MANIFEST_ABSENT) { \
				    PUT(p, key); (p) = put_decimal(p, v); } } \
				    while (0)

void
manifest_item_write_members(struct jsonw *w, const struct manifest_item *it)
{
	item_members(w, it, NULL);
}

/* manifest_item_write_members(), recalling strings in seen (NULL: none). */
static void
item_members(struct jsonw *w, const struct manifest_item *it,
    struct item_seen *seen)
{
	size_t	 len[7], need = item_plain_room(it, len, seen);
	char	*p, *start;

	if (need == 0) {
		manifest_item_write_members_escaped(w, it);
		return;
	}
	p = start = buf_reserve(w->out, need);
	if (w->need_comma[w->depth])
		*p++ = ',';
	PUT(p, "\"seq\":");
	p = put_int(p, it->seq);
	PUT_STR(p, ",\"hs\":", it->hs, len[0]);
	PUT_STR(p, ",\"description\":", it->description, len[1]);
	if (it->packages != MANIFEST_ABSENT) {
		PUT(p, ",\"packages\":");
		p = put_int(p, it->packages);
	}
	PUT_STR(p, ",\"package_type\":", it->package_type, len[2]);
	PUT_DECIMAL(p, ",\"gross_kg\":", it->gross_kg);
	PUT_DECIMAL(p, ",\"net_kg\":", it->net_kg);
	PUT_DECIMAL(p, ",\"value\":", it->value);
	PUT_STR(p, ",\"currency\":", it->currency, len[3]);
	PUT_STR(p, ",\"origin\":", it->origin, len[4]);
	PUT_STR(p, ",\"un_number\":", it->un_number, len[5]);
	p = put_item_arrays(p, it, seen);
	PUT_STR(p, ",\"tracking\":", it->tracking, len[6]);
	*p = '\0';
	w->out->len += (size_t)(p - start);
	w->need_comma[w->depth] = true;
}

/* One consignment with its items. */
static void
write_consignment(struct jsonw *w, const struct manifest_consignment *c,
    struct item_seen *seen)
{
	size_t	i;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "ref", c->ref);
	write_party(w, "consignor", &c->consignor);
	write_party(w, "consignee", &c->consignee);
	write_party(w, "declarant", &c->declarant);
	if (c->procedure != MANIFEST_PROC_DEFAULT)
		jsonw_kv_string(w, "procedure", manifest_procedure_name(c->procedure));
	jsonw_kv_decimal_opt(w, "value", c->value);
	jsonw_kv_string_opt(w, "currency", c->currency);
	jsonw_key(w, "items");
	jsonw_array_begin(w);
	for (i = 0; i < c->nitems; i++)
		write_item(w, c->items[i], seen);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* The diagnostics array of decision.md. */
void
manifest_json_write_diags(struct jsonw *w, const struct diag_list *l)
{
	char	where[256];
	size_t	i;

	jsonw_array_begin(w);
	for (i = 0; i < l->n; i++) {
		const struct diag *d = &l->v[i];

		jsonw_object_begin(w);
		jsonw_kv_string(w, "severity", diag_severity_name(d->severity));
		jsonw_kv_string(w, "code", d->code);
		jsonw_kv_string(w, "where", diag_format_where(&d->loc, where,
		    sizeof where));
		jsonw_kv_string(w, "message", d->message);
		jsonw_object_end(w);
	}
	if (l->dropped != 0) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "severity", "info");
		jsonw_kv_string(w, "code", "TOO_MANY_DIAGNOSTICS");
		jsonw_kv_string(w, "where", "");
		jsonw_key(w, "message");
		{
			char msg[96];

			snprintf(msg, sizeof msg, "%zu more diagnostics not kept",
			    l->dropped);
			jsonw_string(w, msg);
		}
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* The whole train. */
void
manifest_json_write(const struct manifest_train *t, unsigned flags,
    struct buf *out)
{
	struct item_seen seen;
	struct jsonw	w;
	size_t		i;

	item_seen_init(&seen);
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "id", t->id);
	jsonw_kv_string(&w, "direction", manifest_direction_name(t->direction));
	jsonw_kv_string(&w, "border_station", t->border_station);
	jsonw_kv_string_opt(&w, "departure_station", t->departure_station);
	jsonw_kv_string_opt(&w, "destination_station", t->destination_station);
	jsonw_kv_time_opt(&w, "eta", t->eta);
	jsonw_kv_time_opt(&w, "ata", t->ata);
	write_party(&w, "carrier", &t->carrier);
	jsonw_kv_string(&w, "manifest_ref", t->manifest_ref);
	jsonw_kv_string(&w, "function", manifest_function_name(t->function));
	jsonw_kv_time_opt(&w, "issued", t->issued);
	jsonw_key(&w, "wagons");
	jsonw_array_begin(&w);
	for (i = 0; i < t->nwagons; i++)
		write_wagon(&w, t->wagons[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "consignments");
	jsonw_array_begin(&w);
	for (i = 0; i < t->nconsignments; i++)
		write_consignment(&w, t->consignments[i], &seen);
	jsonw_array_end(&w);
	if (flags & MANIFEST_JSON_DIAGNOSTICS) {
		jsonw_key(&w, "diagnostics");
		manifest_json_write_diags(&w, &t->diags);
	}
	jsonw_object_end(&w);
}

/*
 * The contents hashes of a replacement (docs/daemon.md "Amendments"):
 * what an officer judged on a wagon, and what the rest of the train
 * holds.  Canonical JSON like the rest of this file, never shown: only
 * its hash is kept, so the shape may change with the model (an old hash
 * then differs, which counts as a change -- never as none).
 */

/* A consignment's own fields, without its items. */
static void
write_consignment_head(struct jsonw *w, const struct manifest_consignment *c)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "ref", c->ref);
	write_party(w, "consignor", &c->consignor);
	write_party(w, "consignee", &c->consignee);
	write_party(w, "declarant", &c->declarant);
	jsonw_kv_string(w, "procedure", manifest_procedure_name(c->procedure));
	jsonw_kv_decimal_opt(w, "value", c->value);
	jsonw_kv_string_opt(w, "currency", c->currency);
	jsonw_object_end(w);
}

/*
 * An item with its consignment's fields: goods as the rules see them.
 * The consignment's fields are written only when they differ from the
 * previous item's (*prev; "consignment": "same" otherwise): a
 * consignment's items mostly follow each other, and writing its parties
 * again for each of a 5,000-item train's items cost more than the rest
 * of the ingestion.  What is written still changes with every field.
 */
struct goods_writer {
	const struct manifest_consignment	*prev;
	struct item_seen			 seen;
};

static void
goods_writer_init(struct goods_writer *g)
{
	g->prev = NULL;
	item_seen_init(&g->seen);
}

static void
write_goods(struct jsonw *w, const struct manifest_item *it,
    struct goods_writer *g)
{
	jsonw_object_begin(w);
	jsonw_key_literal(w, "consignment");
	if (g->prev == it->consignment)
		jsonw_string(w, "same");
	else
		write_consignment_head(w, it->consignment);
	g->prev = it->consignment;
	jsonw_key_literal(w, "item");
	write_item(w, it, &g->seen);
	jsonw_object_end(w);
}

/* A wagon's contents up to its goods: the array is left open. */
static void
write_wagon_contents_head(struct jsonw *w, const struct manifest_wagon *wg)
{
	size_t	i;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "number", wg->number);
	jsonw_kv_string_opt(w, "type", wg->type);
	jsonw_kv_decimal_opt(w, "tare_kg", wg->tare_kg);
	write_seals(w, wg->seals, wg->nseals);
	jsonw_key(w, "containers");
	jsonw_array_begin(w);
	for (i = 0; i < wg->ncontainers; i++)
		write_container(w, wg->containers[i]);
	jsonw_array_end(w);
	jsonw_key(w, "goods");
	jsonw_array_begin(w);
}

void
manifest_wagon_contents_write(const struct manifest_wagon *wg,
    struct buf *out)
{
	struct goods_writer g;
	struct jsonw	w;
	size_t		i;

	goods_writer_init(&g);
	jsonw_init(&w, out);
	write_wagon_contents_head(&w, wg);
	for (i = 0; i < wg->nitems; i++)
		write_goods(&w, wg->items[i], &g);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

/*
 * The hash of manifest_wagon_contents_write()'s bytes, written and
 * hashed CONTENTS_STEP bytes at a time: a wagon of 20,000 parcels is
 * megabytes of JSON, which need never be held (nor leave the cache)
 * whole.  The writer's state is its depth and commas, never the bytes
 * behind it, so emptying the buffer between goods changes nothing.
 */
#define CONTENTS_STEP	((size_t)64 << 10)
void
manifest_wagon_contents_sha256(const struct manifest_wagon *wg, char hex[65])
{
	struct sha256_stream	*h = sha256_stream_new();
	struct goods_writer g;
	struct buf	b = { 0 };
	struct jsonw	w;
	size_t		i;

	goods_writer_init(&g);
	jsonw_init(&w, &b);
	write_wagon_contents_head(&w, wg);
	for (i = 0; i < wg->nitems; i++) {
		write_goods(&w, wg->items[i], &g);
		if (b.len >= CONTENTS_STEP) {
			sha256_stream_add(h, b.data, b.len);
			b.len = 0;
		}
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	sha256_stream_add(h, b.data, b.len);
	sha256_stream_end(h, hex);
	buf_free(&b);
}

/* True when some of the item is on no wagon (manifest_train_finish()). */
static bool
item_unplaced(const struct manifest_item *it)
{
	uint32_t	k;

	if (it->nplacements == 0)
		return true;
	for (k = 0; k < it->nplacements; k++)
		if (manifest_placement_wagon(&it->placements[k]) == NULL)
			return true;
	return false;
}

void
manifest_train_contents_write(const struct manifest_train *t,
    struct buf *out)
{
	struct goods_writer g;
	struct jsonw	w;
	size_t		i, j;

	goods_writer_init(&g);
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "id", t->id);
	jsonw_kv_string(&w, "direction", manifest_direction_name(t->direction));
	jsonw_kv_string_opt(&w, "border_station", t->border_station);
	jsonw_kv_string_opt(&w, "transport_mode", t->transport_mode);
	jsonw_kv_string_opt(&w, "departure_station", t->departure_station);
	jsonw_kv_string_opt(&w, "destination_station", t->destination_station);
	write_party(&w, "carrier", &t->carrier);
	jsonw_key(&w, "loose_containers");
	jsonw_array_begin(&w);
	for (i = 0; i < t->ncontainers; i++)
		if (t->containers[i]->wagon == NULL)
			write_container(&w, t->containers[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "unplaced_goods");
	jsonw_array_begin(&w);
	for (i = 0; i < t->nconsignments; i++)
		for (j = 0; j < t->consignments[i]->nitems; j++)
			if (item_unplaced(t->consignments[i]->items[j]))
				write_goods(&w, t->consignments[i]->items[j],
				    &g);
	jsonw_array_end(&w);
	jsonw_key(&w, "diagnostics");
	jsonw_array_begin(&w);
	for (i = 0; i < t->diags.n; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "severity",
		    diag_severity_name(t->diags.v[i].severity));
		jsonw_kv_string(&w, "code", t->diags.v[i].code);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}
