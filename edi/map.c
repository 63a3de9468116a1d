/*
 * map.c -- CUSCAR and IFCSUM segments onto the train model.
 *
 * One function per segment tag.  Qualifiers and codes are compared on
 * the raw views; only values that go into the model are unescaped,
 * converted to UTF-8 and copied (into the train's arena).  A wagon or
 * container listed again by a later message of the same interchange is
 * the same object: its details are compared, not added twice.
 *
 * This file holds the message frame (its zones, the segment lists, the
 * dispatch) and the header and transport segments, with NAD, LOC and GIS
 * that several groups use; the equipment and the goods groups are
 * map_equipment.c's and map_goods.c's, element values map_value.c's.
 */
#include <stdarg.h>
#include <string.h>

#include "manifest/strmap.h"

#include "map_int.h"

void
edi_map_diag(struct edi_map *m, const struct edi_segment *seg,
    enum diag_severity sev, const char *code, const char *fmt, ...)
{
	struct diag_loc	loc = diag_loc_segment(seg->ordinal, seg->tag,
			    seg->offset);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(&m->t->diags, sev, code, &loc, fmt, ap);
	va_end(ap);
}

void
edi_map_init(struct edi_map *m, struct manifest_train *t,
    const struct edi_lexer *lx, enum edi_codeset cs)
{
	memset(m, 0, sizeof *m);
	m->t = t;
	m->lx = lx;
	m->codeset = cs;
	m->msg_equipment = strmap_new();
	m->details_seen = strmap_new();
}

void
edi_map_clear(struct edi_map *m)
{
	int	f;

	buf_free(&m->scratch);
	buf_free(&m->raw);
	for (f = 0; f < EDI_FIELDS; f++)
		edi_map_raw_clear(m->escaped[f], EDI_RAW_WAYS);
	edi_map_raw_clear(m->parties, EDI_PARTY_WAYS);
	edi_map_raw_clear(m->descriptions, nitems(m->descriptions));
	strmap_free(m->msg_equipment);
	strmap_free(m->details_seen);
	m->msg_equipment = NULL;
	m->details_seen = NULL;
}

/* BGM: document name, manifest reference, message function. */
static void
map_bgm(struct edi_map *m, const struct edi_segment *seg)
{
	enum manifest_function	f = MANIFEST_ORIGINAL;
	struct edi_view		fn = edi_component(m->lx, seg, 2, 0);

	if (m->bgm_seen) {
		edi_map_diag(m, seg, DIAG_ERROR, "STRUCTURE",
		    "BGM is repeated: a message has exactly one");
		return;
	}
	m->bgm_seen = true;
	if (!is_code(m, seg, 0, 0, "85") && !is_code(m, seg, 0, 0, "785"))
		edi_map_diag(m, seg, DIAG_WARNING, "DOCUMENT_CODE",
		    "BGM document name code should be 85 or 785");
	edi_map_set_repeated(m, seg, &m->t->manifest_ref, text(m, seg, 1, 0),
	    "manifest reference");
	if (edi_view_is(fn, "5"))
		f = MANIFEST_REPLACE;
	else if (edi_view_is(fn, "1"))
		f = MANIFEST_CANCEL;
	else if (fn.len != 0 && !edi_view_is(fn, "9"))
		edi_map_diag(m, seg, DIAG_WARNING, "MESSAGE_FUNCTION",
		    "message function \"%.*s\" is not 9, 5 or 1: read as original",
		    (int)(fn.len > 8 ? 8 : fn.len), fn.p);
	if (m->message > 1 && f != m->t->function)
		edi_map_diag(m, seg, DIAG_ERROR, "DETAILS_DIFFER",
		    "message %u has another message function than the first",
		    m->message);
	else
		m->t->function = f;
}

/* DTM: issue time, ETA, ATA. */
static void
map_dtm(struct edi_map *m, const struct edi_segment *seg)
{
	int64_t		*slot = NULL;

	if (is_code(m, seg, 0, 0, "137") && m->zone == EDI_ZONE_HEADER)
		slot = &m->t->issued;
	else if (is_code(m, seg, 0, 0, "132") && m->zone <= EDI_ZONE_TRANSPORT)
		slot = &m->t->eta;
	else if (is_code(m, seg, 0, 0, "178") && m->zone <= EDI_ZONE_TRANSPORT)
		slot = &m->t->ata;
	if (slot != NULL)
		*slot = edi_map_dtm_time(m, seg);
}

