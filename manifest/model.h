/*
 * model.h -- the train model (docs/model.md; the contract: docs/contracts.md).
 *
 * Every input format is parsed into a struct manifest_train; the rules
 * read it and the store keeps it.  A train owns one arena: every wagon,
 * container, consignment, item and string of the train lives in it, and
 * manifest_train_free() releases all of them in one step.  Pointers into
 * a train stay valid until then.
 *
 * Values: every decimal (masses in kg, amounts) is an int64_t count of
 * thousandths (MANIFEST_SCALE); times are seconds since the Unix epoch,
 * UTC.  MANIFEST_ABSENT marks an optional number or time that was not
 * given; an absent string is NULL (empty strings are stored as absent).
 *
 * A train is built by one thread (its parser) and then, once
 * manifest_train_finish() has run, only read: any number of threads may
 * read a finished train at once.
 */
#ifndef MANIFEST_MODEL_H
#define MANIFEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

#define MANIFEST_ABSENT	INT64_MIN
#define MANIFEST_SCALE	1000

struct strmap;
struct strset;
struct manifest_recent;

enum manifest_direction {
	MANIFEST_IMPORT,
	MANIFEST_EXPORT,
	MANIFEST_TRANSIT,
};

enum manifest_function {
	MANIFEST_ORIGINAL,	/* BGM 1225 = 9 */
	MANIFEST_REPLACE,	/* 5 */
	MANIFEST_CANCEL,	/* 1 */
};

enum manifest_procedure {
	MANIFEST_PROC_DEFAULT,	/* not given: the train's direction applies */
	MANIFEST_PROC_IMPORT,
	MANIFEST_PROC_EXPORT,
	MANIFEST_PROC_TRANSIT,
	MANIFEST_PROC_ECOMMERCE,
};

enum manifest_sealer {
	MANIFEST_SEALER_CARRIER,
	MANIFEST_SEALER_CUSTOMS,
	MANIFEST_SEALER_SHIPPER,
	MANIFEST_SEALER_OTHER,
};

enum manifest_seal_condition {
	MANIFEST_SEAL_INTACT,
	MANIFEST_SEAL_DAMAGED,
};

/* How the input locates things, for diagnostics raised after parsing. */
enum manifest_source {
	MANIFEST_SOURCE_NONE,
	MANIFEST_SOURCE_EDIFACT,	/* index = segment ordinal, tag set */
	MANIFEST_SOURCE_XML,		/* index = line */
};

/* Where in the input an object was declared. */
struct manifest_src {
	uint64_t	offset;		/* byte offset, DIAG_NO_OFFSET if unknown */
	uint32_t	index;		/* segment ordinal or line; 0 if unknown */
	char		tag[4];		/* EDIFACT segment tag */
};

struct manifest_party {
	const char	*id;
	const char	*name;
	const char	*country;
	const char	*aeo;
};

struct manifest_seal {
	const char			*number;
	enum manifest_sealer		 sealed_by;
	enum manifest_seal_condition	 condition;
};

struct manifest_wagon;

struct manifest_container {
	const char		*number;
	const char		*size_type;
	bool			 full;
	int64_t			 gross_kg;
	struct manifest_seal	*seals;
	size_t			 nseals;
	size_t			 seals_cap;
	struct manifest_wagon	*wagon;		/* carrying wagon; NULL: on no wagon */
	struct manifest_src	 src;
};

struct manifest_item;

struct manifest_wagon {
	uint32_t			 position;	/* 1-based, manifest order */
	const char			*number;
	const char			*type;
	int64_t				 tare_kg;
	struct manifest_seal		*seals;
	size_t				 nseals;
	size_t				 seals_cap;
	struct manifest_container	**containers;
	size_t				 ncontainers;
	size_t				 containers_cap;
	struct manifest_src		 src;

	/* Derived by manifest_train_finish(): goods loaded on the wagon. */
	struct manifest_item		**items;	/* each item at most once */
	size_t				 nitems;
	size_t				 items_cap;
};

struct manifest_document {
	const char	*type;		/* UN/EDIFACT 1001 code */
	const char	*id;
};

