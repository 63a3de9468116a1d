/*
 * xml_read.c -- the XML manifest reader: libxml2 behind the hardening.
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
 *
 * This file is the streaming core; xml_sax.c drives libxml2 (its push
 * parser, with callbacks and no tree: the nodes, lines and errors
 * xmlTextReader gave, at less than half its cost); what each element of
 * the profile means to the model is xml_element.c's (xml_read_int.h
 * between them).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "arena.h"
#include "xml_error.h"
#include "xml_prescan.h"
#include "xml_read_int.h"

#define XINCLUDE_NS	"http://www.w3.org/2001/XInclude"
#define XINCLUDE_NS_2003 "http://www.w3.org/2003/XInclude"	/* libxml2 knows it too */

static pthread_once_t	loader_once = PTHREAD_ONCE_INIT;

/*
 * The profile's element names, interned into struct xnames once per
 * document: the reader's dictionary then hands out the same pointers, so
 * every later test of a name is a pointer comparison.
 */
#define XNAME(f)	{ #f, offsetof(struct xnames, f) }
static const struct xname {
	const char	*spelling;
	size_t		 offset;	/* of its slot in struct xnames */
} xname_table[] = {
	XNAME(AEO), XNAME(ActualArrivalDateTime), XNAME(AdditionalDocument),
	XNAME(BorderStationID), XNAME(BorderTransportMeans), XNAME(Carrier),
	XNAME(CharacteristicCode), XNAME(ClassificationID), XNAME(Commodity),
	XNAME(ConditionCode), XNAME(Consignee), XNAME(Consignment),
	XNAME(ConsignmentItem), XNAME(Consignor), XNAME(Container),
	XNAME(CountryCode), XNAME(Declarant), XNAME(Declaration),
	XNAME(DepartureStationID), XNAME(Description),
	XNAME(DestinationStationID), XNAME(DirectionCode), XNAME(EquipmentID),
	XNAME(EstimatedArrivalDateTime), XNAME(FullnessCode),
	XNAME(FunctionCode), XNAME(GrossMassMeasure), XNAME(Head), XNAME(ID),
	XNAME(JourneyID), XNAME(Manifest), XNAME(MessageID), XNAME(ModeCode),
	XNAME(Name), XNAME(NetMassMeasure), XNAME(OriginCountryCode),
	XNAME(PackageQuantity), XNAME(Packaging), XNAME(Placement),
	XNAME(ProcedureCode), XNAME(QuantityQuantity), XNAME(ReceiverID),
	XNAME(Seal), XNAME(SealingPartyCode), XNAME(SendDateTime),
	XNAME(SenderID), XNAME(SequenceNumeric), XNAME(TareMassMeasure),
	XNAME(TrackingID), XNAME(TransportContractDocument), XNAME(TypeCode), XNAME(UNDGCode),
	XNAME(ValueAmount), XNAME(Wagon),
};
#undef XNAME
_Static_assert(nitems(xname_table) == sizeof(struct xnames) /
    sizeof(const char *), "every name of struct xnames is in xname_table");

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
xml_init(void)
{
	xmlInitParser();
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
uint32_t
xr_line(struct xr *x)
{
	if (x->ctxt == NULL)
		return 0;
	/* Before the first node the reader told the parser's line. */
	if (x->line == 0 && x->ctxt->input != NULL && x->ctxt->input->line > 0)
		return (uint32_t)x->ctxt->input->line;
	return x->line;
}

/* A diagnostic at the current line. */
void
xr_diag(struct xr *x, enum diag_severity sev, const char *code, const char *fmt,
    ...)
{
	struct diag_loc	loc = diag_loc_line(NULL, xr_line(x), 0);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(&x->t->diags, sev, code, &loc, fmt, ap);
	va_end(ap);
}

/* Refuses the document with an error at the current line. */
void
xr_refuse(struct xr *x, const char *code, const char *fmt, ...)
{
	struct diag_loc	loc = diag_loc_line(NULL, xr_line(x), 0);
	va_list		ap;

	va_start(ap, fmt);
	diag_addv(&x->t->diags, DIAG_ERROR, code, &loc, fmt, ap);
	va_end(ap);
	x->refused = true;
}

/* libxml2's own errors (malformed XML, bad encoding) as diagnostics. */
void
xr_libxml_error(void *arg, xmlErrorPtr e)
{
	struct xr	*x = arg;
	struct diag_loc	 loc;
	char		 msg[512];

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	xml_error_text(e, "malformed XML", msg, sizeof msg);
	loc = diag_loc_line(NULL, e->line > 0 ? (uint32_t)e->line : xr_line(x),
	    e->int2 > 0 ? (uint32_t)e->int2 : 0);
	diag_add(&x->t->diags, DIAG_ERROR, "XML_MALFORMED", &loc, "%s", msg);
	x->refused = true;
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
		xr_refuse(x, "XML_LIMIT", "more than %zu distinct element names "
		    "outside the profile", max);
		return false;
	}
	x->unknown[i] = name;
	x->nunknown++;
	return true;
}

