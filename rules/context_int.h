/*
 * context_int.h -- the rules context's own parts, shared by the files
 * that implement it: context.c (equipment, documents, events, the
 * neighbour, clearances) and context_parcel.c (parcel evidence,
 * docs/parcels.md).  Nothing outside rules/context*.c includes it.
 */
#ifndef RULES_CONTEXT_INT_H
#define RULES_CONTEXT_INT_H

#include <jansson.h>

#include "context.h"

struct arena;
struct strmap;
struct context_parcels;

struct rules_context {
	struct arena	*arena;		/* owns every string and record */
	struct strmap	*equipment;	/* number -> struct rules_equipment */
	struct strmap	*documents;	/* doc_key() -> the key: accepted */
	bool		 has_neighbour;
	bool		 any_scan_suspect;
	bool		 any_neighbour_suspect;
	bool		 any_neighbour_set_out;
	bool		 neighbour_held;	/* a report's decision was HOLD */
	const char	*neighbour_service;	/* the latest named */
	int		 edition;	/* of the rule set reading the events */
	int64_t		 eta;		/* a position's; checked, read by no rule yet */
	int64_t		 arrived;
	struct rules_clearance *clearances;	/* in the order given */
	size_t		 nclearances;
	size_t		 clearances_cap;
	struct context_parcels *parcels;	/* NULL until a parcel event */
};

/* True for the event types context_parcel.c reads. */
bool context_parcel_type(const char *type);
/* Applies a parcel event; NULL, or a message naming what is wrong. */
const char *context_parcel_event(struct rules_context *ctx, const char *type,
    json_t *ev);
/* Frees what the parcel events recorded; accepts NULL. */
void context_parcels_free(struct context_parcels *p);

#endif
