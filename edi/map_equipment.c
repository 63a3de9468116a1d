/*
 * map_equipment.c -- the equipment group of CUSCAR and IFCSUM onto the
 * model: EQD opens a wagon or a container (the same object when a later
 * message of the interchange lists it again: its details are compared,
 * not added twice), EQA puts an IFCSUM container on its wagon, MEA gives
 * masses (an item's too), SEL seals.
 */
#include <string.h>

#include "manifest/strmap.h"

#include "map_int.h"

/* Registers number as seen in this message; true if it already was. */
static bool
seen_in_message(struct edi_map *m, const char *number)
{
	if (strmap_get(m->msg_equipment, number) != NULL)
		return true;
	strmap_put(m->msg_equipment, number, (void *)number);
	return false;
}

/* EQD+RR: a wagon, new or listed again by a later message. */
static void
map_wagon(struct edi_map *m, const struct edi_segment *seg, const char *num)
{
	struct manifest_wagon	*w = manifest_train_find_wagon(m->t, num);
	const char		*type = text(m, seg, 2, 0);

	m->equipment_repeat = false;
	if (w != NULL && seen_in_message(m, num)) {
		edi_map_diag(m, seg, DIAG_ERROR, "DUPLICATE_WAGON",
		    "wagon %s is listed twice in message %u", num, m->message);
		m->equipment_repeat = true;
	} else if (w != NULL) {
		m->equipment_repeat = true;	/* a later message lists it again */
		edi_map_set_repeated(m, seg, &w->type, type, "wagon type");
	} else {
		seen_in_message(m, num);
		w = manifest_wagon_add(m->t, num);
		w->type = type;
		w->src = seg_src(seg);
	}
	m->wagon = w;
	m->container = NULL;
	m->equipment_is_wagon = true;
}

/* EQD+CN: a container (CUSCAR: on the last wagon; IFCSUM: details only). */
static void
map_container(struct edi_map *m, const struct edi_segment *seg,
    const char *num)
{
	struct manifest_container	*c = manifest_train_find_container(m->t, num);
	struct edi_view			 fe = edi_component(m->lx, seg, 5, 0);
	bool				 listed_by_eqa;

	m->equipment_repeat = false;
	listed_by_eqa = c != NULL && m->kind == EDI_MSG_IFCSUM &&
	    !seen_in_message(m, num);
	/* IFCSUM: a container described by an earlier message is a repeat. */
	if (m->kind == EDI_MSG_IFCSUM && c != NULL &&
	    strmap_get(m->details_seen, c->number) != NULL)
		m->equipment_repeat = true;
	if (c != NULL && !listed_by_eqa && m->kind != EDI_MSG_IFCSUM &&
	    seen_in_message(m, num)) {
		edi_map_diag(m, seg, DIAG_ERROR, "DUPLICATE_CONTAINER",
		    "container %s is listed twice in message %u", num, m->message);
		m->equipment_repeat = true;
	} else if (c != NULL && !listed_by_eqa && m->kind != EDI_MSG_IFCSUM) {
		m->equipment_repeat = true;
		if (c->wagon != m->wagon)
			edi_map_diag(m, seg, DIAG_WARNING, "DETAILS_DIFFER",
			    "message %u puts container %s on another wagon than "
			    "an earlier message", m->message, num);
	} else if (c == NULL) {
		if (m->kind != EDI_MSG_IFCSUM)
			seen_in_message(m, num);
		c = manifest_container_add(m->t, m->kind == EDI_MSG_IFCSUM ?
		    NULL : m->wagon, num);
		c->src = seg_src(seg);
	}
	if (m->kind == EDI_MSG_IFCSUM)
		strmap_put(m->details_seen, c->number, c);
	if (!m->equipment_repeat) {
		if (c->size_type == NULL)
			c->size_type = text(m, seg, 2, 0);
		if (edi_view_is(fe, "4"))
			c->full = false;
		else if (fe.len != 0 && !edi_view_is(fe, "5") &&
		    !edi_view_is(fe, "7") && !edi_view_is(fe, "8"))
			edi_map_diag(m, seg, DIAG_WARNING, "FULL_EMPTY",
			    "full/empty indicator \"%.*s\" is not 4, 5, 7 or 8: "
			    "read as full", (int)(fe.len > 4 ? 4 : fe.len), fe.p);
	}
	m->container = c;
	m->equipment_is_wagon = false;
}

/* EQD: opens an equipment group. */
static void
map_eqd(struct edi_map *m, const struct edi_segment *seg)
{
	const char	*num = text(m, seg, 1, 0);

	m->zone = EDI_ZONE_EQUIPMENT;
	m->container = NULL;
	if (num == NULL) {
		edi_map_diag(m, seg, DIAG_ERROR, "EQUIPMENT_NUMBER",
		    "EQD gives no equipment number");
		m->wagon = NULL;
		return;
	}
	if (is_code(m, seg, 0, 0, "RR"))
		map_wagon(m, seg, num);
	else if (is_code(m, seg, 0, 0, "CN"))
		map_container(m, seg, num);
	else {
		edi_map_diag(m, seg, DIAG_WARNING, "EQUIPMENT_TYPE",
		    "equipment %s has qualifier \"%.*s\", neither a wagon (RR) nor "
		    "a container (CN): ignored", num,
		    (int)edi_component(m->lx, seg, 0, 0).len,
		    edi_component(m->lx, seg, 0, 0).p);
		m->wagon = NULL;
		m->equipment_is_wagon = true;	/* absorbs its MEA and SEL */
		m->equipment_repeat = true;
	}
}

