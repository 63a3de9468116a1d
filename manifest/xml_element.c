/*
 * xml_element.c -- the railgate XML profile's elements onto the train
 * model (docs/xml.md): which child an element may have, the model object
 * an element opens, and where a value element's text goes when it
 * closes.  The streaming, the hardening and the limits are xml_read.c's;
 * element names arrive interned, so a name is compared by pointer.
 */
#include <string.h>

#include "ident.h"
#include "value.h"
#include "xml_read_int.h"

/* The child context of an element named n inside a parent of context p. */
enum xctx
xml_element_ctx(const struct xnames *nm, enum xctx p, const char *n)
{
	switch (p) {
	case X_ROOT:
		return n == nm->Manifest ? X_MANIFEST : X_SKIP;
	case X_MANIFEST:
		return n == nm->Head ? X_HEAD :
		    n == nm->Declaration ? X_DECL : X_SKIP;
	case X_HEAD:
		return n == nm->MessageID || n == nm->FunctionCode ||
		    n == nm->SenderID || n == nm->ReceiverID ||
		    n == nm->SendDateTime ? X_LEAF : X_SKIP;
	case X_DECL:
		return n == nm->ID || n == nm->DirectionCode ?
		    X_LEAF : n == nm->BorderTransportMeans ? X_BTM :
		    n == nm->Consignment ? X_CONS : X_SKIP;
	case X_BTM:
		return n == nm->Carrier ? X_CARRIER :
		    n == nm->Wagon ? X_WAGON :
		    n == nm->JourneyID || n == nm->ModeCode ||
		    n == nm->BorderStationID ||
		    n == nm->DepartureStationID ||
		    n == nm->DestinationStationID ||
		    n == nm->EstimatedArrivalDateTime ||
		    n == nm->ActualArrivalDateTime ? X_LEAF : X_SKIP;
	case X_CARRIER:
	case X_PARTY:
		return n == nm->ID || n == nm->Name ||
		    n == nm->CountryCode || n == nm->AEO ?
		    X_LEAF : X_SKIP;
	case X_WAGON:
		return n == nm->Seal ? X_SEAL :
		    n == nm->Container ? X_CONTAINER :
		    n == nm->SequenceNumeric || n == nm->ID ||
		    n == nm->TypeCode ||
		    n == nm->TareMassMeasure ? X_LEAF : X_SKIP;
	case X_SEAL:
		return n == nm->ID || n == nm->SealingPartyCode ||
		    n == nm->ConditionCode ? X_LEAF : X_SKIP;
	case X_CONTAINER:
		return n == nm->Seal ? X_SEAL :
		    n == nm->ID || n == nm->CharacteristicCode ||
		    n == nm->FullnessCode ||
		    n == nm->GrossMassMeasure ? X_LEAF : X_SKIP;
	case X_CONS:
		return n == nm->TransportContractDocument ? X_CONTRACT :
		    n == nm->Consignor || n == nm->Consignee ||
		    n == nm->Declarant ? X_PARTY :
		    n == nm->ConsignmentItem ? X_ITEM :
		    n == nm->ProcedureCode ||
		    n == nm->ValueAmount ? X_LEAF : X_SKIP;
	case X_CONTRACT:
		return n == nm->ID ? X_LEAF : X_SKIP;
	case X_ITEM:
		return n == nm->Commodity ? X_COMMODITY :
		    n == nm->Packaging ? X_PACKAGING :
		    n == nm->AdditionalDocument ? X_DOC :
		    n == nm->Placement ? X_PLACEMENT :
		    n == nm->SequenceNumeric ||
		    n == nm->GrossMassMeasure ||
		    n == nm->NetMassMeasure ||
		    n == nm->ValueAmount ||
		    n == nm->OriginCountryCode ||
		    n == nm->TrackingID ? X_LEAF : X_SKIP;
	case X_COMMODITY:
		return n == nm->Description ||
		    n == nm->ClassificationID ||
		    n == nm->UNDGCode ? X_LEAF : X_SKIP;
	case X_PACKAGING:
		return n == nm->QuantityQuantity ||
		    n == nm->TypeCode ? X_LEAF : X_SKIP;
	case X_DOC:
		return n == nm->TypeCode || n == nm->ID ?
		    X_LEAF : X_SKIP;
	case X_PLACEMENT:
		return n == nm->EquipmentID ||
		    n == nm->PackageQuantity ? X_LEAF : X_SKIP;
	default:
		return X_SKIP;
	}
}

