/*
 * xml_read_int.h -- what the XML reader's two halves share.  Internal to
 * manifest/.
 *
 * xml_read.c is the streaming core: the hardening and the limits, the
 * frame stack, what an element, its end and a text node do.  xml_sax.c
 * drives libxml2's push parser with callbacks (no tree), the way its
 * xmlTextReader would, and hands it the nodes the reader would have
 * seen.  xml_element.c is the profile itself: which element opens which
 * model object and where each value element's text goes.  All three work
 * on one struct xr, owned by xml_parse() for one document on the calling
 * thread.
 */
#ifndef MANIFEST_XML_READ_INT_H
#define MANIFEST_XML_READ_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "diag.h"
#include "model.h"
#include "util.h"
#include "xml.h"

#define XML_MAX_FRAMES	256
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
	const char	*TrackingID;
	const char	*TransportContractDocument;
	const char	*TypeCode;
	const char	*UNDGCode;
	const char	*ValueAmount;
	const char	*Wagon;
};

/* What an element's first or last child is, so far (xml_sax.c). */
enum xkid {
	XKID_NONE,
	XKID_TEXT,
	XKID_OTHER,	/* an element, a comment, a processing instruction */
};

struct xml_frame {
	enum xctx	 ctx;
	void		*obj;
	const char	*name;		/* the element's local name (libxml2 dictionary) */
	uint32_t	 line;		/* of its start tag, as xmlTextReader tells it */
	unsigned char	 first;		/* enum xkid */
	unsigned char	 last;		/* enum xkid */
	unsigned char	 nkids;		/* children so far, 2 meaning more */
	bool		 empty;		/* <a/>: the reader read it in one */
};

/* The text node being read (xml_sax.c): libxml2's pieces of it so far. */
struct xml_run {
	bool		 open;
	size_t		 len;		/* bytes so far */
	uint32_t	 line;		/* where the node starts, as the reader tells it */
};

struct xr {
	struct manifest_train	*t;
	xmlParserCtxtPtr	 ctxt;		/* NULL once the parse is over */
	uint32_t		 line;		/* the current node's, as the reader told it */
	struct xml_limits	 lim;
	struct xml_frame		 stack[XML_MAX_FRAMES];
	int			 depth;
	size_t			 elements;
	struct buf		 text;
	char			 unit[16];	/* unitCode / currencyID of the leaf */
	bool			 refused;
	bool			 root_seen;
	const char		*ns;		/* XML_NAMESPACE in the reader's dictionary */
	struct xnames		 nm;
	const char		*unitCode;	/* attribute names, interned too */
	const char		*currencyID;
	/* Distinct names of skipped elements, interned by the reader. */
	const char		*unknown[UNKNOWN_SLOTS];
	size_t			 nunknown;
	/* xml_sax.c's: the text node being read, the xml:id values seen,
	 * the stand-in for the element libxml2's blank test looks at. */
	struct xml_run		 run;
	bool			 end_pending;	/* the top frame closed, not yet read */
	bool			 started;	/* an element started in this chunk */
	bool			 libxml_failed;	/* libxml2 reported an error */
	bool			 reading;	/* the reader's first batch is over */
	size_t			 nread;		/* nodes read in this batch */
	struct diag_list	 mark;		/* counts when the batch began (no v) */
	struct diag_list	 first;		/* and after its first node (no v) */
	struct diag_list	 saved;		/* what its first node said */
	xmlHashTablePtr		 ids;
	xmlNode			 here;
	xmlNode			 kid[3];	/* children of here, by enum xkid */
};

/* The line of the current node (the parser itself may be further on). */
uint32_t xr_line(struct xr *x);
/* A diagnostic at the current line. */
void xr_diag(struct xr *x, enum diag_severity sev, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Refuses the document with an error at the current line. */
void xr_refuse(struct xr *x, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One of libxml2's errors (level error or worse) refuses the document. */
void xr_libxml_error(void *arg, xmlErrorPtr e);
/* An element opens: its local name and namespace (NULL: none, both
 * interned) and its attributes as libxml2's SAX2 gives them. */
void xr_element_start(struct xr *x, const char *name, const char *ns,
    int nattrs, const xmlChar **attrs);
/* The open element closes. */
void xr_element_end(struct xr *x);
/* A text piece of len bytes inside the open element. */
void xr_text_piece(struct xr *x, const char *s, size_t len);
/* A text node of len bytes ends (its pieces were given before). */
void xr_text_end(struct xr *x, size_t len);
/* Interns the profile's names in the parser's dictionary. */
void xr_intern_names(struct xr *x, xmlDictPtr dict);
/*
 * Reads the document with libxml2's push parser, as xmlTextReader feeds
 * it, telling ro->consumed how far it got (xml_sax.c).  Refusals and
 * libxml2's errors end up in x->t's diagnostics, x->refused set.
 */
void xml_sax_read(struct xr *x, const char *data, size_t len, int options,
    const struct xml_read_options *ro);

/* The context of an element named n (interned) inside a parent of context p. */
enum xctx xml_element_ctx(const struct xnames *nm, enum xctx p, const char *n);
/* The model object an element of context ctx opens (owned by the train). */
void *xml_element_open(struct xr *x, enum xctx ctx, const struct xml_frame *parent,
    const char *name);
/* A value element named n closed: its text goes where parent says. */
void xml_element_leaf(struct xr *x, const struct xml_frame *parent, const char *n);

#endif