/* What a placement's `on` holds (the top two bits of its off_on). */
enum manifest_placed_on {
	MANIFEST_ON_NUMBER,	/* the number as given: unresolved, or unknown */
	MANIFEST_ON_CONTAINER,
	MANIFEST_ON_WAGON,	/* goods loaded on the wagon itself */
};

/*
 * Where goods are: 24 bytes, not the 40 that a number, a wagon and a
 * container pointer and a place took (a million parcels have a million
 * placements).  Read it through the accessors below.
 */
struct manifest_placement {
	/*
	 * The equipment number as read (manifest_placement_set_number()),
	 * until manifest_train_finish() resolves it to the container or
	 * wagon of that number -- whose number is the same string: the
	 * readers refuse a second number for one wagon or container.  A
	 * number the train does not list stays a number.
	 */
	union {
		const char			*number;
		struct manifest_container	*container;
		struct manifest_wagon		*wagon;
	} on;
	int64_t				 packages;	/* MANIFEST_ABSENT if not given */
	/* Where it was read: its segment ordinal or line (0: not known) and,
	 * in the low 30 bits of off_on, its byte offset past its item's
	 * src.offset (MANIFEST_PLACEMENT_OFF_UNKNOWN: not known or a
	 * gigabyte away); manifest_placement_src() gives it whole.  The top
	 * two bits: what `on` holds. */
	uint32_t			 at;
	uint32_t			 off_on;
};
#define MANIFEST_PLACEMENT_OFF_UNKNOWN	((uint32_t)0x3fffffff)

static inline enum manifest_placed_on
manifest_placement_on(const struct manifest_placement *p)
{
	return (enum manifest_placed_on)(p->off_on >> 30);
}

/* The container or wagon number as given; NULL: none given. */
static inline const char *
manifest_placement_equipment(const struct manifest_placement *p)
{
	switch (manifest_placement_on(p)) {
	case MANIFEST_ON_CONTAINER:
		return p->on.container->number;
	case MANIFEST_ON_WAGON:
		return p->on.wagon->number;
	default:
		return p->on.number;
	}
}

/* The container the goods are in; NULL: none the train lists. */
static inline struct manifest_container *
manifest_placement_container(const struct manifest_placement *p)
{
	return manifest_placement_on(p) == MANIFEST_ON_CONTAINER ?
	    p->on.container : NULL;
}

/* The wagon carrying the goods, in a container or not; NULL: none. */
static inline struct manifest_wagon *
manifest_placement_wagon(const struct manifest_placement *p)
{
	switch (manifest_placement_on(p)) {
	case MANIFEST_ON_CONTAINER:
		return p->on.container->wagon;
	case MANIFEST_ON_WAGON:
		return p->on.wagon;
	default:
		return NULL;
	}
}

/* Sets the number as read (a reader, before manifest_train_finish()). */
static inline void
manifest_placement_set_number(struct manifest_placement *p, const char *number)
{
	p->on.number = number;
	p->off_on &= MANIFEST_PLACEMENT_OFF_UNKNOWN;
}

struct manifest_consignment;

/*
 * Fields ordered so that only the last 3 bytes are padding: a
 * million-parcel train has a million of them (152 bytes each; the unit
 * suite model checks the size).
 */
struct manifest_item {
	uint32_t			 seq;
	/* Where the tracking number was read: its segment ordinal (EDIFACT:
	 * a PCI) or line (XML); 0: not known.  manifest_item_tracking_src()
	 * gives it as a struct manifest_src. */
	uint32_t			 tracking_at;
	const char			*hs;		/* digits only */
	const char			*description;
	int64_t				 packages;	/* a count, not thousandths */
	const char			*package_type;
	int64_t				 gross_kg;
	int64_t				 net_kg;
	int64_t				 value;
	const char			*currency;
	const char			*origin;
	const char			*un_number;
	/* A parcel's tracking number (docs/parcels.md); NULL: none. */
	const char			*tracking;
	/* Grown one at a time by manifest_item_add_document() and
	 * manifest_item_add_placement(): their capacity is n rounded up to
	 * a power of two, not kept. */
	struct manifest_document	*documents;
	struct manifest_placement	*placements;
	uint32_t			 ndocuments;
	uint32_t			 nplacements;
	struct manifest_consignment	*consignment;	/* owner */
	struct manifest_src		 src;
	/* The tracking number's byte offset past src.offset (it follows
	 * the item's first segment); UINT32_MAX: not known. */
	uint32_t			 tracking_off;
	/* Set by manifest_train_finish(): another item has the same
	 * tracking number (TRACKING_DUPLICATE), or it is not one
	 * (TRACKING_NUMBER), so it names no one parcel. */
	bool				 tracking_dup;
};