/*
 * Fills a party from NAD.  A NAD met before, byte for byte, gives the
 * strings it gave then (edi_raw): the same parties recur consignment
 * after consignment, and normalising their names (Cyrillic, Chinese)
 * was a tenth of a million-item parse.
 */
static void
read_party(struct edi_map *m, const struct edi_segment *seg,
    struct manifest_party *p)
{
	struct edi_raw	*r = edi_map_raw_find(m->parties, EDI_PARTY_WAYS,
			    seg->p, seg->len);
	const char	*name;
	size_t		 before = diag_total(m);

	if (r != NULL) {
		p->id = r->value[0];
		p->name = r->value[1];
		p->country = r->value[2];
		return;
	}
	name = edi_map_joined(m, seg, 3, true);
	p->id = text(m, seg, 1, 0);
	p->name = name != NULL ? name : edi_map_joined(m, seg, 2, true);
	p->country = text(m, seg, 8, 0);
	if (diag_total(m) != before)
		return;
	r = edi_map_raw_keep(m->parties, EDI_PARTY_WAYS, seg->p, seg->len);
	r->value[0] = p->id;
	r->value[1] = p->name;
	r->value[2] = p->country;
}

/* NAD: the carrier in the header; consignor, consignee, declarant in a consignment. */
static void
map_nad(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_party	*p = NULL;

	if (m->zone <= EDI_ZONE_TRANSPORT) {
		m->party = NULL;
		if (is_code(m, seg, 0, 0, "CA") && m->message == 1) {
			read_party(m, seg, &m->t->carrier);
			m->party = &m->t->carrier;
		}
		return;
	}
	if (m->zone < EDI_ZONE_CONSIGNMENT || m->consignment == NULL)
		return;
	m->zone = EDI_ZONE_PARTY;
	if (is_code(m, seg, 0, 0, "CZ"))
		p = &m->consignment->consignor;
	else if (is_code(m, seg, 0, 0, "CN"))
		p = &m->consignment->consignee;
	else if (is_code(m, seg, 0, 0, "DT"))
		p = &m->consignment->declarant;
	m->party = p;
	if (p != NULL)
		read_party(m, seg, p);
}

/* TDT: the train (conveyance reference) and its mode of transport. */
static void
map_tdt(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*train;

	if (m->zone > EDI_ZONE_TRANSPORT)
		return;		/* a consignment's own transport: not the train */
	m->zone = EDI_ZONE_TRANSPORT;
	m->party = NULL;
	train = text(m, seg, 1, 0);
	/* The raw bytes: text() could raise a diagnostic of its own (a
	 * charset), and the documents of stored manifests must not change. */
	if (m->t->transport_mode == NULL &&
	    edi_component(m->lx, seg, 2, 0).len > 0)
		m->t->transport_mode = manifest_str(m->t,
		    edi_component(m->lx, seg, 2, 0).p,
		    edi_component(m->lx, seg, 2, 0).len);
	if (!is_code(m, seg, 2, 0, "2"))
		edi_map_diag(m, seg, DIAG_ERROR, "TRANSPORT_MODE",
		    "transport mode \"%.*s\" is not 2 (rail): this is not a "
		    "train manifest", (int)edi_component(m->lx, seg, 2, 0).len,
		    edi_component(m->lx, seg, 2, 0).p);
	if (train == NULL) {
		edi_map_diag(m, seg, DIAG_ERROR, "TRAIN_ID_MISSING",
		    "TDT gives no conveyance reference (train number)");
		return;
	}
	m->msg_train = train;
	if (m->t->id == NULL) {
		m->t->id = train;
		m->t->id_src = seg_src(seg);
	} else if (strcmp(m->t->id, train) != 0) {
		m->multiple_trains = true;
		edi_map_diag(m, seg, DIAG_ERROR, "MULTIPLE_TRAINS",
		    "message %u is for train %s, the interchange's first for %s: "
		    "one interchange carries one train", m->message, train,
		    m->t->id);
	}
}

