/*
 * xml_read.c -- the XML manifest reader on libxml2's xmlTextReader.
 *
 * The reader streams: a frame per open element records what it is (a
 * wagon, a seal, a goods item...) and the model object it fills; text is
 * gathered while an element is open and applied when it closes, so the
 * free element order of the profile needs no look-ahead.  A wagon or
 * container is added when its element opens and named when its ID
 * closes.
 *
 * Hardening (libxml2 2.9.14 has neither XML_PARSE_NO_XXE nor entity
 * amplification limits): XML_PARSE_NONET always, never NOENT, DTDLOAD,
 * DTDATTR, DTDVALID, XINCLUDE or HUGE; a DOCTYPE refuses the document
 * before any entity could be used; an external-entity loader that refuses
 * everything; limits on size, depth, elements and text.  What is refused
 * from the bytes alone, before libxml2 sees them, is xml_prescan.c's.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>


#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "ident.h"
#include "value.h"
#include "xml.h"
#include "xml_error.h"
#include "xml_prescan.h"

#define XML_MAX_FRAMES	256
#define XINCLUDE_NS	"http://www.w3.org/2001/XInclude"
#define XINCLUDE_NS_2003 "http://www.w3.org/2003/XInclude"	/* libxml2 knows it too */
#define UNKNOWN_SLOTS	512	/* > max_unknown_names' default, a power of two */

enum xctx {
	X_SKIP,		/* an unknown element and everything inside it */
	X_ROOT,		/* before the root */
	X_MANIFEST,
	X_HEAD,
	X_DECL,
	X_BTM,
	X_CARRIER,
	X_WAGON,
	X_SEAL,
	X_CONTAINER,
	X_CONS,
	X_CONTRACT,	/* TransportContractDocument */
	X_PARTY,
	X_ITEM,
	X_COMMODITY,
	X_PACKAGING,
	X_DOC,
	X_PLACEMENT,
	X_LEAF,		/* a value element */
};

/* The profile's element names in the reader's dictionary: compared by pointer. */
struct xnames {
	const char	*AEO;
	const char	*ActualArrivalDateTime;
	const char	*AdditionalDocument;
	const char	*BorderStationID;
	const char	*BorderTransportMeans;
	const char	*Carrier;
	const char	*CharacteristicCode;
	const char	*ClassificationID;
	const char	*Commodity;
	const char	*ConditionCode;
	const char	*Consignee;
	const char	*Consignment;
	const char	*ConsignmentItem;
	const char	*Consignor;
	const char	*Container;
	const char	*CountryCode;
	const char	*Declarant;
	const char	*Declaration;
	const char	*DepartureStationID;
	const char	*Description;
	const char	*DestinationStationID;
	const char	*DirectionCode;
	const char	*EquipmentID;
	const char	*EstimatedArrivalDateTime;
	const char	*FullnessCode;
	const char	*FunctionCode;
	const char	*GrossMassMeasure;
	const char	*Head;
	const char	*ID;
	const char	*JourneyID;
	const char	*Manifest;
	const char	*MessageID;
	const char	*ModeCode;
	const char	*Name;
	const char	*NetMassMeasure;
	const char	*OriginCountryCode;
	const char	*PackageQuantity;
	const char	*Packaging;
	const char	*Placement;
	const char	*ProcedureCode;
	const char	*QuantityQuantity;
	const char	*ReceiverID;
	const char	*Seal;
	const char	*SealingPartyCode;
	const char	*SendDateTime;
	const char	*SenderID;
	const char	*SequenceNumeric;
	const char	*TareMassMeasure;
	const char	*TransportContractDocument;
	const char	*TypeCode;
	const char	*UNDGCode;
	const char	*ValueAmount;
	const char	*Wagon;
};

struct frame {
	enum xctx	 ctx;
	void		*obj;
	const char	*name;		/* the element's local name (libxml2 dictionary) */
};

