/*
 * writer.c -- CUSCAR and IFCSUM out of the train model.
 *
 * Segments are written one per line (a line break after the terminator
 * is allowed and makes the interchange readable); text is converted to
 * the declared repertoire and every separator and release character in it
 * is released.  Long text is split into components at spaces, which the
 * reader joins with single spaces again.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "manifest/strmap.h"
#include "manifest/value.h"

#include "writer.h"

struct ew {
	struct buf		*out;
	struct edi_syntax	 syn;
	enum edi_codeset	 cs;
	enum edi_message_kind	 kind;
	unsigned		 segments;	/* in the open message */
	struct buf		 tmp;
};

/* Starts a segment. */
static void
seg(struct ew *w, const char *tag)
{
	buf_add_str(w->out, tag);
	w->segments++;
}

/* Ends a segment. */
static void
end(struct ew *w)
{
	buf_add_char(w->out, w->syn.terminator);
	buf_add_char(w->out, '\n');
}

/* Separates data elements. */
static void
el(struct ew *w)
{
	buf_add_char(w->out, w->syn.element);
}

/* Separates components. */
static void
co(struct ew *w)
{
	buf_add_char(w->out, w->syn.component);
}

/* A code or number: written as is. */
static void
raw(struct ew *w, const char *s)
{
	if (s != NULL)
		buf_add_str(w->out, s);
}

/* Text in the declared repertoire, every special character released. */
static void
text_n(struct ew *w, const char *s, size_t len)
{
	size_t	i;

	buf_reset(&w->tmp);
	edi_codeset_from_utf8(w->cs, s, len, &w->tmp);
	for (i = 0; i < w->tmp.len; i++) {
		char c = w->tmp.data[i];

		if (c == w->syn.component || c == w->syn.element ||
		    c == w->syn.release || c == w->syn.terminator ||
		    (c == w->syn.repetition && w->syn.repetition != ' '))
			buf_add_char(w->out, w->syn.release);
		buf_add_char(w->out, c);
	}
}

static void
text(struct ew *w, const char *s)
{
	if (s != NULL)
		text_n(w, s, strlen(s));
}

/*
 * Text as up to five components of at most max bytes, split at spaces
 * (the reader joins components with one space).
 */
static void
text_split(struct ew *w, const char *s, size_t max)
{
	size_t	len, cut, comps = 0;

	if (s == NULL)
		return;
	len = strlen(s);
	while (len > max && comps < 4) {
		for (cut = max; cut > 0 && s[cut] != ' '; cut--)
			;
		if (cut == 0)
			break;		/* one long word: keep it whole */
		text_n(w, s, cut);
		co(w);
		comps++;
		s += cut + 1;
		len -= cut + 1;
	}
	text_n(w, s, len);
}

static void
decimal(struct ew *w, int64_t v)
{
	char	b[VALUE_DECIMAL_MAX];

	buf_add_str(w->out, value_decimal_format(v, b));
}

/* "DTM+q:CCYYMMDDHHMMSS:204'". */
static void
dtm(struct ew *w, const char *qual, int64_t t)
{
	char	iso[VALUE_TIME_MAX];

	if (t == MANIFEST_ABSENT)
		return;
	value_time_format(t, iso);
	seg(w, "DTM");
	el(w);
	raw(w, qual);
	co(w);
	buf_printf(w->out, "%.4s%.2s%.2s%.2s%.2s%.2s", iso, iso + 5, iso + 8,
	    iso + 11, iso + 14, iso + 17);
	co(w);
	raw(w, "204");
	end(w);
}

/* "NAD+q+id++name+++++country'" and its AEO reference. */
static void
nad(struct ew *w, const char *qual, const struct manifest_party *p)
{
	if (manifest_party_is_empty(p))
		return;
	seg(w, "NAD");
	el(w);
	raw(w, qual);
	el(w);
	text(w, p->id);
	el(w);
	el(w);
	text_split(w, p->name, 35);
	el(w), el(w), el(w), el(w), el(w);
	text(w, p->country);
	end(w);
	if (p->aeo != NULL) {
		seg(w, "RFF");
		el(w);
		raw(w, "ZZZ");
		co(w);
		text(w, p->aeo);
		end(w);
	}
}

