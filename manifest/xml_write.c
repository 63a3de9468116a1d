/*
 * xml_write.c -- the train model as an XML manifest of the profile.
 *
 * Written straight into a buffer, indented, elements in the profile's
 * order; everything the reader reads, so that reading the output gives
 * the same canonical JSON.  Absent optional values are left out; a
 * placement's or an item's missing sequence is never invented.
 */
#include <stdio.h>
#include <string.h>

#include "value.h"
#include "xml.h"

/* Text with &, <, > and quotes escaped. */
static void
esc(struct buf *b, const char *s)
{
	const char	*run = s;

	for (; *s != '\0'; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\r': e = "&#13;"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_add_str(b, e);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
}

/* <name>text</name> at an indent, if text is given. */
static void
leaf(struct buf *b, int indent, const char *name, const char *text)
{
	if (text == NULL)
		return;
	buf_printf(b, "%*s<%s>", indent, "", name);
	esc(b, text);
	buf_printf(b, "</%s>\n", name);
}

static void
leaf_int(struct buf *b, int indent, const char *name, int64_t v)
{
	if (v != MANIFEST_ABSENT)
		buf_printf(b, "%*s<%s>%lld</%s>\n", indent, "", name, (long long)v,
		    name);
}

/* A decimal element with an attribute (unitCode="KGM", currencyID=...). */
static void
leaf_dec(struct buf *b, int indent, const char *name, int64_t v,
    const char *attr, const char *attrval)
{
	char	d[VALUE_DECIMAL_MAX];

	if (v == MANIFEST_ABSENT)
		return;
	buf_printf(b, "%*s<%s", indent, "", name);
	if (attrval != NULL) {
		buf_printf(b, " %s=\"", attr);
		esc(b, attrval);
		buf_add_char(b, '"');
	}
	buf_printf(b, ">%s</%s>\n", value_decimal_format(v, d), name);
}

static void
leaf_time(struct buf *b, int indent, const char *name, int64_t t)
{
	char	s[VALUE_TIME_MAX];

	if (t != MANIFEST_ABSENT)
		leaf(b, indent, name, value_time_format(t, s));
}

static void
party(struct buf *b, int indent, const char *name, const struct manifest_party *p)
{
	if (manifest_party_is_empty(p))
		return;
	buf_printf(b, "%*s<%s>\n", indent, "", name);
	leaf(b, indent + 2, "ID", p->id);
	leaf(b, indent + 2, "Name", p->name);
	leaf(b, indent + 2, "CountryCode", p->country);
	leaf(b, indent + 2, "AEO", p->aeo);
	buf_printf(b, "%*s</%s>\n", indent, "", name);
}

static void
seals(struct buf *b, int indent, const struct manifest_seal *v, size_t n)
{
	static const char *by[] = { "CA", "CU", "SH", "ZZZ" };
	size_t	i;

	for (i = 0; i < n; i++) {
		buf_printf(b, "%*s<Seal>\n", indent, "");
		leaf(b, indent + 2, "ID", v[i].number);
		leaf(b, indent + 2, "SealingPartyCode", by[v[i].sealed_by & 3]);
		leaf(b, indent + 2, "ConditionCode",
		    v[i].condition == MANIFEST_SEAL_DAMAGED ? "2" : "1");
		buf_printf(b, "%*s</Seal>\n", indent, "");
	}
}

static void
wagon(struct buf *b, const struct manifest_wagon *w)
{
	size_t	i;

	buf_add_str(b, "      <Wagon>\n");
	leaf_int(b, 8, "SequenceNumeric", w->position);
	leaf(b, 8, "ID", w->number);
	leaf(b, 8, "TypeCode", w->type);
	leaf_dec(b, 8, "TareMassMeasure", w->tare_kg, "unitCode", "KGM");
	seals(b, 8, w->seals, w->nseals);
	for (i = 0; i < w->ncontainers; i++) {
		const struct manifest_container *c = w->containers[i];

		buf_add_str(b, "        <Container>\n");
		leaf(b, 10, "ID", c->number);
		leaf(b, 10, "CharacteristicCode", c->size_type);
		leaf(b, 10, "FullnessCode", c->full ? "5" : "4");
		leaf_dec(b, 10, "GrossMassMeasure", c->gross_kg, "unitCode", "KGM");
		seals(b, 10, c->seals, c->nseals);
		buf_add_str(b, "        </Container>\n");
	}
	buf_add_str(b, "      </Wagon>\n");
}

static void
item(struct buf *b, const struct manifest_item *it)
{
	size_t	i;

	buf_add_str(b, "      <ConsignmentItem>\n");
	leaf_int(b, 8, "SequenceNumeric", it->seq);
	if (it->description != NULL || it->hs != NULL || it->un_number != NULL) {
		buf_add_str(b, "        <Commodity>\n");
		leaf(b, 10, "Description", it->description);
		leaf(b, 10, "ClassificationID", it->hs);
		leaf(b, 10, "UNDGCode", it->un_number);
		buf_add_str(b, "        </Commodity>\n");
	}
	if (it->packages != MANIFEST_ABSENT || it->package_type != NULL) {
		buf_add_str(b, "        <Packaging>\n");
		leaf_int(b, 10, "QuantityQuantity", it->packages);
		leaf(b, 10, "TypeCode", it->package_type);
		buf_add_str(b, "        </Packaging>\n");
	}
	leaf_dec(b, 8, "GrossMassMeasure", it->gross_kg, "unitCode", "KGM");
	leaf_dec(b, 8, "NetMassMeasure", it->net_kg, "unitCode", "KGM");
	leaf_dec(b, 8, "ValueAmount", it->value, "currencyID", it->currency);
	leaf(b, 8, "OriginCountryCode", it->origin);
	leaf(b, 8, "TrackingID", it->tracking);
	for (i = 0; i < it->ndocuments; i++) {
		buf_add_str(b, "        <AdditionalDocument>\n");
		leaf(b, 10, "TypeCode", it->documents[i].type);
		leaf(b, 10, "ID", it->documents[i].id);
		buf_add_str(b, "        </AdditionalDocument>\n");
	}
	for (i = 0; i < it->nplacements; i++) {
		buf_add_str(b, "        <Placement>\n");
		leaf(b, 10, "EquipmentID",
		    manifest_placement_equipment(&it->placements[i]));
		leaf_int(b, 10, "PackageQuantity", it->placements[i].packages);
		buf_add_str(b, "        </Placement>\n");
	}
	buf_add_str(b, "      </ConsignmentItem>\n");
}

static void
consignment(struct buf *b, const struct manifest_consignment *c)
{
	size_t	i;

	buf_add_str(b, "    <Consignment>\n");
	if (c->ref != NULL) {
		buf_add_str(b, "      <TransportContractDocument>\n");
		leaf(b, 8, "ID", c->ref);
		buf_add_str(b, "      </TransportContractDocument>\n");
	}
	if (c->procedure != MANIFEST_PROC_DEFAULT)
		leaf(b, 6, "ProcedureCode", manifest_procedure_name(c->procedure));
	leaf_dec(b, 6, "ValueAmount", c->value, "currencyID", c->currency);
	party(b, 6, "Consignor", &c->consignor);
	party(b, 6, "Consignee", &c->consignee);
	party(b, 6, "Declarant", &c->declarant);
	for (i = 0; i < c->nitems; i++)
		item(b, c->items[i]);
	buf_add_str(b, "    </Consignment>\n");
}

void
xml_write_manifest(const struct manifest_train *t, struct buf *b)
{
	static const char *fn[] = { "9", "5", "1" };
	size_t	i;

	buf_add_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Manifest xmlns=\"" XML_NAMESPACE "\">\n  <Head>\n");
	leaf(b, 4, "MessageID", t->manifest_ref);
	leaf(b, 4, "FunctionCode", fn[t->function]);
	leaf_time(b, 4, "SendDateTime", t->issued);
	buf_add_str(b, "  </Head>\n  <Declaration>\n");
	leaf(b, 4, "ID", t->manifest_ref);
	leaf(b, 4, "DirectionCode", manifest_direction_name(t->direction));
	buf_add_str(b, "    <BorderTransportMeans>\n");
	leaf(b, 6, "JourneyID", t->id);
	leaf(b, 6, "ModeCode", "2");
	leaf(b, 6, "BorderStationID", t->border_station);
	leaf(b, 6, "DepartureStationID", t->departure_station);
	leaf(b, 6, "DestinationStationID", t->destination_station);
	leaf_time(b, 6, "EstimatedArrivalDateTime", t->eta);
	leaf_time(b, 6, "ActualArrivalDateTime", t->ata);
	party(b, 6, "Carrier", &t->carrier);
	for (i = 0; i < t->nwagons; i++)
		wagon(b, t->wagons[i]);
	buf_add_str(b, "    </BorderTransportMeans>\n");
	for (i = 0; i < t->nconsignments; i++)
		consignment(b, t->consignments[i]);
	buf_add_str(b, "  </Declaration>\n</Manifest>\n");
}