/* The model object a container element starts. */
void *
xml_element_open(struct xr *x, enum xctx ctx, const struct xml_frame *parent,
    const char *name)
{
	struct manifest_train	*t = x->t;
	struct manifest_src	 src = { DIAG_NO_OFFSET, xr_line(x), "" };

	switch (ctx) {
	case X_CARRIER:
		return &t->carrier;
	case X_WAGON: {
		struct manifest_wagon *w = manifest_wagon_add(t, NULL);

		w->src = src;
		return w;
	}
	case X_CONTAINER: {
		struct manifest_container *c = manifest_container_add(t,
		    parent->obj, NULL);

		c->src = src;
		return c;
	}
	case X_SEAL:
		return parent->ctx == X_WAGON ? manifest_wagon_add_seal(t,
		    parent->obj) : manifest_container_add_seal(t, parent->obj);
	case X_CONS: {
		struct manifest_consignment *c = manifest_consignment_add(t);

		c->src = src;
		return c;
	}
	case X_CONTRACT:
		return parent->obj;
	case X_PARTY: {
		struct manifest_consignment *c = parent->obj;

		return name == x->nm.Consignor ? &c->consignor :
		    name == x->nm.Consignee ? &c->consignee : &c->declarant;
	}
	case X_ITEM: {
		struct manifest_item *it = manifest_item_add(t, parent->obj);

		it->src = src;
		it->seq = (uint32_t)it->consignment->nitems;
		return it;
	}
	case X_COMMODITY:
	case X_PACKAGING:
		return parent->obj;
	case X_DOC:
		return manifest_item_add_document(t, parent->obj);
	case X_PLACEMENT: {
		struct manifest_placement *p = manifest_item_add_placement(t,
		    parent->obj);

		manifest_placement_set_src(parent->obj, p, &src);
		return p;
	}
	default:
		return parent->obj;
	}
}

/* The gathered text as a model string. */
static const char *
text(struct xr *x)
{
	return manifest_str(x->t, x->text.data != NULL ? x->text.data : "",
	    x->text.len);
}

/*
 * A decimal with '.' only, times 10^shift; MANIFEST_ABSENT (with a
 * warning) otherwise.
 */
static int64_t
decimal_scaled(struct xr *x, const char *what, int shift)
{
	const char	*s = text(x);
	int64_t		 v;

	if (s == NULL)
		return MANIFEST_ABSENT;
	if (strchr(s, ',') == NULL) {
		switch (value_decimal_parse_scaled(s, strlen(s), shift, &v)) {
		case VALUE_OK:
			return v;
		case VALUE_ROUNDED:
			xr_diag(x, DIAG_WARNING, "DECIMAL_ROUNDED",
			    "%s \"%s\" has more than 3 decimals: rounded", what, s);
			return v;
		default:
			break;
		}
	}
	xr_diag(x, DIAG_WARNING, "BAD_NUMBER", "%s \"%.40s\" is not a decimal "
	    "number with '.'", what, s);
	return MANIFEST_ABSENT;
}

static int64_t
decimal(struct xr *x, const char *what)
{
	return decimal_scaled(x, what, 0);
}

/* A mass in kg from a *MassMeasure (unitCode KGM or TNE). */
static int64_t
mass(struct xr *x, const char *what)
{
	int64_t	v;

	if (strcmp(x->unit, "TNE") == 0)
		return decimal_scaled(x, what, 3);	/* exact to the gram */
	v = decimal(x, what);
	if (v == MANIFEST_ABSENT)
		return v;
	if (x->unit[0] != '\0' && strcmp(x->unit, "KGM") != 0) {
		xr_diag(x, DIAG_WARNING, "BAD_UNIT", "%s in \"%s\": a mass is in KGM "
		    "or TNE", what, x->unit);
		return MANIFEST_ABSENT;
	}
	return v;
}

