/*
 * map_int.h -- what the pieces of the EDIFACT map share.  Internal to
 * edi/map*.c.
 *
 * map.c builds the model message by message (zones, dispatch, header and
 * transport segments); map_equipment.c and map_goods.c map the equipment
 * and the consignment/goods-item groups; map_value.c reads element
 * values (UTF-8 conversion, the fields' recent strings, decimals, dates).
 * The readers every segment calls are inline here: a call per component
 * read would cost a measurable part of a parse (bench/edifact.sh).
 */
#ifndef EDI_MAP_INT_H
#define EDI_MAP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "manifest/bytes.h"
#include "manifest/value.h"

#include "map.h"

/* Location of seg for diagnostics and model objects. */
static inline struct manifest_src
seg_src(const struct edi_segment *seg)
{
	struct manifest_src	src;

	src.offset = seg->offset;
	src.index = seg->ordinal;
	memcpy(src.tag, seg->tag, 4);
	return src;
}

/*
 * A view's value as a model string: unescaped, in UTF-8, trimmed, NFC;
 * NULL when empty.  shared: one copy per distinct value in the train.
 */
const char *edi_map_view_text(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, bool shared);
/*
 * As edi_map_view_text, never shared: for values unique in a train
 * (document numbers), which a look-up in the shared strings would only
 * miss (interning 220,000 of them was a tenth of a million-item parse).
 */
const char *edi_map_view_unique(struct edi_map *m,
    const struct edi_segment *seg, struct edi_view v);
/* Keeps value for raw text v of key k in set l (see field_text()). */
void edi_map_field_keep(struct edi_last *l, struct edi_view v, uint32_t k,
    const char *value);
/* field_text() when the set has no string for v: the full path, and keep. */
const char *edi_map_field_miss(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, struct edi_last *l, uint32_t k, bool shared);
/* field_text() of raw text v that holds a release character or a line
 * break (seg->escaped): through the field's escaped values. */
const char *edi_map_field_escaped(struct edi_map *m,
    const struct edi_segment *seg, struct edi_view v, enum edi_field f,
    bool shared);
/* The way of ways[n] holding the len bytes at raw, or NULL. */
struct edi_raw *edi_map_raw_find(struct edi_raw *ways, int n, const char *raw,
    size_t len);
/* Keeps a copy of raw (len bytes) and its values first in ways[n]. */
struct edi_raw *edi_map_raw_keep(struct edi_raw *ways, int n, const char *raw,
    size_t len);
/* edi_map_joined(m, seg, e, true) through ways[n] (edi_raw): the same
 * raw element gives the string it gave before. */
const char *edi_map_joined_kept(struct edi_map *m,
    const struct edi_segment *seg, int e, struct edi_raw *ways, int n);
/* Frees the copies kept in ways[n]. */
void edi_map_raw_clear(struct edi_raw *ways, int n);
/* Diagnostics the train has had, kept or dropped. */
static inline size_t
diag_total(const struct edi_map *m)
{
	return m->t->diags.errors + m->t->diags.warnings;
}
/*
 * Components of element e joined by spaces (FTX text, party names) as a
 * model string, shared or not; NULL when all are empty.
 */
const char *edi_map_joined(struct edi_map *m, const struct edi_segment *seg,
    int e, bool shared);
/* Reports a decimal that was rounded or unreadable (out of line: rare). */
void edi_map_decimal_diag(struct edi_map *m, const struct edi_segment *seg,
    enum value_status st, struct edi_view v, const char *what);
/* Reports a count that is not a whole number (out of line: rare). */
void edi_map_count_diag(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, const char *what);
/* DTM's C507 value in its format; MANIFEST_ABSENT (with a warning) if bad. */
int64_t edi_map_dtm_time(struct edi_map *m, const struct edi_segment *seg);
/* Stores a value that several messages repeat, warning if they differ. */
void edi_map_set_repeated(struct edi_map *m, const struct edi_segment *seg,
    const char **slot, const char *v, const char *what);
/* The functions mapping the equipment and the goods groups' segments of
 * code; NULL when code is none of theirs. */