/* LOC: stations in the header; an item's origin. */
static void
map_loc(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*v;

	if (m->zone >= EDI_ZONE_ITEM) {
		if (is_code(m, seg, 0, 0, "27") && m->item != NULL)
			m->item->origin = field(m, seg, 1, 0, EDI_FIELD_ORIGIN);
		return;
	}
	if (m->zone > EDI_ZONE_TRANSPORT)
		return;
	v = text(m, seg, 1, 0);
	if (is_code(m, seg, 0, 0, "22")) {
		edi_map_set_repeated(m, seg, &m->t->border_station, v, "border station");
		m->have_border_22 = true;
	} else if (is_code(m, seg, 0, 0, "60") && !m->have_border_22 &&
	    m->t->border_station == NULL)
		m->t->border_station = v;
	else if (is_code(m, seg, 0, 0, "5"))
		edi_map_set_repeated(m, seg, &m->t->departure_station, v,
		    "departure station");
	else if (is_code(m, seg, 0, 0, "8"))
		edi_map_set_repeated(m, seg, &m->t->destination_station, v,
		    "destination station");
}

/* GIS: direction (header), procedure (consignment), item documents follow. */
static void
map_gis(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	v = edi_component(m->lx, seg, 0, 0);
	int		code = -1;

	if (edi_view_is(v, "23"))
		code = MANIFEST_PROC_IMPORT;
	else if (edi_view_is(v, "22"))
		code = MANIFEST_PROC_EXPORT;
	else if (edi_view_is(v, "24"))
		code = MANIFEST_PROC_TRANSIT;
	else if (edi_view_is(v, "ECO") ||
	    manifest_procedure_is_ecommerce_code(v.p, v.len))
		code = MANIFEST_PROC_ECOMMERCE;
	switch (m->zone) {
	case EDI_ZONE_HEADER:
	case EDI_ZONE_TRANSPORT:
		if (code < 0 || code == MANIFEST_PROC_ECOMMERCE) {
			edi_map_diag(m, seg, DIAG_WARNING, "DIRECTION",
			    "GIS %.*s is not 23, 22 or 24: the direction stays %s",
			    (int)(v.len > 8 ? 8 : v.len), v.p,
			    manifest_direction_name(m->t->direction));
			break;
		}
		m->t->direction = code == MANIFEST_PROC_IMPORT ? MANIFEST_IMPORT :
		    code == MANIFEST_PROC_EXPORT ? MANIFEST_EXPORT :
		    MANIFEST_TRANSIT;
		break;
	case EDI_ZONE_CONSIGNMENT:
	case EDI_ZONE_PARTY:
		if (code >= 0 && m->consignment != NULL)
			m->consignment->procedure = (enum manifest_procedure)code;
		break;
	case EDI_ZONE_ITEM:
	case EDI_ZONE_ITEM_DOCS:
		m->zone = EDI_ZONE_ITEM_DOCS;
		break;
	default:
		break;
	}
}

/* Segments of D.96B CUSCAR and IFCSUM, sorted by code for bsearch. */
static const uint32_t cuscar_segments[] = {
	EDI_TAG('A','U','T'), EDI_TAG('B','G','M'), EDI_TAG('C','N','I'),
	EDI_TAG('C','N','T'), EDI_TAG('C','O','M'), EDI_TAG('C','P','I'),
	EDI_TAG('C','S','T'), EDI_TAG('C','T','A'), EDI_TAG('C','U','X'),
	EDI_TAG('D','G','S'), EDI_TAG('D','I','M'), EDI_TAG('D','O','C'),
	EDI_TAG('D','T','M'), EDI_TAG('E','Q','D'), EDI_TAG('F','T','X'),
	EDI_TAG('G','I','D'), EDI_TAG('G','I','S'), EDI_TAG('H','A','N'),
	EDI_TAG('L','O','C'), EDI_TAG('M','E','A'), EDI_TAG('M','O','A'),
	EDI_TAG('N','A','D'), EDI_TAG('P','A','C'), EDI_TAG('P','C','I'),
	EDI_TAG('Q','T','Y'), EDI_TAG('R','F','F'), EDI_TAG('R','N','G'),
	EDI_TAG('S','E','L'), EDI_TAG('S','G','P'), EDI_TAG('T','D','T'),
	EDI_TAG('T','M','P'), EDI_TAG('T','S','R'),
};
/* IFCSUM's, with GIS and CST, which railgate accepts there too. */
static const uint32_t ifcsum_segments[] = {
	EDI_TAG('B','G','M'), EDI_TAG('C','N','I'), EDI_TAG('C','N','T'),
	EDI_TAG('C','O','M'), EDI_TAG('C','P','I'), EDI_TAG('C','S','T'),
	EDI_TAG('C','T','A'), EDI_TAG('C','U','X'), EDI_TAG('D','G','S'),
	EDI_TAG('D','I','M'), EDI_TAG('D','O','C'), EDI_TAG('D','T','M'),
	EDI_TAG('E','Q','A'), EDI_TAG('E','Q','D'), EDI_TAG('E','Q','N'),
	EDI_TAG('F','T','X'), EDI_TAG('G','D','S'), EDI_TAG('G','I','D'),
	EDI_TAG('G','I','N'), EDI_TAG('G','I','S'), EDI_TAG('G','O','R'),
	EDI_TAG('H','A','N'), EDI_TAG('L','O','C'), EDI_TAG('M','E','A'),
	EDI_TAG('M','O','A'), EDI_TAG('N','A','D'), EDI_TAG('P','C','D'),
	EDI_TAG('P','C','I'), EDI_TAG('P','I','A'), EDI_TAG('P','R','I'),
	EDI_TAG('Q','T','Y'), EDI_TAG('R','F','F'), EDI_TAG('R','N','G'),
	EDI_TAG('S','E','L'), EDI_TAG('S','E','Q'), EDI_TAG('S','G','P'),
	EDI_TAG('T','C','C'), EDI_TAG('T','D','T'), EDI_TAG('T','M','D'),
	EDI_TAG('T','M','P'), EDI_TAG('T','O','D'), EDI_TAG('T','P','L'),
	EDI_TAG('T','S','R'),
};

