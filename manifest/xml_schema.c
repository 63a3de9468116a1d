/*
 * xml_schema.c -- validating a manifest against the XML Schema.
 *
 * Validation needs the whole document in memory (libxml2 validates a
 * tree), so it is for `railgate parse --validate` and stations that turn
 * it on, not for the streaming path.  The document is read with the same
 * hardened options as the reader; a DOCTYPE is refused before validation.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "xml.h"
#include "xml_error.h"
#include "xml_prescan.h"

struct vctx {
	struct diag_list	*diags;
	int			 errors;
};

/* Each schema or parse error as a SCHEMA diagnostic with its line. */
static void
schema_error_cb(void *arg, xmlErrorPtr e)
{
	struct vctx	*v = arg;
	struct diag_loc	 loc;
	char		 msg[512];

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	xml_error_text(e, "invalid", msg, sizeof msg);
	loc = diag_loc_line(NULL, e->line > 0 ? (uint32_t)e->line : 0, 0);
	diag_add(v->diags, DIAG_ERROR, "SCHEMA", &loc, "%s", msg);
	v->errors++;
}

int
xml_validate(const char *data, size_t len, const char *xsd_path,
    struct diag_list *diags)
{
	struct vctx		 v = { diags, 0 };
	xmlSchemaParserCtxtPtr	 pc = NULL;
	char			*xsd = NULL;
	size_t			 xsdlen = 0;
	xmlSchemaValidCtxtPtr	 vc;
	xmlSchemaPtr		 schema;
	xmlDocPtr		 doc;
	struct diag_loc		 loc = diag_loc_none();
	int			 rc;

	if (len > INT32_MAX)
		return -1;
	/* libxml2 would parse a DTD while building the tree. */
	if (xml_prolog_refuse(data, len, diags) < 0)
		return -1;
	/*
	 * Read the schema ourselves: the reader's entity loader, which refuses
	 * every external resource, is process-wide and would refuse it too.
	 */
	if (file_read_all(xsd_path, &xsd, &xsdlen) < 0 || xsdlen > INT32_MAX ||
	    (pc = xmlSchemaNewMemParserCtxt(xsd, (int)xsdlen)) == NULL ||
	    (schema = xmlSchemaParse(pc)) == NULL) {
		loc.file = xsd_path;
		diag_add(diags, DIAG_ERROR, "SCHEMA", &loc, "cannot load the "
		    "schema");
		if (pc != NULL)
			xmlSchemaFreeParserCtxt(pc);
		free(xsd);
		return -1;
	}
	xmlSchemaFreeParserCtxt(pc);
	free(xsd);
	doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || doc->intSubset != NULL) {
		diag_add(diags, DIAG_ERROR, "SCHEMA", &loc, doc == NULL ?
		    "the document is not well-formed XML" :
		    "a DOCTYPE is not accepted");
		xmlFreeDoc(doc);
		xmlSchemaFree(schema);
		return -1;
	}
	vc = xmlSchemaNewValidCtxt(schema);
	xmlSchemaSetValidStructuredErrors(vc, schema_error_cb, &v);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	xmlSchemaFree(schema);
	return rc == 0 && v.errors == 0 ? 0 : -1;
}