struct manifest_consignment {
	const char			*ref;
	struct manifest_party		 consignor;
	struct manifest_party		 consignee;
	struct manifest_party		 declarant;
	enum manifest_procedure		 procedure;
	int64_t				 value;
	const char			*currency;
	struct manifest_item		**items;
	size_t				 nitems;
	size_t				 items_cap;
	struct manifest_src		 src;
};

struct manifest_train {
	struct arena			*arena;		/* owns everything below */
	enum manifest_source		 source;

	const char			*id;
	struct manifest_src		 id_src;	/* where id was read */
	enum manifest_direction		 direction;
	const char			*border_station;
	/* The transport mode as given (EDIFACT TDT 8067, XML ModeCode; "2"
	 * is rail), NULL when the manifest gives none; not in the
	 * canonical JSON (a rule reads it: train.transport_mode). */
	const char			*transport_mode;
	const char			*departure_station;
	const char			*destination_station;
	int64_t				 eta;
	int64_t				 ata;
	struct manifest_party		 carrier;
	const char			*manifest_ref;
	enum manifest_function		 function;
	int64_t				 issued;

	struct manifest_wagon		**wagons;	/* train order */
	size_t				 nwagons;
	size_t				 wagons_cap;
	struct manifest_container	**containers;	/* every container, on a wagon or not */
	size_t				 ncontainers;
	size_t				 containers_cap;
	struct manifest_consignment	**consignments;
	size_t				 nconsignments;
	size_t				 consignments_cap;
	size_t				 nitems;	/* over all consignments */
	size_t				 nunplaced;	/* derived: items placed on no wagon, or partly */

	struct diag_list		 diags;		/* owned; freed with the train */
	struct strset			*strings;	/* short strings, shared */
	struct manifest_recent		*recent;	/* in front of strings */
	struct strmap			*wagon_index;	/* number -> wagon */
	struct strmap			*container_index; /* number -> container */
	bool				 finished;
};

/* An empty train owned by the caller; free with manifest_train_free(). */
struct manifest_train *manifest_train_new(void);
/* Frees the train, its arena and its diagnostics; accepts NULL. */
void manifest_train_free(struct manifest_train *t);

/*
 * An arena copy of len bytes of UTF-8 text, NFC-normalised, with
 * surrounding white space removed; NULL when nothing is left.  Invalid
 * UTF-8 sequences and NUL bytes become U+FFFD (a NUL would silently end
 * the string: "X92\0 06" must not read as "X92").  Short ASCII strings
 * (codes, numbers, currencies) are shared: equal ones are one copy in
 * the arena.
 */
const char *manifest_str(struct manifest_train *t, const char *s, size_t len);

/*
 * As manifest_str, but the result is shared with every equal string of
 * the train: for values that repeat (descriptions, party names), never
 * for ones that are unique (document numbers).
 */
const char *manifest_str_shared(struct manifest_train *t, const char *s,
    size_t len);

/*
 * As manifest_str, but never shared, however short: for values that are
 * unique in a train (document numbers), which sharing would only look up
 * in vain and keep in its table.
 */
const char *manifest_str_unique(struct manifest_train *t, const char *s,
    size_t len);

/* Appends a wagon at the next position; owned by the train. */
struct manifest_wagon *manifest_wagon_add(struct manifest_train *t, const char *number);
/* Appends a container carried by w (NULL: on no wagon); owned by the train. */
struct manifest_container *manifest_container_add(struct manifest_train *t,
    struct manifest_wagon *w, const char *number);
/*
 * Puts container c, listed before on no wagon, on wagon w (EDIFACT
 * IFCSUM names a wagon's containers after their details).
 */
void manifest_container_attach(struct manifest_train *t,
    struct manifest_container *c, struct manifest_wagon *w);
/*
 * Sets the number of equipment added without one (an XML reader meets a
 * wagon before its ID) and indexes it; the first of equal numbers wins.
 */