edi_map_fn edi_map_equipment_fn(uint32_t code);
edi_map_fn edi_map_goods_fn(uint32_t code);

/* Component c of element e as a model string. */
static inline const char *
text(struct edi_map *m, const struct edi_segment *seg, int e, int c)
{
	return edi_map_view_text(m, seg, edi_component(m->lx, seg, e, c), false);
}

_Static_assert(EDI_LAST_SETS == 1 << 3, "field_set() indexes with 3 bits");

/* The length and first, middle and last bytes of v (v.len > 0). */
static inline uint32_t
field_key(struct edi_view v)
{
	return (uint32_t)v.len << 24 | (unsigned char)v.p[0] << 16 |
	    (unsigned char)v.p[v.len >> 1] << 8 | (unsigned char)v.p[v.len - 1];
}

/* The set of field f where text of key k is kept. */
static inline struct edi_last *
field_set(struct edi_map *m, enum edi_field f, uint32_t k)
{
	return m->last[f][(k * 0x9e3779b1U) >> 29];
}

/* The string of set l equal to raw text v of key k, or NULL. */
static inline const char *
field_find(const struct edi_last *l, struct edi_view v, uint32_t k)
{
	int	w;

	for (w = 0; w < EDI_LAST_WAYS; w++)
		if (l[w].key == k && l[w].len == v.len &&
		    manifest_bytes_equal(v.p, l[w].value, v.len))
			return l[w].value;
	return NULL;
}

/*
 * The model string of v, a value of item field f, shared when asked.
 * Raw text without a release character that equals a string the field
 * had recently gives that string without a look at the model: the
 * conversion is a function of the raw bytes, and any warning it gives
 * was given the first time.  Inline: most calls are hits.
 */
static inline __attribute__((always_inline)) const char *
field_text(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, enum edi_field f, bool shared)
{
	struct edi_last	*l;
	const char	*r;
	uint32_t	 k;

	if (v.len == 0)
		return NULL;
	if (seg->escaped)
		return edi_map_field_escaped(m, seg, v, f, shared);
	k = field_key(v);
	l = field_set(m, f, k);
	if ((r = field_find(l, v, k)) != NULL)
		return r;
	return edi_map_field_miss(m, seg, v, l, k, shared);
}

/* Component c of element e, a value of item field f, as a model string. */
static inline __attribute__((always_inline)) const char *
field(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    enum edi_field f)
{
	return field_text(m, seg, edi_component(m->lx, seg, e, c), f, false);
}

/* True when component c of element e is exactly code (a literal: inlined,
 * the comparison is a load or two). */
static inline __attribute__((always_inline)) bool
is_code(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    const char *code)
{
	return edi_view_is(edi_component(m->lx, seg, e, c), code);
}

/* A decimal from raw text v; MANIFEST_ABSENT if empty or bad. */
static inline __attribute__((always_inline)) int64_t
decimal_view(struct edi_map *m, const struct edi_segment *seg,
    struct edi_view v, const char *what)
{
	int64_t			out;
	enum value_status	st;

	if (v.len == 0)
		return MANIFEST_ABSENT;
	if ((st = value_decimal_parse(v.p, v.len, &out)) == VALUE_OK)
		return out;
	edi_map_decimal_diag(m, seg, st, v, what);
	return st == VALUE_ROUNDED ? out : MANIFEST_ABSENT;
}

/* A decimal from component c of element e; MANIFEST_ABSENT if empty or bad. */
static inline int64_t
decimal(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    const char *what)
{
	return decimal_view(m, seg, edi_component(m->lx, seg, e, c), what);
}

/* A whole count from component c of element e; -1 if absent or bad. */
static inline __attribute__((always_inline)) int64_t
count(struct edi_map *m, const struct edi_segment *seg, int e, int c,
    const char *what)
{
	struct edi_view	v = edi_component(m->lx, seg, e, c);
	int64_t		out;

	if (v.len == 0)
		return MANIFEST_ABSENT;
	if (value_count_parse(v.p, v.len, &out) == 0)
		return out;
	edi_map_count_diag(m, seg, v, what);
	return MANIFEST_ABSENT;
}

#endif
