/*
 * model.c -- building and completing trains.
 *
 * Parsers call the *_add constructors as they meet objects in the input
 * and manifest_train_finish() once at the end; the structural checks that
 * do not depend on the input format live here so that EDIFACT and XML
 * report them with the same codes and words.
 */
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "model.h"
#include "model_str.h"
#include "model_tracking.h"
#include "strmap.h"
#include "util.h"

/* What train_check_items() says of an item: item_problems(). */
enum item_problem {
	ITEM_NO_HS = 1 << 0,
	ITEM_BAD_ORIGIN = 1 << 1,
	ITEM_BAD_CURRENCY = 1 << 2,
	ITEM_BAD_UN = 1 << 3,
	ITEM_UNPLACED = 1 << 4,
};

/* Items train_check_items() has something to say about (malloc'd). */
struct item_list {
	struct unclean_item {
		const struct manifest_consignment	*c;
		const struct manifest_item		*it;
		unsigned				 problems;
	}			*v;
	size_t			 n;
	size_t			 cap;
};

static unsigned item_problems(const struct manifest_item *);
static void train_link_placements(struct manifest_train *, struct item_list *);
static void train_check_equipment(struct manifest_train *);
static void train_check_items(struct manifest_train *,
    const struct item_list *);

/* A new empty train with its own arena. */
struct manifest_train *
manifest_train_new(void)
{
	struct arena		*a = arena_new();
	struct manifest_train	*t;

	t = arena_zalloc(a, sizeof *t);
	t->arena = a;
	t->eta = t->ata = t->issued = MANIFEST_ABSENT;
	t->id_src.offset = DIAG_NO_OFFSET;
	model_str_init(t);
	t->wagon_index = strmap_new();
	t->container_index = strmap_new();
	diag_list_init(&t->diags, 0);
	return t;
}

/* Frees everything the train owns. */
void
manifest_train_free(struct manifest_train *t)
{
	if (t == NULL)
		return;
	diag_list_clear(&t->diags);
	model_str_clear(t);
	strmap_free(t->wagon_index);
	strmap_free(t->container_index);
	arena_free(t->arena);	/* t itself lives in the arena */
}

/* Appends a wagon and indexes it by number. */
struct manifest_wagon *
manifest_wagon_add(struct manifest_train *t, const char *number)
{
	struct manifest_wagon	*w;

	w = arena_zalloc(t->arena, sizeof *w);
	w->number = number;
	w->tare_kg = MANIFEST_ABSENT;
	w->src.offset = DIAG_NO_OFFSET;
	t->wagons = arena_grow(t->arena, t->wagons, &t->wagons_cap,
	    t->nwagons + 1, sizeof *t->wagons);
	t->wagons[t->nwagons++] = w;
	w->position = (uint32_t)t->nwagons;
	if (number != NULL && strmap_get(t->wagon_index, number) == NULL)
		strmap_put(t->wagon_index, number, w);
	return w;
}

/* Appends a container (to w when given) and indexes it by number. */
struct manifest_container *
manifest_container_add(struct manifest_train *t, struct manifest_wagon *w,
    const char *number)
{
	struct manifest_container	*c;

	c = arena_zalloc(t->arena, sizeof *c);
	c->number = number;
	c->full = true;
	c->gross_kg = MANIFEST_ABSENT;
	c->src.offset = DIAG_NO_OFFSET;
	c->wagon = w;
	t->containers = arena_grow(t->arena, t->containers, &t->containers_cap,
	    t->ncontainers + 1, sizeof *t->containers);
	t->containers[t->ncontainers++] = c;
	if (w != NULL) {
		w->containers = arena_grow(t->arena, w->containers,
		    &w->containers_cap, w->ncontainers + 1, sizeof *w->containers);
		w->containers[w->ncontainers++] = c;
	}
	if (number != NULL && strmap_get(t->container_index, number) == NULL)
		strmap_put(t->container_index, number, c);
	return c;
}

/* Moves a loose container onto a wagon. */
void
manifest_container_attach(struct manifest_train *t,
    struct manifest_container *c, struct manifest_wagon *w)
{
	if (c->wagon != NULL)
		return;
	c->wagon = w;
	w->containers = arena_grow(t->arena, w->containers, &w->containers_cap,
	    w->ncontainers + 1, sizeof *w->containers);
	w->containers[w->ncontainers++] = c;
}

/* Names and indexes a wagon. */
void
manifest_wagon_set_number(struct manifest_train *t, struct manifest_wagon *w,
    const char *number)
{
	w->number = number;
	if (number != NULL && strmap_get(t->wagon_index, number) == NULL)
		strmap_put(t->wagon_index, number, w);
}