/* A whole count; MANIFEST_ABSENT (with a warning) if it is not one. */
static int64_t
count(struct xr *x, const char *what)
{
	const char	*s = text(x);
	int64_t		 v;

	if (s == NULL)
		return MANIFEST_ABSENT;
	if (value_count_parse(s, strlen(s), &v) == 0)
		return v;
	xr_diag(x, DIAG_WARNING, "BAD_NUMBER", "%s \"%.40s\" is not a whole number",
	    what, s);
	return MANIFEST_ABSENT;
}

/* An RFC 3339 time; MANIFEST_ABSENT (with a warning) otherwise. */
static int64_t
when(struct xr *x, const char *what)
{
	const char	*s = text(x);
	int64_t		 v;

	if (s == NULL)
		return MANIFEST_ABSENT;
	if (value_time_parse(s, strlen(s), &v) == 0)
		return v;
	xr_diag(x, DIAG_WARNING, "BAD_DATE", "%s \"%.40s\" is not an RFC 3339 "
	    "date-time", what, s);
	return MANIFEST_ABSENT;
}

/* Head and Declaration values. */
static void
leaf_header(struct xr *x, enum xctx p, const char *n)
{
	const struct xnames	*nm = &x->nm;

	struct manifest_train	*t = x->t;
	const char		*s;

	if (p == X_HEAD && n == nm->FunctionCode) {
		s = text(x);
		if (s != NULL && strcmp(s, "5") == 0)
			t->function = MANIFEST_REPLACE;
		else if (s != NULL && strcmp(s, "1") == 0)
			t->function = MANIFEST_CANCEL;
		else if (s == NULL || strcmp(s, "9") != 0)
			xr_diag(x, DIAG_WARNING, "MESSAGE_FUNCTION", "FunctionCode "
			    "\"%.8s\" is not 9, 5 or 1: read as original",
			    s != NULL ? s : "");
	} else if (p == X_HEAD && n == nm->SendDateTime)
		t->issued = when(x, "SendDateTime");
	else if (p == X_DECL && n == nm->ID)
		t->manifest_ref = text(x);
	else if (p == X_DECL && n == nm->DirectionCode) {
		s = text(x);
		if (s == NULL || manifest_direction_parse(s, &t->direction) < 0)
			xr_diag(x, DIAG_WARNING, "DIRECTION", "DirectionCode \"%.16s\" "
			    "is not import, export or transit", s != NULL ? s : "");
	}
}

/* BorderTransportMeans values. */
static void
leaf_transport(struct xr *x, const char *n)
{
	const struct xnames	*nm = &x->nm;

	struct manifest_train	*t = x->t;
	const char		*s;

	if (n == nm->JourneyID) {
		t->id = text(x);
		t->id_src = (struct manifest_src){ DIAG_NO_OFFSET, xr_line(x), "" };
	}
	else if (n == nm->ModeCode) {
		s = text(x);
		if (t->transport_mode == NULL)
			t->transport_mode = s;
		if (s == NULL || strcmp(s, "2") != 0)
			xr_diag(x, DIAG_ERROR, "TRANSPORT_MODE", "ModeCode \"%.8s\" is "
			    "not 2 (rail): this is not a train manifest",
			    s != NULL ? s : "");
	} else if (n == nm->BorderStationID)
		t->border_station = text(x);
	else if (n == nm->DepartureStationID)
		t->departure_station = text(x);
	else if (n == nm->DestinationStationID)
		t->destination_station = text(x);
	else if (n == nm->EstimatedArrivalDateTime)
		t->eta = when(x, n);
	else if (n == nm->ActualArrivalDateTime)
		t->ata = when(x, n);
}

/* Party values. */
static void
leaf_party(struct xr *x, struct manifest_party *p, const char *n)
{
	const struct xnames	*nm = &x->nm;

	if (n == nm->ID)
		p->id = text(x);
	else if (n == nm->Name)
		p->name = text(x);
	else if (n == nm->CountryCode)
		p->country = text(x);
	else if (n == nm->AEO)
		p->aeo = text(x);
}

