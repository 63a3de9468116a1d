/*
 * xml_read_int.h -- what the XML reader's two halves share.  Internal to
 * manifest/.
 *
 * xml_read.c is the streaming core: libxml2's reader, the hardening and
 * the limits, the frame stack, the names of the profile interned once per
 * document.  xml_element.c is the profile itself: which element opens
 * which model object and where each value element's text goes.  Both
 * work on one struct xr, owned by xml_parse() for one document on the
 * calling thread.
 */
#ifndef MANIFEST_XML_READ_INT_H
#define MANIFEST_XML_READ_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/xmlreader.h>

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

struct xml_frame {
	enum xctx	 ctx;
	void		*obj;
	const char	*name;		/* the element's local name (libxml2 dictionary) */
};

struct xr {
	struct manifest_train	*t;
	xmlTextReaderPtr	 r;
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
	/* Distinct names of skipped elements, interned by the reader. */
	const char		*unknown[UNKNOWN_SLOTS];
	size_t			 nunknown;
};

/* The line of the current node (the parser itself may be further on). */
uint32_t xr_line(struct xr *x);
/* A diagnostic at the current line. */
void xr_diag(struct xr *x, enum diag_severity sev, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Refuses the document with an error at the current line. */
void xr_refuse(struct xr *x, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The context of an element named n (interned) inside a parent of context p. */
enum xctx xml_element_ctx(const struct xnames *nm, enum xctx p, const char *n);
/* The model object an element of context ctx opens (owned by the train). */
void *xml_element_open(struct xr *x, enum xctx ctx, const struct xml_frame *parent,
    const char *name);
/* A value element named n closed: its text goes where parent says. */
void xml_element_leaf(struct xr *x, const struct xml_frame *parent, const char *n);

#endif
