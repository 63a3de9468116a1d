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
 * everything; limits on size, depth, elements and text.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "ident.h"
#include "value.h"
#include "xml.h"

#define XML_MAX_FRAMES	256
#define XINCLUDE_NS	"http://www.w3.org/2001/XInclude"

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
};

static pthread_once_t	loader_once = PTHREAD_ONCE_INIT;

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
	struct diag_loc	 loc = diag_loc_line(NULL, line(x), 0);
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(&x->t->diags, sev, code, &loc, "%s", msg);
	free(msg);
}

/* Refuses the document with an error at the current line. */
static void xrefuse(struct xr *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
xrefuse(struct xr *x, const char *code, const char *fmt, ...)
{
	struct diag_loc	 loc = diag_loc_line(NULL, line(x), 0);
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(&x->t->diags, DIAG_ERROR, code, &loc, "%s", msg);
	free(msg);
	x->refused = true;
}

/* libxml2's own errors (malformed XML, bad encoding) as diagnostics. */
static void
error_cb(void *arg, xmlErrorPtr e)
{
	struct xr	*x = arg;
	struct diag_loc	 loc;
	char		 msg[512];
	size_t		 n;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof msg, "%s", e->message != NULL ? e->message :
	    "malformed XML");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *c = msg; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	loc = diag_loc_line(NULL, e->line > 0 ? (uint32_t)e->line : line(x),
	    e->int2 > 0 ? (uint32_t)e->int2 : 0);
	diag_add(&x->t->diags, DIAG_ERROR, "XML_MALFORMED", &loc, "%s", msg);
	x->refused = true;
}