/*
 * The unitCode (else currencyID) attribute of a measure or an amount into
 * x->unit, as xmlGetNoNsProp gives it: libxml2's SAX2 spells an '&' of
 * a value "&#38;" (every other reference is replaced or refused).
 */
static void
unit_attribute(struct xr *x, int nattrs, const xmlChar **attrs)
{
	const xmlChar	**a, *v, *end;
	const char	 *want;
	size_t		  n;
	char		  c;
	int		  i, pass;

	for (pass = 0; pass < 2; pass++) {
		want = pass == 0 ? x->unitCode : x->currencyID;
		for (i = 0, a = attrs; i < nattrs; i++, a += 5) {
			if ((const char *)a[0] != want || a[2] != NULL)
				continue;
			for (n = 0, v = a[3], end = a[4]; v < end; v++) {
				c = (char)*v;
				if (c == '&' && end - v >= 5 &&
				    memcmp(v, "&#38;", 5) == 0)
					v += 4;	/* the reference, read as its '&' */
				if (n < sizeof x->unit - 1)
					x->unit[n++] = c;
			}
			x->unit[n] = '\0';
			return;
		}
	}
}

/* An element opens. */
void
xr_element_start(struct xr *x, const char *name, const char *ns, int nattrs,
    const xmlChar **attrs)
{
	struct xml_frame	*parent = &x->stack[x->depth], *f;
	enum xctx	 ctx;

	if (++x->elements > x->lim.max_elements) {
		xr_refuse(x, "XML_LIMIT", "more than %zu elements (the element "
		    "limit)", x->lim.max_elements);
		return;
	}
	if ((size_t)x->depth + 1 > x->lim.max_depth || x->depth + 1 >=
	    XML_MAX_FRAMES) {
		xr_refuse(x, "XML_LIMIT", "elements nested deeper than %zu (the "
		    "depth limit)", x->lim.max_depth);
		return;
	}
	/* The profile's own namespace (interned) is not XInclude's. */
	if (ns != NULL && ns != x->ns && (strcmp(ns, XINCLUDE_NS) == 0 ||
	    strcmp(ns, XINCLUDE_NS_2003) == 0)) {
		xr_refuse(x, "XML_FORBIDDEN", "XInclude is not accepted");
		return;
	}
	if (name == NULL)
		name = "";
	if (parent->ctx == X_SKIP)
		ctx = X_SKIP;
	else if (ns != x->ns && (ns == NULL || strcmp(ns, XML_NAMESPACE) != 0))
		ctx = X_SKIP;	/* names are interned: the pointer test decides */
	else
		ctx = xml_element_ctx(&x->nm, parent->ctx, name);
	if (parent->ctx == X_ROOT && ctx != X_MANIFEST) {
		xr_refuse(x, "NOT_A_MANIFEST", "the root element is {%s}%s, not a "
		    "railgate manifest ({%s}Manifest)", ns != NULL ? ns : "", name,
		    XML_NAMESPACE);
		return;
	}
	if (ctx == X_SKIP && parent->ctx != X_SKIP)
		xr_diag(x, DIAG_WARNING, "UNKNOWN_ELEMENT", "element %s is not part "
		    "of the profile here: skipped", name);
	if (ctx == X_SKIP && !unknown_name_seen(x, name))
		return;
	f = &x->stack[++x->depth];
	f->ctx = ctx;
	f->name = name;
	f->line = x->line;
	f->first = f->last = XKID_NONE;
	f->nkids = 0;
	f->empty = false;
	f->obj = ctx == X_SKIP || ctx == X_LEAF ? parent->obj :
	    xml_element_open(x, ctx, parent, name);
	buf_reset(&x->text);
	x->unit[0] = '\0';
	/* Only measures and amounts carry an attribute railgate reads. */
	if (ctx == X_LEAF && (name == x->nm.TareMassMeasure ||
	    name == x->nm.GrossMassMeasure || name == x->nm.NetMassMeasure ||
	    name == x->nm.ValueAmount))
		unit_attribute(x, nattrs, attrs);
}

/* The open element closes. */
void
xr_element_end(struct xr *x)
{
	struct xml_frame	*f = &x->stack[x->depth];

	if (x->depth == 0)
		return;
	if (f->ctx == X_LEAF)
		xml_element_leaf(x, &x->stack[x->depth - 1], f->name);
	x->depth--;
	buf_reset(&x->text);
}

/* A text piece inside the open element: a value element keeps it. */
void
xr_text_piece(struct xr *x, const char *s, size_t len)
{
	if (x->stack[x->depth].ctx == X_LEAF)
		buf_add(&x->text, s, len);
}