/* Names and indexes a container. */
void
manifest_container_set_number(struct manifest_train *t,
    struct manifest_container *c, const char *number)
{
	c->number = number;
	if (number != NULL && strmap_get(t->container_index, number) == NULL)
		strmap_put(t->container_index, number, c);
}

/* Wagon by number. */
struct manifest_wagon *
manifest_train_find_wagon(const struct manifest_train *t, const char *number)
{
	return number == NULL ? NULL : strmap_get(t->wagon_index, number);
}

/* Container by number. */
struct manifest_container *
manifest_train_find_container(const struct manifest_train *t,
    const char *number)
{
	return number == NULL ? NULL : strmap_get(t->container_index, number);
}

/* Appends a zeroed seal to an arena array. */
static struct manifest_seal *
seal_append(struct manifest_train *t, struct manifest_seal **v, size_t *n,
    size_t *cap)
{
	struct manifest_seal	*s;

	*v = arena_grow(t->arena, *v, cap, *n + 1, sizeof **v);
	s = &(*v)[(*n)++];
	memset(s, 0, sizeof *s);
	return s;
}

/* A new seal on a wagon. */
struct manifest_seal *
manifest_wagon_add_seal(struct manifest_train *t, struct manifest_wagon *w)
{
	return seal_append(t, &w->seals, &w->nseals, &w->seals_cap);
}

/* A new seal on a container. */
struct manifest_seal *
manifest_container_add_seal(struct manifest_train *t,
    struct manifest_container *c)
{
	return seal_append(t, &c->seals, &c->nseals, &c->seals_cap);
}

/* Appends an empty consignment. */
struct manifest_consignment *
manifest_consignment_add(struct manifest_train *t)
{
	struct manifest_consignment	*c;

	c = arena_zalloc(t->arena, sizeof *c);
	c->value = MANIFEST_ABSENT;
	c->src.offset = DIAG_NO_OFFSET;
	t->consignments = arena_grow(t->arena, t->consignments,
	    &t->consignments_cap, t->nconsignments + 1, sizeof *t->consignments);
	t->consignments[t->nconsignments++] = c;
	return c;
}

/* Appends an item with every number absent. */
struct manifest_item *
manifest_item_add(struct manifest_train *t, struct manifest_consignment *c)
{
	struct manifest_item	*it;

	/* One assignment, not arena_zalloc's memset call and then the
	 * fields: stores the compiler lays out (a million items). */
	it = arena_alloc(t->arena, sizeof *it);
	*it = (struct manifest_item){
		.packages = MANIFEST_ABSENT,
		.gross_kg = MANIFEST_ABSENT,
		.net_kg = MANIFEST_ABSENT,
		.value = MANIFEST_ABSENT,
		.consignment = c,
		.src.offset = DIAG_NO_OFFSET,
		.tracking_off = UINT32_MAX,
	};
	c->items = arena_grow(t->arena, c->items, &c->items_cap, c->nitems + 1,
	    sizeof *c->items);
	c->items[c->nitems++] = it;
	t->nitems++;
	return it;
}

/* The field that holds the train number, as each format names it. */
static const char *
train_number_field(const struct manifest_train *t)
{
	switch (t->source) {
	case MANIFEST_SOURCE_EDIFACT:
		return "TDT 8028 (conveyance reference)";
	case MANIFEST_SOURCE_XML:
		return "BorderTransportMeans/JourneyID";
	default:
		return "train number";
	}
}

int
manifest_train_check_number(struct manifest_train *t)
{
	const char	*why;
	struct diag_loc	 loc;
	size_t		 len;

	if (t->id == NULL)
		return 0;	/* the parsers say TRAIN_ID_MISSING themselves */
	len = strlen(t->id);
	if ((why = ident_train_number_problem(t->id, len)) == NULL)
		return 0;
	loc = manifest_src_loc(t, &t->id_src);
	loc.field = train_number_field(t);
	diag_add(&t->diags, DIAG_ERROR, "TRAIN_NUMBER", &loc, "train number "
	    "\"%.*s\"%s is not one railgate can store: %s (a train number is 1 "
	    "to 64 printable ASCII characters other than space, '/' and '@')",
	    len > 40 ? 40 : (int)len, t->id, len > 40 ? "..." : "", why);
	return -1;
}

/* Location of an object in the train's input. */
struct diag_loc
manifest_src_loc(const struct manifest_train *t, const struct manifest_src *src)
{
	struct diag_loc	loc = diag_loc_none();

	switch (t->source) {
	case MANIFEST_SOURCE_EDIFACT:
		loc = diag_loc_segment(src->index, src->tag, src->offset);
		break;
	case MANIFEST_SOURCE_XML:
		loc.line = src->index;
		loc.offset = src->offset;
		break;
	default:
		loc.offset = src->offset;
		break;
	}
	return loc;
}

