/*
 * map_goods.c -- the consignment and goods-item groups of CUSCAR and
 * IFCSUM onto the model: CNI opens a consignment (RFF, MOA, CUX give its
 * reference, value and currency), GID a goods item (FTX, MOA, SGP, DOC,
 * CST/PIA, DGS and PCI+18, the parcel's tracking number, fill it).  Items repeat their values one after
 * another: those fields go through field_text() (map_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/ident.h"

#include "map_int.h"

/* CNI: a new consignment. */
static void
map_cni(struct edi_map *m, const struct edi_segment *seg)
{
	m->zone = EDI_ZONE_CONSIGNMENT;
	m->consignment = manifest_consignment_add(m->t);
	m->consignment->ref = text(m, seg, 1, 0);
	m->consignment->src = seg_src(seg);
	m->party = NULL;
	m->item = NULL;
}

/* RFF: a consignment's reference; a party's AEO certificate. */
static void
map_rff(struct edi_map *m, const struct edi_segment *seg)
{
	if ((m->zone == EDI_ZONE_PARTY || m->zone <= EDI_ZONE_TRANSPORT) &&
	    m->party != NULL && is_code(m, seg, 0, 0, "ZZZ")) {
		m->party->aeo = text(m, seg, 0, 1);
		return;
	}
	if ((m->zone == EDI_ZONE_CONSIGNMENT || m->zone == EDI_ZONE_PARTY) &&
	    m->consignment != NULL && m->consignment->ref == NULL &&
	    (is_code(m, seg, 0, 0, "AAM") || is_code(m, seg, 0, 0, "BM") ||
	    is_code(m, seg, 0, 0, "AAS")))
		m->consignment->ref = text(m, seg, 0, 1);
}

/* MOA: a consignment's or an item's value. */
static void
map_moa(struct edi_map *m, const struct edi_segment *seg)
{
	bool	q38 = is_code(m, seg, 0, 0, "38"), q40 = is_code(m, seg, 0, 0, "40");

	if (m->zone >= EDI_ZONE_ITEM && m->item != NULL && (q38 || q40)) {
		m->item->value = decimal(m, seg, 0, 1, "value");
		m->item->currency = field(m, seg, 0, 2, EDI_FIELD_CURRENCY);
	} else if ((m->zone == EDI_ZONE_CONSIGNMENT ||
	    m->zone == EDI_ZONE_PARTY) && m->consignment != NULL && q40) {
		const char *cur = text(m, seg, 0, 2);

		m->consignment->value = decimal(m, seg, 0, 1, "value");
		if (cur != NULL)
			m->consignment->currency = cur;
	}
}

/* CUX: a consignment's currency. */
static void
map_cux(struct edi_map *m, const struct edi_segment *seg)
{
	if ((m->zone == EDI_ZONE_CONSIGNMENT || m->zone == EDI_ZONE_PARTY) &&
	    m->consignment != NULL && m->consignment->currency == NULL)
		m->consignment->currency = text(m, seg, 0, 1);
}

/* GID: a new goods item of the current consignment. */
static void
map_gid(struct edi_map *m, const struct edi_segment *seg)
{
	int64_t	seq;

	if (m->consignment == NULL) {
		edi_map_diag(m, seg, DIAG_ERROR, "STRUCTURE",
		    "goods item outside any consignment (no CNI before GID)");
		m->consignment = manifest_consignment_add(m->t);
		m->consignment->src = seg_src(seg);
	}
	m->zone = EDI_ZONE_ITEM;
	m->party = NULL;
	m->item = manifest_item_add(m->t, m->consignment);
	m->item->src = seg_src(seg);
	seq = count(m, seg, 0, 0, "goods item number");
	m->item->seq = seq != MANIFEST_ABSENT && seq <= UINT32_MAX ?
	    (uint32_t)seq : (uint32_t)m->consignment->nitems;
	m->item->packages = count(m, seg, 1, 0, "package count");
	m->item->package_type = field(m, seg, 1, 1, EDI_FIELD_PACKAGE_TYPE);
}

/* An HS code from a view, normalised; warns when it is not one. */
static void
set_hs(struct edi_map *m, const struct edi_segment *seg, int e, int c)
{
	struct edi_view	 v = edi_component(m->lx, seg, e, c);
	struct edi_last	*l;
	const char	*r;
	char		 hs[IDENT_HS_MAX + 1];
	size_t		 i;
	uint32_t	 k;

	if (m->item == NULL || v.len == 0)
		return;
	k = field_key(v);
	l = field_set(m, EDI_FIELD_HS, k);
	if ((r = field_find(l, v, k)) != NULL) {
		m->item->hs = r;	/* as before: valid */
		return;
	}
	/* Digits alone, the usual form, are already normal. */
	for (i = 0; i < v.len && v.p[i] >= '0' && v.p[i] <= '9'; i++)
		;
	if (i == v.len && v.len >= 6 && v.len <= IDENT_HS_MAX)
		m->item->hs = manifest_str(m->t, v.p, v.len);
	else if (ident_hs_normalise(v.p, v.len, hs) == 0)
		m->item->hs = manifest_str(m->t, hs, strlen(hs));
	else {
		edi_map_diag(m, seg, DIAG_WARNING, "HS_CODE",
		    "\"%.*s\" is not an HS code of 6 to 10 digits",
		    (int)(v.len > 20 ? 20 : v.len), v.p);
		return;
	}
	edi_map_field_keep(l, v, k, m->item->hs);
}