/* "MEA+q+d+KGM:v'". */
static void
mea(struct ew *w, const char *qual, const char *dim, int64_t kg)
{
	if (kg == MANIFEST_ABSENT)
		return;
	seg(w, "MEA");
	el(w);
	raw(w, qual);
	el(w);
	raw(w, dim);
	el(w);
	raw(w, "KGM");
	co(w);
	decimal(w, kg);
	end(w);
}

/* "SEL+n+CA|CU|SH|ZZZ+1|2'" for each seal. */
static void
seals(struct ew *w, const struct manifest_seal *v, size_t n)
{
	static const char *by[] = { "CA", "CU", "SH", "ZZZ" };
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v[i].number == NULL)
			continue;
		seg(w, "SEL");
		el(w);
		text(w, v[i].number);
		el(w);
		raw(w, by[v[i].sealed_by & 3]);
		el(w);
		raw(w, v[i].condition == MANIFEST_SEAL_DAMAGED ? "2" : "1");
		end(w);
	}
}

/* "EQD+CN+n+size+++4|5'" with its mass and seals. */
static void
container(struct ew *w, const struct manifest_container *c)
{
	seg(w, "EQD");
	el(w);
	raw(w, "CN");
	el(w);
	text(w, c->number);
	el(w);
	text(w, c->size_type);
	el(w), el(w), el(w);
	raw(w, c->full ? "5" : "4");
	end(w);
	mea(w, "AAE", "G", c->gross_kg);
	seals(w, c->seals, c->nseals);
}

/* The message header: BGM to the train's times. */
static void
header(struct ew *w, const struct manifest_train *t)
{
	static const char *fn[] = { "9", "5", "1" };
	static const char *dir[] = { "23", "22", "24" };

	seg(w, "BGM");
	el(w);
	raw(w, w->kind == EDI_MSG_IFCSUM ? "785" : "85");
	el(w);
	text(w, t->manifest_ref);
	el(w);
	raw(w, fn[t->function]);
	end(w);
	dtm(w, "137", t->issued);
	seg(w, "GIS");
	el(w);
	raw(w, dir[t->direction]);
	end(w);
	nad(w, "CA", &t->carrier);
	seg(w, "TDT");
	el(w);
	raw(w, "20");
	el(w);
	text(w, t->id);
	el(w);
	raw(w, "2");
	end(w);
	if (t->border_station != NULL) {
		seg(w, "LOC"), el(w), raw(w, "22"), el(w);
		text(w, t->border_station), end(w);
	}
	if (t->departure_station != NULL) {
		seg(w, "LOC"), el(w), raw(w, "5"), el(w);
		text(w, t->departure_station), end(w);
	}
	if (t->destination_station != NULL) {
		seg(w, "LOC"), el(w), raw(w, "8"), el(w);
		text(w, t->destination_station), end(w);
	}
	dtm(w, "132", t->eta);
	dtm(w, "178", t->ata);
}

/*
 * What one message lists.  Wagons whose position is in (from, to] appear
 * here for the first time, with all their containers; earlier wagons
 * appear again only for the equipment this message's goods use.  "to" is
 * the highest wagon this message uses, so first appearances stay in train
 * order whatever the consignments' order (the reader numbers positions by
 * first appearance), and empty equipment rides with its neighbours.
 */
struct scope {
	struct strmap	*used;		/* numbers of the equipment used */
	uint32_t	 from, to;	/* wagon positions new in this message */
	bool		 first;		/* containers on no wagon go here */
};

/* Whether container c belongs in the message. */
static bool
scope_has_container(const struct scope *s, const struct manifest_container *c)
{
	if (strmap_get(s->used, c->number) != NULL)
		return true;
	if (c->wagon == NULL)
		return s->first;
	return c->wagon->position > s->from && c->wagon->position <= s->to;
}

/* Whether wagon wg belongs in the message. */
static bool
scope_has_wagon(const struct scope *s, const struct manifest_wagon *wg)
{
	return (wg->position > s->from && wg->position <= s->to) ||
	    strmap_get(s->used, wg->number) != NULL;
}