/*
 * A text node of len bytes ends: one over the text limit is refused, a
 * value element's counting what it had before (the pieces are in
 * x->text already).
 */
void
xr_text_end(struct xr *x, size_t len)
{
	if (x->stack[x->depth].ctx != X_LEAF) {
		/* Skipped text obeys the same limit as text that is read. */
		if (len > x->lim.max_text)
			xr_refuse(x, "XML_LIMIT", "a text node longer than %zu bytes "
			    "(the text limit)", x->lim.max_text);
		return;
	}
	if (x->text.len > x->lim.max_text) {
		xr_refuse(x, "XML_LIMIT", "a text node longer than %zu bytes (the "
		    "text limit)", x->lim.max_text);
		return;
	}
}

/*
 * Refuses what the bytes alone show to be out of bounds, before libxml2
 * sees them: the size, the prolog (xml_prolog_refuse) and over-long or
 * over-attributed start tags (xml_tag_scan).  0, or -1 after an error.
 */
static int
document_refused(struct xr *x, const char *data, size_t len,
    const struct xml_read_options *ro)
{
	struct diag_loc	 loc;
	uint32_t	 at;
	bool		 long_run;

	if (len > x->lim.max_document || len > INT32_MAX) {
		xr_refuse(x, "XML_LIMIT", "the document is larger than %zu bytes "
		    "(the size limit)", x->lim.max_document);
		return -1;
	}
	if (xml_prolog_refuse(data, len, &x->t->diags) < 0)
		return -1;
	if ((at = xml_tag_scan_with(data, len, x->lim.max_attributes,
	    x->lim.max_text, &long_run, ro->consumed, ro->arg)) == 0)
		return 0;
	loc = diag_loc_line(NULL, at, 0);
	if (long_run)
		diag_add(&x->t->diags, DIAG_ERROR, "XML_LIMIT", &loc, "a start "
		    "tag or text longer than %zu bytes (the text limit)",
		    x->lim.max_text);
	else
		diag_add(&x->t->diags, DIAG_ERROR, "XML_LIMIT", &loc, "a start "
		    "tag with more than %zu attributes (namespace "
		    "declarations count)", x->lim.max_attributes);
	return -1;
}

/* Interns the profile's names in the parser's dictionary. */
void
xr_intern_names(struct xr *x, xmlDictPtr dict)
{
	size_t	i;

	x->ns = (const char *)xmlDictLookup(dict, (const xmlChar *)XML_NAMESPACE,
	    -1);
	x->unitCode = (const char *)xmlDictLookup(dict,
	    (const xmlChar *)"unitCode", -1);
	x->currencyID = (const char *)xmlDictLookup(dict,
	    (const xmlChar *)"currencyID", -1);
	for (i = 0; i < nitems(xname_table); i++)
		*(const char **)((char *)&x->nm + xname_table[i].offset) =
		    (const char *)xmlDictLookup(dict,
		    (const xmlChar *)xname_table[i].spelling, -1);
}

int
xml_parse(const char *data, size_t len, const struct xml_limits *limits,
    struct manifest_train *t)
{
	return xml_parse_with(data, len, limits, NULL, t);
}

int
xml_parse_with(const char *data, size_t len, const struct xml_limits *limits,
    const struct xml_read_options *ro, struct manifest_train *t)
{
	static const struct xml_read_options	none = { NULL, NULL, 0 };
	struct xr	 x;

	if (ro == NULL)
		ro = &none;

	memset(&x, 0, sizeof x);
	x.t = t;
	if (limits != NULL)
		x.lim = *limits;
	else
		xml_limits_default(&x.lim);
	t->source = MANIFEST_SOURCE_XML;
	x.stack[0].ctx = X_ROOT;
	if (document_refused(&x, data, len, ro) < 0)
		return -1;
	pthread_once(&loader_once, install_loader);
	/* A big document's model chunks are touched ahead (arena.h): its
	 * model takes about half its bytes, and libxml2 reads on one core. */
	if (len >= XML_PREFAULT_MIN_BYTES && ro->threads != 1)
		(void)arena_prefault_start(t->arena, len / 5 * 3);
	xml_sax_read(&x, data, len, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS |
	    XML_PARSE_COMPACT, ro);
	buf_free(&x.text);
	if (!x.refused && t->id == NULL)
		xr_refuse(&x, "TRAIN_ID_MISSING", "the manifest names no train "
		    "(BorderTransportMeans/JourneyID)");
	if (!x.refused && manifest_train_check_number(t) < 0)
		x.refused = true;
	if (!x.refused)
		manifest_train_finish(t);
	(void)arena_prefault_stop(t->arena);
	return x.refused ? -1 : 0;
}