/* Wagon, container and seal values. */
static void
leaf_equipment(struct xr *x, const struct xml_frame *f, const char *n)
{
	const struct xnames	*nm = &x->nm;

	const char	*s;

	if (f->ctx == X_WAGON) {
		struct manifest_wagon *w = f->obj;

		if (n == nm->ID) {
			s = text(x);
			if (s != NULL && (w->number != NULL ||
			    manifest_train_find_wagon(x->t, s) != NULL))
				xr_refuse(x, "DUPLICATE_WAGON", "wagon %.40s is "
				    "listed twice: a wagon is one vehicle, named "
				    "by one number in every decision and notice",
				    s);
			else
				manifest_wagon_set_number(x->t, w, s);
		} else if (n == nm->TypeCode)
			w->type = text(x);
		else if (n == nm->TareMassMeasure)
			w->tare_kg = mass(x, n);
		else if (n == nm->SequenceNumeric) {
			int64_t seq = count(x, n);

			if (seq != MANIFEST_ABSENT && seq != w->position)
				xr_diag(x, DIAG_WARNING, "SEQUENCE", "wagon %u in "
				    "document order says SequenceNumeric %lld",
				    w->position, (long long)seq);
		}
	} else if (f->ctx == X_CONTAINER) {
		struct manifest_container *c = f->obj;

		if (n == nm->ID) {
			s = text(x);
			if (s != NULL && (c->number != NULL ||
			    manifest_train_find_container(x->t, s) != NULL))
				xr_refuse(x, "DUPLICATE_CONTAINER", "container "
				    "%.40s is listed twice: a container is on one "
				    "wagon", s);
			else
				manifest_container_set_number(x->t, c, s);
		} else if (n == nm->CharacteristicCode)
			c->size_type = text(x);
		else if (n == nm->GrossMassMeasure)
			c->gross_kg = mass(x, n);
		else if (n == nm->FullnessCode) {
			s = text(x);
			if (s != NULL && strcmp(s, "4") == 0)
				c->full = false;
			else if (s == NULL || (strcmp(s, "5") != 0 &&
			    strcmp(s, "7") != 0 && strcmp(s, "8") != 0))
				xr_diag(x, DIAG_WARNING, "FULL_EMPTY", "FullnessCode "
				    "\"%.8s\" is not 4, 5, 7 or 8: read as full",
				    s != NULL ? s : "");
		}
	} else if (f->ctx == X_SEAL) {
		struct manifest_seal *sl = f->obj;

		s = text(x);
		if (n == nm->ID)
			sl->number = s;
		else if (n == nm->SealingPartyCode)
			sl->sealed_by = s == NULL ? MANIFEST_SEALER_CARRIER :
			    strcmp(s, "CA") == 0 ? MANIFEST_SEALER_CARRIER :
			    strcmp(s, "CU") == 0 ? MANIFEST_SEALER_CUSTOMS :
			    strcmp(s, "SH") == 0 ? MANIFEST_SEALER_SHIPPER :
			    MANIFEST_SEALER_OTHER;
		else if (n == nm->ConditionCode) {
			if (s != NULL && strcmp(s, "2") == 0)
				sl->condition = MANIFEST_SEAL_DAMAGED;
			else if (s == NULL || strcmp(s, "1") != 0)
				xr_diag(x, DIAG_WARNING, "SEAL_CONDITION",
				    "ConditionCode \"%.8s\" is not 1 or 2",
				    s != NULL ? s : "");
		}
	}
}

/* Consignment values (its transport contract's ID is its reference). */
static void
leaf_consignment(struct xr *x, const struct xml_frame *f, const char *n)
{
	const struct xnames		*nm = &x->nm;
	struct manifest_consignment	*c = f->obj;
	const char			*s;

	if (f->ctx == X_CONTRACT) {
		c->ref = text(x);
	} else if (n == nm->ProcedureCode) {
		s = text(x);
		if (s != NULL && manifest_procedure_is_ecommerce_code(s,
		    strlen(s)))
			c->procedure = MANIFEST_PROC_ECOMMERCE;
		else if (s == NULL ||
		    manifest_procedure_parse(s, &c->procedure) < 0)
			xr_diag(x, DIAG_WARNING, "PROCEDURE", "ProcedureCode "
			    "\"%.16s\" is not import, export, transit, "
			    "ecommerce or an e-commerce supervision code", s != NULL ?
			    s : "");
	} else if (n == nm->ValueAmount) {
		c->value = decimal(x, n);
		if (x->unit[0] != '\0')
			c->currency = manifest_str(x->t, x->unit,
			    strlen(x->unit));
	}
}