/* Appends item it of consignment c, with its problems, to l. */
static void
item_list_add(struct item_list *l, const struct manifest_consignment *c,
    const struct manifest_item *it, unsigned problems)
{
	if (l->n == l->cap) {
		l->cap = l->cap * 2 + 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n].c = c;
	l->v[l->n].problems = problems;
	l->v[l->n++].it = it;
}

/* w's item list gives back what it will not use (arena_trim); w may be NULL. */
static void
wagon_trim_items(struct manifest_train *t, struct manifest_wagon *w)
{
	if (w != NULL)
		arena_trim(t->arena, w->items, &w->items_cap, w->nitems,
		    sizeof *w->items);
}

/*
 * Adds it to w's item list unless another placement of it already did.
 * *filling is the wagon whose list grew last: when another's grows, its
 * list, grown in place to a power of two, gives back the rest (a
 * million-parcel train's 55 lists would keep 6 MB unused).
 */
static void
wagon_add_item(struct manifest_train *t, struct manifest_wagon *w,
    struct manifest_item *it, struct manifest_wagon **filling)
{
	/*
	 * Placements are linked item by item, so if this item is already on
	 * the wagon it is the wagon's last entry.
	 */
	if (w->nitems > 0 && w->items[w->nitems - 1] == it)
		return;
	if (*filling != w)
		wagon_trim_items(t, *filling);
	*filling = w;
	w->items = arena_grow(t->arena, w->items, &w->items_cap, w->nitems + 1,
	    sizeof *w->items);
	w->items[w->nitems++] = it;
}

/*
 * Points a placement at the container (first) or wagon its number names;
 * neither: it keeps its number (UNKNOWN_EQUIPMENT).
 */
static void
placement_resolve(struct manifest_placement *p, struct manifest_container *c,
    struct manifest_wagon *w)
{
	uint32_t	off = p->off_on & MANIFEST_PLACEMENT_OFF_UNKNOWN;

	if (c != NULL) {
		p->on.container = c;
		p->off_on = off | (uint32_t)MANIFEST_ON_CONTAINER << 30;
	} else if (w != NULL) {
		p->on.wagon = w;
		p->off_on = off | (uint32_t)MANIFEST_ON_WAGON << 30;
	}
}

/*
 * Resolves placements to wagons and containers and reports unknown
 * equipment; applies the defaults on the way (procedure to the
 * direction, item currency to the consignment's) and feeds the tracking
 * numbers' checks (model_tracking.c) and unclean (train_check_items()):
 * one pass over a big train's items rather than several, which each miss
 * the cache -- long because that one pass is the point.
 */
static void
train_link_placements(struct manifest_train *t, struct item_list *unclean)
{
	static const enum manifest_procedure by_direction[] = {
		[MANIFEST_IMPORT] = MANIFEST_PROC_IMPORT,
		[MANIFEST_EXPORT] = MANIFEST_PROC_EXPORT,
		[MANIFEST_TRANSIT] = MANIFEST_PROC_TRANSIT,
	};
	/*
	 * Consecutive items usually sit in the same container, and equipment
	 * numbers are shared strings: a pointer compare with the last one
	 * found saves most of the lookups of a big train.
	 */
	const char			*last_equipment = NULL;
	struct manifest_container	*last_container = NULL;
	struct manifest_wagon		*last_wagon = NULL, *filling = NULL;
	struct tracking_set		 ts;	/* here: the item is in the cache */
	size_t				 i, j, k, missing;
	unsigned			 problems;

	tracking_set_begin(&ts, t);
	for (i = 0; i < t->nconsignments; i++) {
		struct manifest_consignment *c = t->consignments[i];

		if (c->procedure == MANIFEST_PROC_DEFAULT)
			c->procedure = by_direction[t->direction];
		for (j = missing = 0; j < c->nitems; j++) {
			struct manifest_item *it = c->items[j];
			bool placed = it->nplacements > 0;

			/* A tracking number is a line of its own: ask for the
			 * item's two ahead, for the number once it is here. */
			if (j + 4 < c->nitems)
				__builtin_prefetch(&c->items[j + 4]->tracking);
			if (j + 2 < c->nitems && c->items[j + 2]->tracking != NULL)
				__builtin_prefetch(c->items[j + 2]->tracking);
			if (it->tracking != NULL)
				tracking_set_add(&ts, t, it);
			else
				missing++;

			if (it->value != MANIFEST_ABSENT && it->currency == NULL)
				it->currency = c->currency;

			for (k = 0; k < it->nplacements; k++) {
				struct manifest_placement *p = &it->placements[k];
				const char *number;
				struct manifest_wagon *w;

				number = manifest_placement_equipment(p);
				if (number == NULL || number != last_equipment) {
					last_equipment = number;
					last_container = manifest_train_find_container(
					    t, number);
					last_wagon = last_container != NULL ? NULL :
					    manifest_train_find_wagon(t, number);
				}
				placement_resolve(p, last_container, last_wagon);
				w = manifest_placement_wagon(p);
				if (last_container == NULL && w == NULL) {
					struct manifest_src src =
					    manifest_placement_src(t, it, p);
					struct diag_loc loc = manifest_src_loc(t, &src);

					diag_add(&t->diags, DIAG_ERROR,
					    "UNKNOWN_EQUIPMENT", &loc,
					    "goods item %u of consignment %s is placed on "
					    "%s, which the manifest does not list",
					    it->seq, c->ref != NULL ? c->ref : "(no reference)",
					    number != NULL ? number : "(no number)");
				}
				if (w != NULL)
					wagon_add_item(t, w, it, &filling);
				else
					placed = false;
			}
			/* The rules judge these as goods on no wagon. */
			t->nunplaced += !placed;
			if ((problems = item_problems(it)) != 0)
				item_list_add(unclean, c, it, problems);
		}
		tracking_set_missing(t, c, missing);
	}
	wagon_trim_items(t, filling);
	tracking_set_end(&ts, t);
}