/* EQA+CN (IFCSUM): a container carried by the current wagon. */
static void
map_eqa(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_container	*c;
	const char			*num = text(m, seg, 1, 0);

	if (num == NULL || !is_code(m, seg, 0, 0, "CN"))
		return;
	if (m->wagon == NULL || !m->equipment_is_wagon) {
		edi_map_diag(m, seg, DIAG_ERROR, "STRUCTURE",
		    "EQA attaches container %s to no wagon", num);
		return;
	}
	c = manifest_train_find_container(m->t, num);
	if (c == NULL) {
		c = manifest_container_add(m->t, m->wagon, num);
		c->src = seg_src(seg);
	} else if (c->wagon == NULL)
		manifest_container_attach(m->t, c, m->wagon);
	else if (c->wagon != m->wagon)
		edi_map_diag(m, seg, DIAG_WARNING, "DETAILS_DIFFER",
		    "container %s is attached to wagons %s and %s", num,
		    c->wagon->number, m->wagon->number);
}

/* A mass in kg from MEA's C174 (element 2): KGM or TNE. */
static int64_t
mass_kg(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	unit = edi_component(m->lx, seg, 2, 0);
	struct edi_view	tv = edi_component(m->lx, seg, 2, 1);
	int64_t		v;

	if (edi_view_is(unit, "TNE")) {
		/* Tonnes keep three more decimals: exact to the gram. */
		if (tv.len == 0)
			return MANIFEST_ABSENT;
		if (value_decimal_parse_scaled(tv.p, tv.len, 3, &v) != VALUE_INVALID)
			return v;
		edi_map_diag(m, seg, DIAG_WARNING, "BAD_NUMBER",
		    "mass is not a number");
		return MANIFEST_ABSENT;
	}
	v = decimal_view(m, seg, tv, "mass");
	if (v == MANIFEST_ABSENT)
		return v;
	if (!edi_view_is(unit, "KGM")) {
		edi_map_diag(m, seg, DIAG_WARNING, "BAD_UNIT",
		    "a mass must be in KGM or TNE");
		return MANIFEST_ABSENT;
	}
	return v;
}

/* MEA: tare of a wagon, gross of a container, masses of an item. */
static void
map_mea(struct edi_map *m, const struct edi_segment *seg)
{
	struct edi_view	q = edi_component(m->lx, seg, 0, 0);
	struct edi_view	what = edi_component(m->lx, seg, 1, 0);
	bool		g, n, tare;

	if (!edi_view_is(q, "WT") && !edi_view_is(q, "AAE"))
		return;
	g = edi_view_is(what, "G");
	n = edi_view_is(what, "N");
	tare = edi_view_is(what, "T");
	if (m->zone == EDI_ZONE_EQUIPMENT && !m->equipment_repeat) {
		if (m->equipment_is_wagon && m->wagon != NULL && tare)
			m->wagon->tare_kg = mass_kg(m, seg);
		else if (!m->equipment_is_wagon && m->container != NULL && g)
			m->container->gross_kg = mass_kg(m, seg);
	} else if (m->zone >= EDI_ZONE_ITEM && m->item != NULL) {
		if (g)
			m->item->gross_kg = mass_kg(m, seg);
		else if (n)
			m->item->net_kg = mass_kg(m, seg);
	}
}

/* SEL: a seal on the current wagon or container. */
static void
map_sel(struct edi_map *m, const struct edi_segment *seg)
{
	struct manifest_seal	*s;
	struct edi_view		 cond = edi_component(m->lx, seg, 2, 0);

	if (m->zone != EDI_ZONE_EQUIPMENT || m->equipment_repeat)
		return;
	if (m->equipment_is_wagon && m->wagon != NULL)
		s = manifest_wagon_add_seal(m->t, m->wagon);
	else if (!m->equipment_is_wagon && m->container != NULL)
		s = manifest_container_add_seal(m->t, m->container);
	else
		return;
	s->number = text(m, seg, 0, 0);
	if (s->number == NULL)
		edi_map_diag(m, seg, DIAG_WARNING, "SEAL_NUMBER",
		    "SEL gives no seal number");
	if (is_code(m, seg, 1, 0, "CA"))
		s->sealed_by = MANIFEST_SEALER_CARRIER;
	else if (is_code(m, seg, 1, 0, "CU"))
		s->sealed_by = MANIFEST_SEALER_CUSTOMS;
	else if (is_code(m, seg, 1, 0, "SH"))
		s->sealed_by = MANIFEST_SEALER_SHIPPER;
	else if (edi_component(m->lx, seg, 1, 0).len != 0)
		s->sealed_by = MANIFEST_SEALER_OTHER;
	if (edi_view_is(cond, "2"))
		s->condition = MANIFEST_SEAL_DAMAGED;
	else if (cond.len != 0 && !edi_view_is(cond, "1"))
		edi_map_diag(m, seg, DIAG_WARNING, "SEAL_CONDITION",
		    "seal condition \"%.*s\" is not 1 (intact) or 2 (damaged)",
		    (int)(cond.len > 4 ? 4 : cond.len), cond.p);
}

edi_map_fn
edi_map_equipment_fn(uint32_t code)
{
	switch (code) {
	case EDI_TAG('E', 'Q', 'D'): return map_eqd;
	case EDI_TAG('E', 'Q', 'A'): return map_eqa;
	case EDI_TAG('M', 'E', 'A'): return map_mea;
	case EDI_TAG('S', 'E', 'L'): return map_sel;
	default: return NULL;
	}
}