struct xr {
	struct manifest_train	*t;
	xmlTextReaderPtr	 r;
	struct xml_limits	 lim;
	struct frame		 stack[XML_MAX_FRAMES];
	int			 depth;
	size_t			 elements;
	struct buf		 text;
	char			 unit[16];	/* unitCode / currencyID of the leaf */
	bool			 refused;
	bool			 root_seen;
	const char		*ns;		/* XML_NAMESPACE in the reader's dictionary */
	struct xnames		 nm;
	/* Distinct names of skipped elements, interned by the reader. */
	const char		*unknown[UNKNOWN_SLOTS];
	size_t			 nunknown;
};

static pthread_once_t	loader_once = PTHREAD_ONCE_INIT;

void
xml_error_text(const xmlError *e, const char *fallback, char *out, size_t size)
{
	size_t	n;
	char	*c;

	snprintf(out, size, "%s", e->message != NULL ? e->message : fallback);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	for (c = out; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

/* Refuses every external entity, DTD and document. */
static xmlParserInputPtr
refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

static void
install_loader(void)
{
	xmlSetExternalEntityLoader(refuse_loader);
}

void
xml_limits_default(struct xml_limits *l)
{
	l->max_depth = 64;
	l->max_elements = 50000000;
	l->max_text = 1 << 20;
	l->max_document = (size_t)1 << 30;
	l->max_attributes = 64;
	l->max_unknown_names = 256;
}

/* The line of the current node (the parser itself may be further on). */
static uint32_t
line(struct xr *x)
{
	xmlNodePtr	cur;
	long		n = 0;

	if (x->r == NULL)
		return 0;
	if ((cur = xmlTextReaderCurrentNode(x->r)) != NULL)
		n = xmlGetLineNo(cur);
	if (n <= 0)
		n = xmlTextReaderGetParserLineNumber(x->r);
	return n > 0 ? (uint32_t)n : 0;
}

/* A diagnostic at the current line. */
static void xdiag(struct xr *, enum diag_severity, const char *, const char *,
    ...) __attribute__((format(printf, 4, 5)));

static void
xdiag(struct xr *x, enum diag_severity sev, const char *code, const char *fmt,
    ...)
{
	struct diag_loc	loc = diag_loc_line(NULL, line(x), 0);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(&x->t->diags, sev, code, &loc, fmt, ap);
	va_end(ap);
}

/* Refuses the document with an error at the current line. */
static void xrefuse(struct xr *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
xrefuse(struct xr *x, const char *code, const char *fmt, ...)
{
	struct diag_loc	loc = diag_loc_line(NULL, line(x), 0);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(&x->t->diags, DIAG_ERROR, code, &loc, fmt, ap);
	va_end(ap);
	x->refused = true;
}

/* libxml2's own errors (malformed XML, bad encoding) as diagnostics. */
static void
error_cb(void *arg, xmlErrorPtr e)
{
	struct xr	*x = arg;
	struct diag_loc	 loc;
	char		 msg[512];

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	xml_error_text(e, "malformed XML", msg, sizeof msg);
	loc = diag_loc_line(NULL, e->line > 0 ? (uint32_t)e->line : line(x),
	    e->int2 > 0 ? (uint32_t)e->int2 : 0);
	diag_add(&x->t->diags, DIAG_ERROR, "XML_MALFORMED", &loc, "%s", msg);
	x->refused = true;
}

/* The child context of an element named n inside a parent of context p. */
static enum xctx
child_ctx(const struct xnames *nm, enum xctx p, const char *n)
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
		    n == nm->OriginCountryCode ? X_LEAF : X_SKIP;
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
static void *
open_object(struct xr *x, enum xctx ctx, const struct frame *parent,
    const char *name)
{
	struct manifest_train	*t = x->t;
	struct manifest_src	 src = { DIAG_NO_OFFSET, line(x), "" };

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

		p->src = src;
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
			xdiag(x, DIAG_WARNING, "DECIMAL_ROUNDED",
			    "%s \"%s\" has more than 3 decimals: rounded", what, s);
			return v;
		default:
			break;
		}
	}
	xdiag(x, DIAG_WARNING, "BAD_NUMBER", "%s \"%.40s\" is not a decimal "
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
		xdiag(x, DIAG_WARNING, "BAD_UNIT", "%s in \"%s\": a mass is in KGM "
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
	xdiag(x, DIAG_WARNING, "BAD_NUMBER", "%s \"%.40s\" is not a whole number",
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
	xdiag(x, DIAG_WARNING, "BAD_DATE", "%s \"%.40s\" is not an RFC 3339 "
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
			xdiag(x, DIAG_WARNING, "MESSAGE_FUNCTION", "FunctionCode "
			    "\"%.8s\" is not 9, 5 or 1: read as original",
			    s != NULL ? s : "");
	} else if (p == X_HEAD && n == nm->SendDateTime)
		t->issued = when(x, "SendDateTime");
	else if (p == X_DECL && n == nm->ID)
		t->manifest_ref = text(x);
	else if (p == X_DECL && n == nm->DirectionCode) {
		s = text(x);
		if (s == NULL || manifest_direction_parse(s, &t->direction) < 0)
			xdiag(x, DIAG_WARNING, "DIRECTION", "DirectionCode \"%.16s\" "
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
		t->id_src = (struct manifest_src){ DIAG_NO_OFFSET, line(x), "" };
	}
	else if (n == nm->ModeCode) {
		s = text(x);
		if (s == NULL || strcmp(s, "2") != 0)
			xdiag(x, DIAG_ERROR, "TRANSPORT_MODE", "ModeCode \"%.8s\" is "
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
leaf_equipment(struct xr *x, const struct frame *f, const char *n)
{
	const struct xnames	*nm = &x->nm;

	const char	*s;

	if (f->ctx == X_WAGON) {
		struct manifest_wagon *w = f->obj;

		if (n == nm->ID) {
			s = text(x);
			if (s != NULL && (w->number != NULL ||
			    manifest_train_find_wagon(x->t, s) != NULL))
				xrefuse(x, "DUPLICATE_WAGON", "wagon %.40s is "
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
				xdiag(x, DIAG_WARNING, "SEQUENCE", "wagon %u in "
				    "document order says SequenceNumeric %lld",
				    w->position, (long long)seq);
		}
	} else if (f->ctx == X_CONTAINER) {
		struct manifest_container *c = f->obj;

		if (n == nm->ID) {
			s = text(x);
			if (s != NULL && (c->number != NULL ||
			    manifest_train_find_container(x->t, s) != NULL))
				xrefuse(x, "DUPLICATE_CONTAINER", "container "
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
				xdiag(x, DIAG_WARNING, "FULL_EMPTY", "FullnessCode "
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
				xdiag(x, DIAG_WARNING, "SEAL_CONDITION",
				    "ConditionCode \"%.8s\" is not 1 or 2",
				    s != NULL ? s : "");
		}
	}
}

/* Consignment and goods item values. */
static void
leaf_goods(struct xr *x, const struct frame *f, const char *n)
{
	const struct xnames	*nm = &x->nm;

	struct manifest_consignment	*c;
	struct manifest_item		*it;
	const char			*s;
	char				 hs[IDENT_HS_MAX + 1];

	switch (f->ctx) {
	case X_CONS:
		c = f->obj;
		if (n == nm->ProcedureCode) {
			s = text(x);
			if (s == NULL || manifest_procedure_parse(s,
			    &c->procedure) < 0)
				xdiag(x, DIAG_WARNING, "PROCEDURE", "ProcedureCode "
				    "\"%.16s\" is not import, export, transit or "
				    "ecommerce", s != NULL ? s : "");
		} else if (n == nm->ValueAmount) {
			c->value = decimal(x, n);
			if (x->unit[0] != '\0')
				c->currency = manifest_str(x->t, x->unit,
				    strlen(x->unit));
		}
		break;
	case X_CONTRACT:
		((struct manifest_consignment *)f->obj)->ref = text(x);
		break;
	case X_ITEM:
		it = f->obj;
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
		break;
	case X_COMMODITY:
		it = f->obj;
		if (n == nm->Description) {
			s = text(x);
			it->description = s != NULL ? manifest_str_shared(x->t, s,
			    strlen(s)) : NULL;
		} else if (n == nm->ClassificationID) {
			s = text(x);
			if (s != NULL && ident_hs_normalise(s, strlen(s), hs) == 0)
				it->hs = manifest_str(x->t, hs, strlen(hs));
			else if (s != NULL)
				xdiag(x, DIAG_WARNING, "HS_CODE", "\"%.20s\" is not "
				    "an HS code of 6 to 10 digits", s);
		} else if (n == nm->UNDGCode)
			it->un_number = text(x);
		break;
	case X_PACKAGING:
		it = f->obj;
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
			((struct manifest_placement *)f->obj)->equipment = text(x);
		else if (n == nm->PackageQuantity)
			((struct manifest_placement *)f->obj)->packages =
			    count(x, n);
		break;
	default:
		break;
	}
}

/* A value element closed: its text goes where its parent says. */
static void
leaf_done(struct xr *x, const struct frame *parent, const char *n)
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
	default:
		leaf_goods(x, parent, n);
		break;
	}
}

/*
 * Counts a skipped element's name; false (and the document refused) past
 * max_unknown_names distinct ones.  A manifest's extensions use a few
 * names; a hundred thousand distinct ones only grow the reader's name
 * dictionary.  Names are interned, so the pointer identifies the name.
 */
static bool
unknown_name_seen(struct xr *x, const char *name)
{
	size_t	i = ((uintptr_t)name >> 4) & (UNKNOWN_SLOTS - 1);
	size_t	max = x->lim.max_unknown_names;

	/* Half full at most, so that a free slot always ends the probe. */
	if (max > UNKNOWN_SLOTS / 2)
		max = UNKNOWN_SLOTS / 2;

	for (; x->unknown[i] != NULL; i = (i + 1) & (UNKNOWN_SLOTS - 1))
		if (x->unknown[i] == name)
			return true;
	if (x->nunknown >= max) {
		xrefuse(x, "XML_LIMIT", "more than %zu distinct element names "
		    "outside the profile", max);
		return false;
	}
	x->unknown[i] = name;
	x->nunknown++;
	return true;
}

/* An element opens. */
static void
element_start(struct xr *x)
{
	const char	*name = (const char *)xmlTextReaderConstLocalName(x->r);
	const char	*ns = (const char *)xmlTextReaderConstNamespaceUri(x->r);
	struct frame	*parent = &x->stack[x->depth], *f;
	enum xctx	 ctx;
	xmlChar		*a;

	if (++x->elements > x->lim.max_elements) {
		xrefuse(x, "XML_LIMIT", "more than %zu elements (the element "
		    "limit)", x->lim.max_elements);
		return;
	}
	if ((size_t)x->depth + 1 > x->lim.max_depth || x->depth + 1 >=
	    XML_MAX_FRAMES) {
		xrefuse(x, "XML_LIMIT", "elements nested deeper than %zu (the "
		    "depth limit)", x->lim.max_depth);
		return;
	}
	if (ns != NULL && (strcmp(ns, XINCLUDE_NS) == 0 ||
	    strcmp(ns, XINCLUDE_NS_2003) == 0)) {
		xrefuse(x, "XML_FORBIDDEN", "XInclude is not accepted");
		return;
	}
	if (name == NULL)
		name = "";
	if (parent->ctx == X_SKIP)
		ctx = X_SKIP;
	else if (ns != x->ns && (ns == NULL || strcmp(ns, XML_NAMESPACE) != 0))
		ctx = X_SKIP;	/* names are interned: the pointer test decides */
	else
		ctx = child_ctx(&x->nm, parent->ctx, name);
	if (parent->ctx == X_ROOT && ctx != X_MANIFEST) {
		xrefuse(x, "NOT_A_MANIFEST", "the root element is {%s}%s, not a "
		    "railgate manifest ({%s}Manifest)", ns != NULL ? ns : "", name,
		    XML_NAMESPACE);
		return;
	}
	if (ctx == X_SKIP && parent->ctx != X_SKIP)
		xdiag(x, DIAG_WARNING, "UNKNOWN_ELEMENT", "element %s is not part "
		    "of the profile here: skipped", name);
	if (ctx == X_SKIP && !unknown_name_seen(x, name))
		return;
	f = &x->stack[++x->depth];
	f->ctx = ctx;
	f->name = name;
	f->obj = ctx == X_SKIP || ctx == X_LEAF ? parent->obj :
	    open_object(x, ctx, parent, name);
	buf_reset(&x->text);
	x->unit[0] = '\0';
	/* Only measures and amounts carry an attribute railgate reads. */
	if (ctx == X_LEAF && (name == x->nm.TareMassMeasure ||
	    name == x->nm.GrossMassMeasure || name == x->nm.NetMassMeasure ||
	    name == x->nm.ValueAmount)) {
		a = xmlTextReaderGetAttribute(x->r, (const xmlChar *)"unitCode");
		if (a == NULL)
			a = xmlTextReaderGetAttribute(x->r,
			    (const xmlChar *)"currencyID");
		if (a != NULL) {
			size_t n = strlen((char *)a);

			n = n < sizeof x->unit - 1 ? n : sizeof x->unit - 1;
			memcpy(x->unit, a, n);
			x->unit[n] = '\0';
			xmlFree(a);
		}
	}
}

/* The open element closes. */
static void
element_end(struct xr *x)
{
	struct frame	*f = &x->stack[x->depth];

	if (x->depth == 0)
		return;
	if (f->ctx == X_LEAF)
		leaf_done(x, &x->stack[x->depth - 1], f->name);
	x->depth--;
	buf_reset(&x->text);
}

/* Text inside an element. */
static void
text_node(struct xr *x)
{
	const char	*v = (const char *)xmlTextReaderConstValue(x->r);
	size_t		 n = v != NULL ? strlen(v) : 0;

	if (x->stack[x->depth].ctx != X_LEAF) {
		/* Skipped text obeys the same limit as text that is read. */
		if (n > x->lim.max_text)
			xrefuse(x, "XML_LIMIT", "a text node longer than %zu bytes "
			    "(the text limit)", x->lim.max_text);
		return;
	}
	if (x->text.len + n > x->lim.max_text) {
		xrefuse(x, "XML_LIMIT", "a text node longer than %zu bytes (the "
		    "text limit)", x->lim.max_text);
		return;
	}
	buf_add(&x->text, v, n);
}

/* One node of the stream. */
static void
read_node(struct xr *x)
{
	switch (xmlTextReaderNodeType(x->r)) {
	case XML_READER_TYPE_DOCUMENT_TYPE:
		xrefuse(x, "XML_FORBIDDEN", "a DOCTYPE is not accepted: manifests "
		    "carry no DTD and no entities");
		break;
	case XML_READER_TYPE_ENTITY_REFERENCE:
	case XML_READER_TYPE_ENTITY:
		xrefuse(x, "XML_FORBIDDEN", "entities are not accepted");
		break;
	case XML_READER_TYPE_ELEMENT:
		x->root_seen = true;
		element_start(x);
		if (!x->refused && xmlTextReaderIsEmptyElement(x->r))
			element_end(x);
		break;
	case XML_READER_TYPE_END_ELEMENT:
		element_end(x);
		break;
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		text_node(x);
		break;
	default:
		break;
	}
}

int
xml_parse(const char *data, size_t len, const struct xml_limits *limits,
    struct manifest_train *t)
{
	struct xr	 x;
	struct diag_loc	 loc;
	uint32_t	 at;
	bool		 long_run;
	int		 rc = 0;

	memset(&x, 0, sizeof x);
	x.t = t;
	if (limits != NULL)
		x.lim = *limits;
	else
		xml_limits_default(&x.lim);
	t->source = MANIFEST_SOURCE_XML;
	x.stack[0].ctx = X_ROOT;
	if (len > x.lim.max_document || len > INT32_MAX) {
		xrefuse(&x, "XML_LIMIT", "the document is larger than %zu bytes "
		    "(the size limit)", x.lim.max_document);
		return -1;
	}
	if (xml_prolog_refuse(data, len, &t->diags) < 0)
		return -1;
	if ((at = xml_tag_scan(data, len, x.lim.max_attributes, x.lim.max_text,
	    &long_run)) != 0) {
		loc = diag_loc_line(NULL, at, 0);
		if (long_run)
			diag_add(&t->diags, DIAG_ERROR, "XML_LIMIT", &loc, "a start "
			    "tag or text longer than %zu bytes (the text limit)",
			    x.lim.max_text);
		else
			diag_add(&t->diags, DIAG_ERROR, "XML_LIMIT", &loc, "a start "
			    "tag with more than %zu attributes (namespace "
			    "declarations count)", x.lim.max_attributes);
		return -1;
	}
	pthread_once(&loader_once, install_loader);
	x.r = xmlReaderForMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
	    XML_PARSE_NOBLANKS | XML_PARSE_COMPACT);
	if (x.r == NULL) {
		xrefuse(&x, "XML_MALFORMED", "the document cannot be read as XML");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(x.r, error_cb, &x);
	x.ns = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)XML_NAMESPACE);
	x.nm.AEO = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"AEO");
	x.nm.ActualArrivalDateTime = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ActualArrivalDateTime");
	x.nm.AdditionalDocument = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"AdditionalDocument");
	x.nm.BorderStationID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"BorderStationID");
	x.nm.BorderTransportMeans = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"BorderTransportMeans");
	x.nm.Carrier = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Carrier");
	x.nm.CharacteristicCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"CharacteristicCode");
	x.nm.ClassificationID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ClassificationID");
	x.nm.Commodity = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Commodity");
	x.nm.ConditionCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ConditionCode");
	x.nm.Consignee = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Consignee");
	x.nm.Consignment = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Consignment");
	x.nm.ConsignmentItem = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ConsignmentItem");
	x.nm.Consignor = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Consignor");
	x.nm.Container = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Container");
	x.nm.CountryCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"CountryCode");
	x.nm.Declarant = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Declarant");
	x.nm.Declaration = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Declaration");
	x.nm.DepartureStationID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"DepartureStationID");
	x.nm.Description = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Description");
	x.nm.DestinationStationID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"DestinationStationID");
	x.nm.DirectionCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"DirectionCode");
	x.nm.EquipmentID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"EquipmentID");
	x.nm.EstimatedArrivalDateTime = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"EstimatedArrivalDateTime");
	x.nm.FullnessCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"FullnessCode");
	x.nm.FunctionCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"FunctionCode");
	x.nm.GrossMassMeasure = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"GrossMassMeasure");
	x.nm.Head = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Head");
	x.nm.ID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ID");
	x.nm.JourneyID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"JourneyID");
	x.nm.Manifest = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Manifest");
	x.nm.MessageID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"MessageID");
	x.nm.ModeCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ModeCode");
	x.nm.Name = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Name");
	x.nm.NetMassMeasure = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"NetMassMeasure");
	x.nm.OriginCountryCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"OriginCountryCode");
	x.nm.PackageQuantity = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"PackageQuantity");
	x.nm.Packaging = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Packaging");
	x.nm.Placement = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Placement");
	x.nm.ProcedureCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ProcedureCode");
	x.nm.QuantityQuantity = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"QuantityQuantity");
	x.nm.ReceiverID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ReceiverID");
	x.nm.Seal = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Seal");
	x.nm.SealingPartyCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"SealingPartyCode");
	x.nm.SendDateTime = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"SendDateTime");
	x.nm.SenderID = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"SenderID");
	x.nm.SequenceNumeric = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"SequenceNumeric");
	x.nm.TareMassMeasure = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"TareMassMeasure");
	x.nm.TransportContractDocument = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"TransportContractDocument");
	x.nm.TypeCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"TypeCode");
	x.nm.UNDGCode = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"UNDGCode");
	x.nm.ValueAmount = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"ValueAmount");
	x.nm.Wagon = (const char *)xmlTextReaderConstString(x.r,
	    (const xmlChar *)"Wagon");
	while (!x.refused && (rc = xmlTextReaderRead(x.r)) == 1)
		read_node(&x);
	if (!x.refused && rc < 0)
		xrefuse(&x, "XML_MALFORMED", "the document is not well-formed XML");
	if (!x.refused && !x.root_seen)
		xrefuse(&x, "NOT_A_MANIFEST", "the document has no root element");
	xmlFreeTextReader(x.r);
	x.r = NULL;
	buf_free(&x.text);
	if (!x.refused && t->id == NULL)
		xrefuse(&x, "TRAIN_ID_MISSING", "the manifest names no train "
		    "(BorderTransportMeans/JourneyID)");
	if (!x.refused && manifest_train_check_number(t) < 0)
		x.refused = true;
	if (x.refused)
		return -1;
	manifest_train_finish(t);
	return 0;
}