/* Check digits of wagons and containers, containers on no wagon, empty train. */
static void
train_check_equipment(struct manifest_train *t)
{
	struct diag_loc	 loc;
	size_t		 i;
	int		 want;

	/* A cancellation withdraws the manifest: it need list nothing. */
	if (t->nwagons == 0 && t->function != MANIFEST_CANCEL) {
		loc = diag_loc_none();
		diag_add(&t->diags, DIAG_ERROR, "EMPTY_TRAIN", &loc,
		    "the manifest lists no wagon");
	}
	for (i = 0; i < t->nwagons; i++) {
		const struct manifest_wagon *w = t->wagons[i];

		loc = manifest_src_loc(t, &w->src);
		switch (ident_uic_check(w->number, &want)) {
		case IDENT_BAD_SHAPE:
			diag_add(&t->diags, DIAG_ERROR, "WAGON_NUMBER", &loc,
			    "wagon %u: \"%s\" is not a 12-digit UIC wagon number",
			    w->position, w->number != NULL ? w->number : "");
			break;
		case IDENT_BAD_CHECK:
			diag_add(&t->diags, DIAG_ERROR, "WAGON_CHECK_DIGIT", &loc,
			    "wagon %u: check digit of %s is %c, expected %d",
			    w->position, w->number, w->number[11], want);
			break;
		case IDENT_OK:
			break;
		}
	}
	for (i = 0; i < t->ncontainers; i++) {
		const struct manifest_container *c = t->containers[i];
		const char *num = c->number != NULL ? c->number : "";

		loc = manifest_src_loc(t, &c->src);
		if (c->wagon == NULL)
			diag_add(&t->diags, DIAG_ERROR, "CONTAINER_NO_WAGON", &loc,
			    "container %s is on no wagon", num);
		switch (ident_iso6346_check(c->number, &want)) {
		case IDENT_BAD_SHAPE:
			diag_add(&t->diags, DIAG_ERROR, "CONTAINER_NUMBER", &loc,
			    "\"%s\" is not an ISO 6346 container number", num);
			break;
		case IDENT_BAD_CHECK:
			diag_add(&t->diags, DIAG_ERROR, "CONTAINER_CHECK_DIGIT", &loc,
			    "check digit of container %s is %c, expected %d",
			    num, num[10], want);
			break;
		case IDENT_OK:
			break;
		}
	}
}

/*
 * What is wrong with an item's shape, as item_problem bits: 0, the
 * common case, when train_check_items() has nothing to say.  The one
 * place the conditions are written: a check added here is said there.
 */
static unsigned
item_problems(const struct manifest_item *it)
{
	unsigned	p = 0;

	p |= it->hs == NULL ? ITEM_NO_HS : 0;
	p |= it->origin != NULL && !ident_is_country(it->origin) ?
	    ITEM_BAD_ORIGIN : 0;
	p |= it->currency != NULL && !ident_is_currency(it->currency) ?
	    ITEM_BAD_CURRENCY : 0;
	p |= it->un_number != NULL && !ident_is_un_number(it->un_number) ?
	    ITEM_BAD_UN : 0;
	p |= it->nplacements == 0 ? ITEM_UNPLACED : 0;
	return p;
}