/* The child context of an element named n inside a parent of context p. */
static enum xctx
child_ctx(enum xctx p, const char *n)
{
	switch (p) {
	case X_ROOT:
		return strcmp(n, "Manifest") == 0 ? X_MANIFEST : X_SKIP;
	case X_MANIFEST:
		return strcmp(n, "Head") == 0 ? X_HEAD :
		    strcmp(n, "Declaration") == 0 ? X_DECL : X_SKIP;
	case X_HEAD:
		return strcmp(n, "MessageID") == 0 || strcmp(n, "FunctionCode") == 0 ||
		    strcmp(n, "SenderID") == 0 || strcmp(n, "ReceiverID") == 0 ||
		    strcmp(n, "SendDateTime") == 0 ? X_LEAF : X_SKIP;
	case X_DECL:
		return strcmp(n, "ID") == 0 || strcmp(n, "DirectionCode") == 0 ?
		    X_LEAF : strcmp(n, "BorderTransportMeans") == 0 ? X_BTM :
		    strcmp(n, "Consignment") == 0 ? X_CONS : X_SKIP;
	case X_BTM:
		return strcmp(n, "Carrier") == 0 ? X_CARRIER :
		    strcmp(n, "Wagon") == 0 ? X_WAGON :
		    strcmp(n, "JourneyID") == 0 || strcmp(n, "ModeCode") == 0 ||
		    strcmp(n, "BorderStationID") == 0 ||
		    strcmp(n, "DepartureStationID") == 0 ||
		    strcmp(n, "DestinationStationID") == 0 ||
		    strcmp(n, "EstimatedArrivalDateTime") == 0 ||
		    strcmp(n, "ActualArrivalDateTime") == 0 ? X_LEAF : X_SKIP;
	case X_CARRIER:
	case X_PARTY:
		return strcmp(n, "ID") == 0 || strcmp(n, "Name") == 0 ||
		    strcmp(n, "CountryCode") == 0 || strcmp(n, "AEO") == 0 ?
		    X_LEAF : X_SKIP;
	case X_WAGON:
		return strcmp(n, "Seal") == 0 ? X_SEAL :
		    strcmp(n, "Container") == 0 ? X_CONTAINER :
		    strcmp(n, "SequenceNumeric") == 0 || strcmp(n, "ID") == 0 ||
		    strcmp(n, "TypeCode") == 0 ||
		    strcmp(n, "TareMassMeasure") == 0 ? X_LEAF : X_SKIP;
	case X_SEAL:
		return strcmp(n, "ID") == 0 || strcmp(n, "SealingPartyCode") == 0 ||
		    strcmp(n, "ConditionCode") == 0 ? X_LEAF : X_SKIP;
	case X_CONTAINER:
		return strcmp(n, "Seal") == 0 ? X_SEAL :
		    strcmp(n, "ID") == 0 || strcmp(n, "CharacteristicCode") == 0 ||
		    strcmp(n, "FullnessCode") == 0 ||
		    strcmp(n, "GrossMassMeasure") == 0 ? X_LEAF : X_SKIP;
	case X_CONS:
		return strcmp(n, "TransportContractDocument") == 0 ? X_CONTRACT :
		    strcmp(n, "Consignor") == 0 || strcmp(n, "Consignee") == 0 ||
		    strcmp(n, "Declarant") == 0 ? X_PARTY :
		    strcmp(n, "ConsignmentItem") == 0 ? X_ITEM :
		    strcmp(n, "ProcedureCode") == 0 ||
		    strcmp(n, "ValueAmount") == 0 ? X_LEAF : X_SKIP;
	case X_CONTRACT:
		return strcmp(n, "ID") == 0 ? X_LEAF : X_SKIP;
	case X_ITEM:
		return strcmp(n, "Commodity") == 0 ? X_COMMODITY :
		    strcmp(n, "Packaging") == 0 ? X_PACKAGING :
		    strcmp(n, "AdditionalDocument") == 0 ? X_DOC :
		    strcmp(n, "Placement") == 0 ? X_PLACEMENT :
		    strcmp(n, "SequenceNumeric") == 0 ||
		    strcmp(n, "GrossMassMeasure") == 0 ||
		    strcmp(n, "NetMassMeasure") == 0 ||
		    strcmp(n, "ValueAmount") == 0 ||
		    strcmp(n, "OriginCountryCode") == 0 ? X_LEAF : X_SKIP;
	case X_COMMODITY:
		return strcmp(n, "Description") == 0 ||
		    strcmp(n, "ClassificationID") == 0 ||
		    strcmp(n, "UNDGCode") == 0 ? X_LEAF : X_SKIP;
	case X_PACKAGING:
		return strcmp(n, "QuantityQuantity") == 0 ||
		    strcmp(n, "TypeCode") == 0 ? X_LEAF : X_SKIP;
	case X_DOC:
		return strcmp(n, "TypeCode") == 0 || strcmp(n, "ID") == 0 ?
		    X_LEAF : X_SKIP;
	case X_PLACEMENT:
		return strcmp(n, "EquipmentID") == 0 ||
		    strcmp(n, "PackageQuantity") == 0 ? X_LEAF : X_SKIP;
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

		return strcmp(name, "Consignor") == 0 ? &c->consignor :
		    strcmp(name, "Consignee") == 0 ? &c->consignee : &c->declarant;
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
	struct manifest_train	*t = x->t;
	const char		*s;

	if (p == X_HEAD && strcmp(n, "FunctionCode") == 0) {
		s = text(x);
		if (s != NULL && strcmp(s, "5") == 0)
			t->function = MANIFEST_REPLACE;
		else if (s != NULL && strcmp(s, "1") == 0)
			t->function = MANIFEST_CANCEL;
		else if (s == NULL || strcmp(s, "9") != 0)
			xdiag(x, DIAG_WARNING, "MESSAGE_FUNCTION", "FunctionCode "
			    "\"%.8s\" is not 9, 5 or 1: read as original",
			    s != NULL ? s : "");
	} else if (p == X_HEAD && strcmp(n, "SendDateTime") == 0)
		t->issued = when(x, "SendDateTime");
	else if (p == X_DECL && strcmp(n, "ID") == 0)
		t->manifest_ref = text(x);
	else if (p == X_DECL && strcmp(n, "DirectionCode") == 0) {
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
	struct manifest_train	*t = x->t;
	const char		*s;

	if (strcmp(n, "JourneyID") == 0)
		t->id = text(x);
	else if (strcmp(n, "ModeCode") == 0) {
		s = text(x);
		if (s == NULL || strcmp(s, "2") != 0)
			xdiag(x, DIAG_ERROR, "TRANSPORT_MODE", "ModeCode \"%.8s\" is "
			    "not 2 (rail): this is not a train manifest",
			    s != NULL ? s : "");
	} else if (strcmp(n, "BorderStationID") == 0)
		t->border_station = text(x);
	else if (strcmp(n, "DepartureStationID") == 0)
		t->departure_station = text(x);
	else if (strcmp(n, "DestinationStationID") == 0)
		t->destination_station = text(x);
	else if (strcmp(n, "EstimatedArrivalDateTime") == 0)
		t->eta = when(x, n);
	else if (strcmp(n, "ActualArrivalDateTime") == 0)
		t->ata = when(x, n);
}

/* Party values. */
static void
leaf_party(struct xr *x, struct manifest_party *p, const char *n)
{
	if (strcmp(n, "ID") == 0)
		p->id = text(x);
	else if (strcmp(n, "Name") == 0)
		p->name = text(x);
	else if (strcmp(n, "CountryCode") == 0)
		p->country = text(x);
	else if (strcmp(n, "AEO") == 0)
		p->aeo = text(x);
}

/* Wagon, container and seal values. */
static void
leaf_equipment(struct xr *x, const struct frame *f, const char *n)
{
	const char	*s;

	if (f->ctx == X_WAGON) {
		struct manifest_wagon *w = f->obj;

		if (strcmp(n, "ID") == 0)
			manifest_wagon_set_number(x->t, w, text(x));
		else if (strcmp(n, "TypeCode") == 0)
			w->type = text(x);
		else if (strcmp(n, "TareMassMeasure") == 0)
			w->tare_kg = mass(x, n);
		else if (strcmp(n, "SequenceNumeric") == 0) {
			int64_t seq = count(x, n);

			if (seq != MANIFEST_ABSENT && seq != w->position)
				xdiag(x, DIAG_WARNING, "SEQUENCE", "wagon %u in "
				    "document order says SequenceNumeric %lld",
				    w->position, (long long)seq);
		}
	} else if (f->ctx == X_CONTAINER) {
		struct manifest_container *c = f->obj;

		if (strcmp(n, "ID") == 0)
			manifest_container_set_number(x->t, c, text(x));
		else if (strcmp(n, "CharacteristicCode") == 0)
			c->size_type = text(x);
		else if (strcmp(n, "GrossMassMeasure") == 0)
			c->gross_kg = mass(x, n);
		else if (strcmp(n, "FullnessCode") == 0) {
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
		if (strcmp(n, "ID") == 0)
			sl->number = s;
		else if (strcmp(n, "SealingPartyCode") == 0)
			sl->sealed_by = s == NULL ? MANIFEST_SEALER_CARRIER :
			    strcmp(s, "CA") == 0 ? MANIFEST_SEALER_CARRIER :
			    strcmp(s, "CU") == 0 ? MANIFEST_SEALER_CUSTOMS :
			    strcmp(s, "SH") == 0 ? MANIFEST_SEALER_SHIPPER :
			    MANIFEST_SEALER_OTHER;
		else if (strcmp(n, "ConditionCode") == 0) {
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
	struct manifest_consignment	*c;
	struct manifest_item		*it;
	const char			*s;
	char				 hs[IDENT_HS_MAX + 1];

	switch (f->ctx) {
	case X_CONS:
		c = f->obj;
		if (strcmp(n, "ProcedureCode") == 0) {
			s = text(x);
			if (s == NULL || manifest_procedure_parse(s,
			    &c->procedure) < 0)
				xdiag(x, DIAG_WARNING, "PROCEDURE", "ProcedureCode "
				    "\"%.16s\" is not import, export, transit or "
				    "ecommerce", s != NULL ? s : "");
		} else if (strcmp(n, "ValueAmount") == 0) {
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
		if (strcmp(n, "SequenceNumeric") == 0) {
			int64_t seq = count(x, n);

			if (seq != MANIFEST_ABSENT && seq <= UINT32_MAX)
				it->seq = (uint32_t)seq;
		} else if (strcmp(n, "GrossMassMeasure") == 0)
			it->gross_kg = mass(x, n);
		else if (strcmp(n, "NetMassMeasure") == 0)
			it->net_kg = mass(x, n);
		else if (strcmp(n, "ValueAmount") == 0) {
			it->value = decimal(x, n);
			if (x->unit[0] != '\0')
				it->currency = manifest_str(x->t, x->unit,
				    strlen(x->unit));
		} else if (strcmp(n, "OriginCountryCode") == 0)
			it->origin = text(x);
		break;
	case X_COMMODITY:
		it = f->obj;
		if (strcmp(n, "Description") == 0) {
			s = text(x);
			it->description = s != NULL ? manifest_str_shared(x->t, s,
			    strlen(s)) : NULL;
		} else if (strcmp(n, "ClassificationID") == 0) {
			s = text(x);
			if (s != NULL && ident_hs_normalise(s, strlen(s), hs) == 0)
				it->hs = manifest_str(x->t, hs, strlen(hs));
			else if (s != NULL)
				xdiag(x, DIAG_WARNING, "HS_CODE", "\"%.20s\" is not "
				    "an HS code of 6 to 10 digits", s);
		} else if (strcmp(n, "UNDGCode") == 0)
			it->un_number = text(x);
		break;
	case X_PACKAGING:
		it = f->obj;
		if (strcmp(n, "QuantityQuantity") == 0)
			it->packages = count(x, n);
		else if (strcmp(n, "TypeCode") == 0)
			it->package_type = text(x);
		break;
	case X_DOC:
		if (strcmp(n, "TypeCode") == 0)
			((struct manifest_document *)f->obj)->type = text(x);
		else if (strcmp(n, "ID") == 0)
			((struct manifest_document *)f->obj)->id = text(x);
		break;
	case X_PLACEMENT:
		if (strcmp(n, "EquipmentID") == 0)
			((struct manifest_placement *)f->obj)->equipment = text(x);
		else if (strcmp(n, "PackageQuantity") == 0)
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
	if (ns != NULL && strcmp(ns, XINCLUDE_NS) == 0) {
		xrefuse(x, "XML_FORBIDDEN", "XInclude is not accepted");
		return;
	}
	if (name == NULL)
		name = "";
	if (parent->ctx == X_SKIP)
		ctx = X_SKIP;
	else if (ns == NULL || strcmp(ns, XML_NAMESPACE) != 0)
		ctx = X_SKIP;
	else
		ctx = child_ctx(parent->ctx, name);
	if (parent->ctx == X_ROOT && ctx != X_MANIFEST) {
		xrefuse(x, "NOT_A_MANIFEST", "the root element is {%s}%s, not a "
		    "railgate manifest ({%s}Manifest)", ns != NULL ? ns : "", name,
		    XML_NAMESPACE);
		return;
	}
	if (ctx == X_SKIP && parent->ctx != X_SKIP)
		xdiag(x, DIAG_WARNING, "UNKNOWN_ELEMENT", "element %s is not part "
		    "of the profile here: skipped", name);
	f = &x->stack[++x->depth];
	f->ctx = ctx;
	f->name = name;
	f->obj = ctx == X_SKIP || ctx == X_LEAF ? parent->obj :
	    open_object(x, ctx, parent, name);
	buf_reset(&x->text);
	x->unit[0] = '\0';
	if (ctx == X_LEAF) {
		a = xmlTextReaderGetAttribute(x->r, (const xmlChar *)"unitCode");
		if (a == NULL)
			a = xmlTextReaderGetAttribute(x->r,
			    (const xmlChar *)"currencyID");
		if (a != NULL) {
			snprintf(x->unit, sizeof x->unit, "%s", (char *)a);
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

	if (x->stack[x->depth].ctx != X_LEAF)
		return;
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

/*
 * The line of a DOCTYPE in the prolog (before the root element), or 0.
 * Checked before libxml2 sees the document, so that no DTD -- internal
 * subset included -- is ever parsed.
 */
static uint32_t
prolog_doctype_line(const char *p, size_t len)
{
	const char	*end = p + len;
	uint32_t	 lineno = 1;

	while (p < end) {
		if (*p == '\n')
			lineno++;
		if (*p != '<') {
			p++;
			continue;
		}
		if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
			return lineno;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			const char *q = p + 4;

			while (q + 2 < end && memcmp(q, "-->", 3) != 0) {
				lineno += *q == '\n';
				q++;
			}
			p = q;
			continue;
		}
		if (end - p >= 2 && p[1] == '?') {
			p += 2;
			continue;
		}
		return 0;	/* the root element: the prolog is over */
	}
	return 0;
}

int
xml_parse(const char *data, size_t len, const struct xml_limits *limits,
    struct manifest_train *t)
{
	struct xr	x;
	int		rc = 0;

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
	if (prolog_doctype_line(data, len) != 0) {
		struct diag_loc loc = diag_loc_line(NULL,
		    prolog_doctype_line(data, len), 0);

		diag_add(&t->diags, DIAG_ERROR, "XML_FORBIDDEN", &loc, "a DOCTYPE "
		    "is not accepted: manifests carry no DTD and no entities");
		return -1;
	}
	pthread_once(&loader_once, install_loader);
	x.r = xmlReaderForMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
	    XML_PARSE_COMPACT);
	if (x.r == NULL) {
		xrefuse(&x, "XML_MALFORMED", "the document cannot be read as XML");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(x.r, error_cb, &x);
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
	if (x.refused)
		return -1;
	manifest_train_finish(t);
	return 0;
}