/* True when code is a segment of the message kind. */
static bool
segment_in_list(enum edi_message_kind kind, uint32_t code)
{
	const uint32_t	*v = kind == EDI_MSG_IFCSUM ? ifcsum_segments :
			    cuscar_segments;
	size_t		 lo = 0, hi = kind == EDI_MSG_IFCSUM ?
			    nitems(ifcsum_segments) : nitems(cuscar_segments);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] == code)
			return true;
		if (v[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void
edi_map_begin_message(struct edi_map *m, enum edi_message_kind kind,
    unsigned number)
{
	m->kind = kind;
	m->message = number;
	m->zone = EDI_ZONE_HEADER;
	memset(m->known, 0, sizeof m->known);
	m->bgm_seen = false;
	m->msg_train = NULL;
	m->wagon = NULL;
	m->container = NULL;
	m->consignment = NULL;
	m->party = NULL;
	m->item = NULL;
	m->have_border_22 = false;
	strmap_free(m->msg_equipment);
	m->msg_equipment = strmap_new();
}

/* The function mapping segments of code; NULL for those railgate skips. */
static edi_map_fn
segment_fn(uint32_t code)
{
	edi_map_fn	fn;

	switch (code) {
	case EDI_TAG('B', 'G', 'M'): return map_bgm;
	case EDI_TAG('D', 'T', 'M'): return map_dtm;
	case EDI_TAG('N', 'A', 'D'): return map_nad;
	case EDI_TAG('T', 'D', 'T'): return map_tdt;
	case EDI_TAG('L', 'O', 'C'): return map_loc;
	case EDI_TAG('G', 'I', 'S'): return map_gis;
	default:
		break;
	}
	if ((fn = edi_map_equipment_fn(code)) != NULL)
		return fn;
	return edi_map_goods_fn(code);	/* NULL: a segment railgate skips */
}

_Static_assert(nitems(((struct edi_map *)0)->known) == 1 << 7,
    "edi_map_segment() indexes with 7 bits");

void
edi_map_segment(struct edi_map *m, const struct edi_segment *seg)
{
	uint32_t		 code = seg->code;
	/* 0x42d87209: each list's tags (32 and 43) take distinct slots. */
	struct edi_map_known	*k = &m->known[(code * 0x42d87209U) >> 25];

	if (k->code != code) {
		if (!segment_in_list(m->kind, code)) {
			edi_map_diag(m, seg, DIAG_WARNING, "UNKNOWN_SEGMENT",
			    "%s is not a segment of %s (D.96B): skipped", seg->tag,
			    m->kind == EDI_MSG_IFCSUM ? "IFCSUM" : "CUSCAR");
			return;
		}
		k->code = code;
		k->fn = segment_fn(code);
	}
	if (k->fn != NULL)
		k->fn(m, seg);
}

void
edi_map_end_message(struct edi_map *m, const struct edi_segment *at)
{
	if (m->kind == EDI_MSG_OTHER)
		return;
	if (!m->bgm_seen)
		edi_map_diag(m, at, DIAG_ERROR, "STRUCTURE",
		    "message %u has no BGM (beginning of message)", m->message);
	if (m->msg_train == NULL)
		edi_map_diag(m, at, DIAG_ERROR, "TRAIN_ID_MISSING",
		    "message %u has no TDT naming the train", m->message);
}