/*
 * Shapes of HS codes, countries, currencies and UN numbers of the items
 * train_link_placements() found not clean (in train order): asked there,
 * while each item is in the cache, rather than in a second pass over a
 * big train's items, which each miss it again.
 */
static void
train_check_items(struct manifest_train *t, const struct item_list *l)
{
	struct diag_loc	 loc;
	size_t		 j;

	for (j = 0; j < l->n; j++) {
		const struct manifest_item *it = l->v[j].it;
		const struct manifest_consignment *c = l->v[j].c;
		const char *ref = c->ref != NULL ? c->ref : "(no reference)";
		unsigned p = l->v[j].problems;

		loc = manifest_src_loc(t, &it->src);
		if (p & ITEM_NO_HS)
			diag_add(&t->diags, DIAG_WARNING, "HS_MISSING", &loc,
			    "goods item %u of %s has no HS code", it->seq, ref);
		if (p & ITEM_BAD_ORIGIN)
			diag_add(&t->diags, DIAG_WARNING, "COUNTRY_CODE", &loc,
			    "goods item %u of %s: origin \"%s\" is not an "
			    "ISO 3166 alpha-2 code", it->seq, ref, it->origin);
		if (p & ITEM_BAD_CURRENCY)
			diag_add(&t->diags, DIAG_WARNING, "CURRENCY_CODE", &loc,
			    "goods item %u of %s: currency \"%s\" is not an "
			    "ISO 4217 code", it->seq, ref, it->currency);
		if (p & ITEM_BAD_UN)
			diag_add(&t->diags, DIAG_WARNING, "UN_NUMBER", &loc,
			    "goods item %u of %s: UN number \"%s\" is not four "
			    "digits", it->seq, ref, it->un_number);
		if (p & ITEM_UNPLACED)
			diag_add(&t->diags, DIAG_WARNING, "ITEM_NOT_PLACED", &loc,
			    "goods item %u of %s is placed on no wagon or "
			    "container", it->seq, ref);
	}
}

/* Links, defaults and common checks, once. */
void
manifest_train_finish(struct manifest_train *t)
{
	struct item_list	unclean = { 0 };

	if (t->finished)
		return;
	train_link_placements(t, &unclean);	/* and the defaults */
	train_check_equipment(t);
	train_check_items(t, &unclean);
	free(unclean.v);
	t->finished = true;
}

/* True when no field of the party was given. */
bool
manifest_party_is_empty(const struct manifest_party *p)
{
	return p->id == NULL && p->name == NULL && p->country == NULL &&
	    p->aeo == NULL;
}

const char *
manifest_direction_name(enum manifest_direction d)
{
	static const char *names[] = { "import", "export", "transit" };

	return (unsigned)d < nitems(names) ? names[d] : "import";
}

const char *
manifest_function_name(enum manifest_function f)
{
	static const char *names[] = { "original", "replace", "cancel" };

	return (unsigned)f < nitems(names) ? names[f] : "original";
}

const char *
manifest_procedure_name(enum manifest_procedure p)
{
	static const char *names[] = { "", "import", "export", "transit",
	    "ecommerce" };

	return (unsigned)p < nitems(names) ? names[p] : "";
}

const char *
manifest_sealer_name(enum manifest_sealer s)
{
	static const char *names[] = { "carrier", "customs", "shipper", "other" };

	return (unsigned)s < nitems(names) ? names[s] : "other";
}

const char *
manifest_seal_condition_name(enum manifest_seal_condition c)
{
	return c == MANIFEST_SEAL_DAMAGED ? "damaged" : "intact";
}

/* "import", "export" or "transit". */
int
manifest_direction_parse(const char *s, enum manifest_direction *out)
{
	enum manifest_direction	d;

	for (d = MANIFEST_IMPORT; d <= MANIFEST_TRANSIT; d++) {
		if (strcmp(s, manifest_direction_name(d)) == 0) {
			*out = d;
			return 0;
		}
	}
	return -1;
}

/* "import", "export", "transit" or "ecommerce". */
int
manifest_procedure_parse(const char *s, enum manifest_procedure *out)
{
	enum manifest_procedure	p;

	for (p = MANIFEST_PROC_IMPORT; p <= MANIFEST_PROC_ECOMMERCE; p++) {
		if (strcmp(s, manifest_procedure_name(p)) == 0) {
			*out = p;
			return 0;
		}
	}
	return -1;
}