/* Equipment in train order, as far as the scope reaches. */
static void
equipment(struct ew *w, const struct manifest_train *t, const struct scope *s)
{
	size_t	i, k;

	/* Containers on no wagon go first: the reader puts them on none. */
	if (w->kind == EDI_MSG_CUSCAR)
		for (i = 0; i < t->ncontainers; i++)
			if (t->containers[i]->wagon == NULL &&
			    scope_has_container(s, t->containers[i]))
				container(w, t->containers[i]);
	for (i = 0; i < t->nwagons; i++) {
		const struct manifest_wagon *wg = t->wagons[i];

		if (!scope_has_wagon(s, wg))
			continue;
		seg(w, "EQD"), el(w), raw(w, "RR"), el(w), text(w, wg->number);
		if (wg->type != NULL)
			el(w), text(w, wg->type);
		end(w);
		mea(w, "WT", "T", wg->tare_kg);
		seals(w, wg->seals, wg->nseals);
		for (k = 0; k < wg->ncontainers; k++) {
			const struct manifest_container *c = wg->containers[k];

			if (!scope_has_container(s, c))
				continue;
			if (w->kind == EDI_MSG_CUSCAR)
				container(w, c);
			else {
				seg(w, "EQA"), el(w), raw(w, "CN"), el(w);
				text(w, c->number), end(w);
			}
		}
	}
	if (w->kind == EDI_MSG_IFCSUM)
		for (i = 0; i < t->ncontainers; i++)
			if (scope_has_container(s, t->containers[i]))
				container(w, t->containers[i]);
}

/*
 * "PCI+18+<tracking number>'": in CUSCAR after DGS, before CST (group
 * 14's order); in IFCSUM its group 46 after the measurements (43) and
 * before the documents (47), the placements (52) and DGS (55).
 */
static void
pci(struct ew *w, const char *tracking)
{
	seg(w, "PCI"), el(w), raw(w, "18"), el(w), text(w, tracking);
	end(w);
}

/* One goods item. */
static void
item(struct ew *w, const struct manifest_item *it)
{
	size_t	i;

	seg(w, "GID");
	el(w);
	buf_printf(w->out, "%u", it->seq);
	if (it->packages != MANIFEST_ABSENT || it->package_type != NULL) {
		el(w);
		if (it->packages != MANIFEST_ABSENT)
			buf_printf(w->out, "%lld", (long long)it->packages);
		if (it->package_type != NULL)
			co(w), text(w, it->package_type);
	}
	end(w);
	if (it->hs != NULL && w->kind == EDI_MSG_IFCSUM) {
		seg(w, "PIA"), el(w), raw(w, "5"), el(w), raw(w, it->hs);
		co(w), raw(w, "HS"), end(w);
	}
	if (it->description != NULL) {
		seg(w, "FTX"), el(w), raw(w, "AAA"), el(w), el(w), el(w);
		text_split(w, it->description, 70);
		end(w);
	}
	mea(w, "WT", "G", it->gross_kg);
	mea(w, "WT", "N", it->net_kg);
	if (it->value != MANIFEST_ABSENT || it->currency != NULL) {
		seg(w, "MOA"), el(w), raw(w, "38"), co(w);
		if (it->value != MANIFEST_ABSENT)
			decimal(w, it->value);
		if (it->currency != NULL)
			co(w), text(w, it->currency);
		end(w);
	}
	if (it->tracking != NULL && w->kind == EDI_MSG_IFCSUM)
		pci(w, it->tracking);
	for (i = 0; i < it->nplacements; i++) {
		seg(w, "SGP"), el(w),
		    text(w, manifest_placement_equipment(&it->placements[i]));
		if (it->placements[i].packages != MANIFEST_ABSENT)
			el(w), buf_printf(w->out, "%lld",
			    (long long)it->placements[i].packages);
		end(w);
	}
	if (it->un_number != NULL) {
		seg(w, "DGS"), el(w), raw(w, "RID"), el(w), el(w);
		text(w, it->un_number), end(w);
	}
	if (it->tracking != NULL && w->kind == EDI_MSG_CUSCAR)
		pci(w, it->tracking);
	if (it->hs != NULL && w->kind == EDI_MSG_CUSCAR) {
		seg(w, "CST"), el(w), el(w), raw(w, it->hs), co(w), raw(w, "122");
		end(w);
	}
	if (it->origin != NULL) {
		seg(w, "LOC"), el(w), raw(w, "27"), el(w), text(w, it->origin);
		end(w);
	}
	if (it->ndocuments > 0) {
		seg(w, "GIS"), el(w), raw(w, "1"), end(w);
		for (i = 0; i < it->ndocuments; i++) {
			seg(w, "DOC"), el(w), text(w, it->documents[i].type);
			if (it->documents[i].id != NULL)
				el(w), text(w, it->documents[i].id);
			end(w);
		}
	}
}