/* FTX+AAA: the item's description (several are joined). */
static void
map_ftx(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*t;

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL ||
	    !is_code(m, seg, 0, 0, "AAA"))
		return;
	/* One line, the first: as edi_map_joined() would, through the field's last. */
	if (m->item->description == NULL && edi_component_count(m->lx, seg, 3) == 1)
		t = field_text(m, seg, edi_component(m->lx, seg, 3, 0),
		    EDI_FIELD_DESCRIPTION, true);
	else if (m->item->description == NULL)	/* lines: as joined before */
		t = edi_map_joined_kept(m, seg, 3, m->descriptions,
		    (int)nitems(m->descriptions));
	else
		t = edi_map_joined(m, seg, 3, m->item->description == NULL);
	if (t == NULL)
		return;
	if (m->item->description == NULL)
		m->item->description = t;
	else {
		char *both = xasprintf("%s %s", m->item->description, t);

		m->item->description = manifest_str(m->t, both, strlen(both));
		free(both);
	}
}

/* SGP: where the item's packages are loaded. */
static void
map_sgp(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_placement	*p;
	struct manifest_src		 src;

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL)
		return;
	p = manifest_item_add_placement(m->t, m->item);
	manifest_placement_set_number(p,
	    field(m, seg, 0, 0, EDI_FIELD_EQUIPMENT));
	p->packages = count(m, seg, 1, 0, "package count");
	src = seg_src(seg);
	manifest_placement_set_src(m->item, p, &src);
}

/* DOC: a document of the item. */
static void
map_doc(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_document	*d;
	const char			*type = field(m, seg, 0, 0,
					    EDI_FIELD_DOCUMENT_TYPE);

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL || type == NULL)
		return;
	d = manifest_item_add_document(m->t, m->item);
	d->type = type;
	d->id = edi_map_view_unique(m, seg, edi_component(m->lx, seg, 1, 0));
}

/* CST and PIA: the item's HS code. */
static void
map_hs(struct edi_map *m, const struct edi_segment *seg)
{
	set_hs(m, seg, 1, 0);
}

/* DGS: the item's UN number. */
static void
map_dgs(struct edi_map *m, const struct edi_segment *seg)
{
	if (m->item != NULL)
		m->item->un_number = text(m, seg, 2, 0);
}

/*
 * PCI+18: the item's tracking number (4233 18, carrier's instructions;
 * the first shipping mark of C210).  Other marking instructions are
 * shipping marks railgate does not read.  A second PCI+18 on one item
 * is reported, the first kept: the parcel is found by one number.
 */
static void
map_pci(struct edi_map *m, const struct edi_segment *seg)
{
	const char		*no;
	struct manifest_src	 src;

	if (m->zone < EDI_ZONE_ITEM || m->item == NULL ||
	    !is_code(m, seg, 0, 0, "18"))
		return;
	if ((no = text(m, seg, 1, 0)) == NULL)
		return;
	if (m->item->tracking != NULL) {
		edi_map_diag(m, seg, DIAG_WARNING, "TRACKING_REPEATED",
		    "goods item %u has a second tracking number %.40s: "
		    "%s is kept", m->item->seq, no, m->item->tracking);
		return;
	}
	m->item->tracking = no;
	src = seg_src(seg);
	manifest_item_set_tracking_src(m->item, &src);
}

edi_map_fn
edi_map_goods_fn(uint32_t code)
{
	switch (code) {
	case EDI_TAG('C', 'N', 'I'): return map_cni;
	case EDI_TAG('R', 'F', 'F'): return map_rff;
	case EDI_TAG('M', 'O', 'A'): return map_moa;
	case EDI_TAG('C', 'U', 'X'): return map_cux;
	case EDI_TAG('G', 'I', 'D'): return map_gid;
	case EDI_TAG('F', 'T', 'X'): return map_ftx;
	case EDI_TAG('S', 'G', 'P'): return map_sgp;
	case EDI_TAG('D', 'O', 'C'): return map_doc;
	case EDI_TAG('C', 'S', 'T'): return map_hs;
	case EDI_TAG('P', 'I', 'A'): return map_hs;
	case EDI_TAG('D', 'G', 'S'): return map_dgs;
	case EDI_TAG('P', 'C', 'I'): return map_pci;
	default: return NULL;
	}
}