/* Commodity values of a goods item. */
static void
leaf_commodity(struct xr *x, struct manifest_item *it, const char *n)
{
	const struct xnames	*nm = &x->nm;
	const char		*s;
	char			 hs[IDENT_HS_MAX + 1];

	if (n == nm->Description) {
		s = text(x);
		it->description = s != NULL ? manifest_str_shared(x->t, s,
		    strlen(s)) : NULL;
	} else if (n == nm->ClassificationID) {
		s = text(x);
		if (s != NULL && ident_hs_normalise(s, strlen(s), hs) == 0)
			it->hs = manifest_str(x->t, hs, strlen(hs));
		else if (s != NULL)
			xr_diag(x, DIAG_WARNING, "HS_CODE", "\"%.20s\" is not "
			    "an HS code of 6 to 10 digits", s);
	} else if (n == nm->UNDGCode)
		it->un_number = text(x);
}

/* TrackingID: the parcel's tracking number; a second one is reported. */
static void
set_tracking(struct xr *x, struct manifest_item *it)
{
	const char		*s = text(x);
	struct manifest_src	 src;

	if (s == NULL)
		return;
	if (it->tracking != NULL) {
		xr_diag(x, DIAG_WARNING, "TRACKING_REPEATED", "goods item %u "
		    "has a second TrackingID %.40s: %s is kept", it->seq, s,
		    it->tracking);
		return;
	}
	it->tracking = s;
	src = (struct manifest_src){ DIAG_NO_OFFSET, xr_line(x), "" };
	manifest_item_set_tracking_src(it, &src);
}

/* Goods item values, its packaging, documents and placements. */
static void
leaf_goods(struct xr *x, const struct xml_frame *f, const char *n)
{
	const struct xnames	*nm = &x->nm;
	struct manifest_item	*it = f->obj;

	switch (f->ctx) {
	case X_ITEM:
		if (n == nm->SequenceNumeric) {
			int64_t seq = count(x, n);

			if (seq != MANIFEST_ABSENT && seq <= UINT32_MAX)
				it->seq = (uint32_t)seq;
		} else if (n == nm->GrossMassMeasure)
			it->gross_kg = mass(x, n);
		else if (n == nm->NetMassMeasure)
			it->net_kg = mass(x, n);
		else if (n == nm->ValueAmount) {
			it->value = decimal(x, n);
			if (x->unit[0] != '\0')
				it->currency = manifest_str(x->t, x->unit,
				    strlen(x->unit));
		} else if (n == nm->OriginCountryCode)
			it->origin = text(x);
		else if (n == nm->TrackingID)
			set_tracking(x, it);
		break;
	case X_COMMODITY:
		leaf_commodity(x, it, n);
		break;
	case X_PACKAGING:
		if (n == nm->QuantityQuantity)
			it->packages = count(x, n);
		else if (n == nm->TypeCode)
			it->package_type = text(x);
		break;
	case X_DOC:
		if (n == nm->TypeCode)
			((struct manifest_document *)f->obj)->type = text(x);
		else if (n == nm->ID)
			((struct manifest_document *)f->obj)->id = text(x);
		break;
	case X_PLACEMENT:
		if (n == nm->EquipmentID)
			manifest_placement_set_number(f->obj, text(x));
		else if (n == nm->PackageQuantity)
			((struct manifest_placement *)f->obj)->packages =
			    count(x, n);
		break;
	default:
		break;
	}
}

/* A value element closed: its text goes where its parent says. */
void
xml_element_leaf(struct xr *x, const struct xml_frame *parent, const char *n)
{
	switch (parent->ctx) {
	case X_HEAD:
	case X_DECL:
		leaf_header(x, parent->ctx, n);
		break;
	case X_BTM:
		leaf_transport(x, n);
		break;
	case X_CARRIER:
	case X_PARTY:
		leaf_party(x, parent->obj, n);
		break;
	case X_WAGON:
	case X_CONTAINER:
	case X_SEAL:
		leaf_equipment(x, parent, n);
		break;
	case X_CONS:
	case X_CONTRACT:
		leaf_consignment(x, parent, n);
		break;
	default:
		leaf_goods(x, parent, n);
		break;
	}
}