/* One consignment with its parties and items. */
static void
consignment(struct ew *w, const struct manifest_consignment *k, unsigned n)
{
	static const char *proc[] = { NULL, "23", "22", "24", "ECO" };
	size_t	i;

	seg(w, "CNI"), el(w), buf_printf(w->out, "%u", n), el(w);
	text(w, k->ref), end(w);
	if (k->value != MANIFEST_ABSENT) {
		seg(w, "MOA"), el(w), raw(w, "40"), co(w), decimal(w, k->value);
		if (k->currency != NULL)
			co(w), text(w, k->currency);
		end(w);
	} else if (k->currency != NULL) {
		seg(w, "CUX"), el(w), raw(w, "2"), co(w), text(w, k->currency);
		co(w), raw(w, "9"), end(w);
	}
	nad(w, "CZ", &k->consignor);
	nad(w, "CN", &k->consignee);
	nad(w, "DT", &k->declarant);
	if (proc[k->procedure] != NULL) {
		seg(w, "GIS"), el(w), raw(w, proc[k->procedure]), end(w);
	}
	for (i = 0; i < k->nitems; i++)
		item(w, k->items[i]);
}

/* Marks in s what consignments [from, to) use; s->to grows to their last wagon. */
static void
scope_mark(struct scope *s, const struct manifest_train *t, size_t from,
    size_t to)
{
	const struct manifest_placement	*p;
	const struct manifest_wagon	*wg;
	struct manifest_container	*ct;
	size_t				 i, j, k;

	for (i = from; i < to; i++) {
		const struct manifest_consignment *c = t->consignments[i];

		for (j = 0; j < c->nitems; j++) {
			for (k = 0; k < c->items[j]->nplacements; k++) {
				p = &c->items[j]->placements[k];
				wg = manifest_placement_wagon(p);
				ct = manifest_placement_container(p);
				if (ct != NULL)
					strmap_put(s->used, ct->number, ct);
				if (wg == NULL)
					continue;
				strmap_put(s->used, wg->number, (void *)wg);
				if (wg->position > s->to)
					s->to = wg->position;
			}
		}
	}
}

/* One message: consignments [from, to); *listed is the last wagon listed so far. */
static void
message(struct ew *w, const struct manifest_train *t, unsigned number,
    size_t from, size_t to, uint32_t *listed)
{
	struct scope	 s = { strmap_new(), *listed, *listed, number == 1 };
	size_t		 i;

	scope_mark(&s, t, from, to);
	if (to == t->nconsignments)	/* the rest rides with the last message */
		s.to = (uint32_t)t->nwagons;
	*listed = s.to;
	w->segments = 0;
	seg(w, "UNH"), el(w), buf_printf(w->out, "%u", number), el(w);
	raw(w, w->kind == EDI_MSG_IFCSUM ? "IFCSUM" : "CUSCAR");
	co(w), raw(w, "D"), co(w), raw(w, "96B"), co(w), raw(w, "UN"), end(w);
	header(w, t);
	equipment(w, t, &s);
	for (i = from; i < to; i++)
		consignment(w, t->consignments[i], (unsigned)(i - from + 1));
	seg(w, "UNT"), el(w), buf_printf(w->out, "%u", w->segments), el(w);
	buf_printf(w->out, "%u", number), end(w);
	strmap_free(s.used);
}