void manifest_wagon_set_number(struct manifest_train *t,
    struct manifest_wagon *w, const char *number);
void manifest_container_set_number(struct manifest_train *t,
    struct manifest_container *c, const char *number);
/* Looks up equipment by number; borrowed, NULL if not listed. */
struct manifest_wagon *manifest_train_find_wagon(const struct manifest_train *t,
    const char *number);
struct manifest_container *manifest_train_find_container(
    const struct manifest_train *t, const char *number);

/* Appends a seal; the returned seal is zeroed (carrier, intact). */
struct manifest_seal *manifest_wagon_add_seal(struct manifest_train *t,
    struct manifest_wagon *w);
struct manifest_seal *manifest_container_add_seal(struct manifest_train *t,
    struct manifest_container *c);

struct manifest_consignment *manifest_consignment_add(struct manifest_train *t);
/* Appends an item to c with every number absent. */
struct manifest_item *manifest_item_add(struct manifest_train *t,
    struct manifest_consignment *c);
struct manifest_document *manifest_item_add_document(struct manifest_train *t,
    struct manifest_item *it);
struct manifest_placement *manifest_item_add_placement(struct manifest_train *t,
    struct manifest_item *it);
/* Records that p, a placement of it, was read at src (after it->src). */
void manifest_placement_set_src(const struct manifest_item *it,
    struct manifest_placement *p, const struct manifest_src *src);
/* Where p, a placement of it, was read; the tag of an EDIFACT one is SGP. */
struct manifest_src manifest_placement_src(const struct manifest_train *t,
    const struct manifest_item *it, const struct manifest_placement *p);
/* Records that it's tracking number was read at src (after it->src). */
void manifest_item_set_tracking_src(struct manifest_item *it,
    const struct manifest_src *src);
/*
 * Where it's tracking number was read (index 0: not known); the tag of
 * an EDIFACT one is PCI, the only segment that gives one.
 */
struct manifest_src manifest_item_tracking_src(const struct manifest_train *t,
    const struct manifest_item *it);

/*
 * Completes a parsed train: resolves placements to equipment, fills each
 * wagon's item list, applies the defaults of docs/model.md (procedure =
 * direction; item currency = consignment currency) and adds the
 * structural diagnostics common to every format (check digits, unknown
 * equipment, containers on no wagon, empty train, identifier shapes).
 * Called once by every parser; the train is read-only afterwards.
 */
void manifest_train_finish(struct manifest_train *t);

/*
 * Checks the train number (ident_train_number_problem()) where the parser
 * read it: 0, or -1 after a TRAIN_NUMBER error naming the field and the
 * place.  Every parser calls it and refuses the manifest on -1: a number
 * the API cannot name is a train no officer could ever approve.
 */
int manifest_train_check_number(struct manifest_train *t);

/* A diagnostic location for an object declared at src in t's input. */
struct diag_loc manifest_src_loc(const struct manifest_train *t,
    const struct manifest_src *src);

bool manifest_party_is_empty(const struct manifest_party *p);

/* Canonical spellings used in JSON and XML. */
const char *manifest_direction_name(enum manifest_direction d);
const char *manifest_function_name(enum manifest_function f);
const char *manifest_procedure_name(enum manifest_procedure p);
const char *manifest_sealer_name(enum manifest_sealer s);
const char *manifest_seal_condition_name(enum manifest_seal_condition c);
/* Parses the canonical spellings; 0, or -1 if s is not one of them. */
int manifest_direction_parse(const char *s, enum manifest_direction *out);
int manifest_procedure_parse(const char *s, enum manifest_procedure *out);
/*
 * True when the len bytes at s are a customs supervision code for
 * cross-border e-commerce (9610, 9710, 9810, 1210, 1239: docs/parcels.md),
 * which the readers map to MANIFEST_PROC_ECOMMERCE.
 */
bool manifest_procedure_is_ecommerce_code(const char *s, size_t len);

/*
 * The tracking-number checks manifest_train_finish() makes
 * (model_tracking.c: TRACKING_NUMBER, TRACKING_DUPLICATE,
 * TRACKING_MISSING), alone, on a finished train: for benchmarks (finish
 * makes them in its pass over the items, at a lower cost).
 */
void manifest_train_check_tracking(struct manifest_train *t);

#endif
