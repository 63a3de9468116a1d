/*
 * map.h -- mapping CUSCAR and IFCSUM messages onto the train model
 * (edifact-rail.md §2), one segment at a time.
 *
 * Internal to edi/.  A struct edi_map lives for one interchange; it
 * borrows the train it fills and the lexer whose segments it reads.
 * Where a segment belongs is decided by the zone the message is in --
 * header, transport, equipment, consignment, party, goods item, item
 * documents -- which the group-opening segments (TDT, EQD, CNI, NAD,
 * GID, GIS) move between, as the D.96B segment tables nest them.
 */
#ifndef EDI_MAP_H
#define EDI_MAP_H

#include <stdbool.h>

#include "manifest/model.h"

#include "codeset.h"
#include "lexer.h"

enum edi_message_kind {
	EDI_MSG_CUSCAR,
	EDI_MSG_IFCSUM,
	EDI_MSG_OTHER,
};

enum edi_zone {
	EDI_ZONE_HEADER,
	EDI_ZONE_TRANSPORT,	/* after TDT */
	EDI_ZONE_EQUIPMENT,	/* after EQD */
	EDI_ZONE_CONSIGNMENT,	/* after CNI */
	EDI_ZONE_PARTY,		/* after a consignment's NAD */
	EDI_ZONE_ITEM,		/* after GID */
	EDI_ZONE_ITEM_DOCS,	/* after the item's GIS */
};

struct strmap;

/* Item fields whose last value is kept: items repeat them one after another. */
enum edi_field {
	EDI_FIELD_PACKAGE_TYPE,
	EDI_FIELD_DESCRIPTION,
	EDI_FIELD_CURRENCY,
	EDI_FIELD_EQUIPMENT,
	EDI_FIELD_HS,
	EDI_FIELD_ORIGIN,
	EDI_FIELD_DOCUMENT_TYPE,
	EDI_FIELDS
};

/*
 * A model string of a field that is byte for byte the raw text it came
 * from.  Compared with the string, not the input: the input's pages may
 * already be given back (reader.h, consumed).
 */
struct edi_last {
	const char	*value;
	uint32_t	 len;
	uint32_t	 key;		/* field_key() of the value */
};

/*
 * Strings kept per field: sets chosen by a hash of the length and three
 * bytes, each holding the last few new ones met, newest first.  A field
 * takes a handful of values (countries, goods) in any order.
 */
#define EDI_LAST_SETS 8
#define EDI_LAST_WAYS 4

/*
 * A value computed from raw text that holds release characters or line
 * breaks (or a whole segment's text, for a party), kept with a copy of
 * that text: the same raw bytes give the same model strings, and ones
 * met again (a description "Men?'s trousers", a consignee's NAD in
 * Cyrillic) skip unescaping, conversion and normalisation.  Kept only
 * when computing it raised no diagnostic, so a hit never hides one.
 */
#define EDI_RAW_WAYS 4
#define EDI_PARTY_WAYS 128

struct edi_raw {
	char		*raw;		/* malloc'd copy; NULL: empty */
	size_t		 len;
	const char	*value[3];
};

struct edi_map;

/* Maps one segment of a tag (map.c, map_equipment.c, map_goods.c). */
typedef void (*edi_map_fn)(struct edi_map *, const struct edi_segment *);

struct edi_map_known {
	uint32_t	code;		/* 0: empty */
	edi_map_fn	fn;
};

struct edi_map {
	struct manifest_train		*t;		/* borrowed, filled */
	const struct edi_lexer		*lx;		/* borrowed */
	enum edi_codeset		 codeset;
	struct buf			 scratch;	/* one value at a time */
	struct buf			 raw;		/* an unescaped value */
	bool				 warned_utf8;
	bool				 warned_repertoire;

	/* The message being read. */
	enum edi_message_kind		 kind;
	unsigned			 message;	/* 1-based in the interchange */
	enum edi_zone			 zone;
	bool				 bgm_seen;
	const char			*msg_train;	/* its TDT conveyance reference */
	struct strmap			*msg_equipment;	/* numbers seen in this message */
	struct manifest_wagon		*wagon;		/* last EQD+RR */
	struct manifest_container	*container;	/* last EQD+CN */
	bool				 equipment_is_wagon;
	bool				 equipment_repeat; /* seen in an earlier message */
	struct manifest_consignment	*consignment;
	struct manifest_party		*party;
	struct manifest_item		*item;
	bool				 have_border_22;
	/* Tags already found in the message's segment list, by a small
	 * hash, with the function that maps them (NULL: none needed); a
	 * hit spares the search and the switch on every segment. */
	struct edi_map_known		 known[128];

	struct edi_last			 last[EDI_FIELDS][EDI_LAST_SETS][EDI_LAST_WAYS];
	struct edi_raw			 escaped[EDI_FIELDS][EDI_RAW_WAYS];
	struct edi_raw			 parties[EDI_PARTY_WAYS];
	struct edi_raw			 descriptions[EDI_RAW_WAYS * 2];

	/* Across messages. */
	bool				 multiple_trains; /* refuses the upload */
	struct strmap			*details_seen;	/* IFCSUM containers described */
};

void edi_map_init(struct edi_map *m, struct manifest_train *t,
    const struct edi_lexer *lx, enum edi_codeset cs);
void edi_map_clear(struct edi_map *m);
/* A UNH of the given kind starts. */
void edi_map_begin_message(struct edi_map *m, enum edi_message_kind kind,
    unsigned number);
/* One segment inside the message (not UNH/UNT). */
void edi_map_segment(struct edi_map *m, const struct edi_segment *seg);
/* The message ended at segment at (its UNT): checks what it must have had. */
void edi_map_end_message(struct edi_map *m, const struct edi_segment *at);

/* Adds a diagnostic located at seg. */
void edi_map_diag(struct edi_map *m, const struct edi_segment *seg,
    enum diag_severity sev, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