/* "UNA...UNB+...'" for the syntax version. */
static void
envelope_open(struct ew *w, const struct edi_write_options *o,
    const struct manifest_train *t, int syntax, const char *ref)
{
	char		 iso[VALUE_TIME_MAX];
	int64_t		 when = o->prepared != 0 ? o->prepared :
			    t->issued != MANIFEST_ABSENT ? t->issued : 0;

	value_time_format(when, iso);
	if (syntax == 4)
		buf_printf(w->out, "UNA%c%c%c%c%c%c\n", w->syn.component,
		    w->syn.element, w->syn.decimal, w->syn.release,
		    w->syn.repetition, w->syn.terminator);
	seg(w, "UNB"), el(w), raw(w, edi_codeset_name(w->cs)), co(w);
	buf_printf(w->out, "%d", syntax), el(w);
	text(w, o->sender != NULL ? o->sender : "RAILGATE"), el(w);
	text(w, o->recipient != NULL ? o->recipient : t->border_station != NULL ?
	    t->border_station : "CUSTOMS"), el(w);
	if (syntax == 4)
		buf_printf(w->out, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	else
		buf_printf(w->out, "%.2s%.2s%.2s", iso + 2, iso + 5, iso + 8);
	co(w), buf_printf(w->out, "%.2s%.2s", iso + 11, iso + 14), el(w);
	text(w, ref), end(w);
}

/* The interchange for t, its message kind from o. */
void
edi_write_manifest(const struct manifest_train *t,
    const struct edi_write_options *o, struct buf *out)
{
	struct ew	 w;
	int		 syntax = o->syntax == 3 ? 3 : 4;
	size_t		 max = o->max_items != 0 ? o->max_items : 10000;
	size_t		 from = 0, to, items;
	unsigned	 messages = 0;
	uint32_t	 listed = 0;
	char		 ref[15];
	struct edi_syntax def = { ':', '+', '.', '?', '*', '\'' };

	memset(&w, 0, sizeof w);
	w.out = out;
	w.syn = def;
	if (syntax == 3)
		w.syn.repetition = ' ';		/* reserved in version 3 */
	w.kind = o->kind == EDI_MSG_IFCSUM ? EDI_MSG_IFCSUM : EDI_MSG_CUSCAR;
	w.cs = o->charset != NULL ? edi_codeset_from_id(o->charset,
	    strlen(o->charset)) : syntax == 4 ? EDI_CODESET_UNOY : EDI_CODESET_UNOC;
	if (w.cs == EDI_CODESET_UNKNOWN)
		w.cs = EDI_CODESET_UNOY;
	snprintf(ref, sizeof ref, "%s", o->reference != NULL ? o->reference :
	    t->manifest_ref != NULL ? t->manifest_ref : "1");
	envelope_open(&w, o, t, syntax, ref);
	do {
		/* Whole consignments per message, up to max items. */
		for (to = from, items = 0; to < t->nconsignments &&
		    (to == from || items + t->consignments[to]->nitems <= max); to++)
			items += t->consignments[to]->nitems;
		message(&w, t, ++messages, from, to, &listed);
		from = to;
	} while (from < t->nconsignments);
	buf_add_str(out, "UNZ");
	el(&w), buf_printf(out, "%u", messages), el(&w), text(&w, ref), end(&w);
	buf_free(&w.tmp);
}

/* Writes t with o's options as message kind. */
static void
write_as(const struct manifest_train *t, const struct edi_write_options *o,
    enum edi_message_kind kind, struct buf *out)
{
	struct edi_write_options	 w = { 0 };

	if (o != NULL)
		w = *o;
	w.kind = kind;
	edi_write_manifest(t, &w, out);
}

/* t as CUSCAR. */
void
edi_write_cuscar(const struct manifest_train *t,
    const struct edi_write_options *o, struct buf *out)
{
	write_as(t, o, EDI_MSG_CUSCAR, out);
}

/* t as IFCSUM. */
void
edi_write_ifcsum(const struct manifest_train *t,
    const struct edi_write_options *o, struct buf *out)
{
	write_as(t, o, EDI_MSG_IFCSUM, out);
}
