/*
 * xml_sax.c -- libxml2's push parser driven the way xmlTextReader drove
 * it, with callbacks instead of a tree.
 *
 * xmlTextReader (libxml2 2.9.14) builds a tree node for everything the
 * parser reports, hands it out and frees it again: over a third of the
 * reading time went there.  Here the same push parser is fed the same
 * chunks -- the first 4 bytes when it is made, then 512 bytes at a time,
 * the rest, and an empty last chunk that ends it -- so that libxml2 finds
 * and words its errors as it did under the reader, and the callbacks
 * hand xml_read.c the nodes the reader handed out:
 *  - an element's line is the parser's line at the end of its start tag,
 *    65535 at most (a tree node keeps 16 bits, and xmlGetLineNo said
 *    65535 past it);
 *  - a text node is the run of text pieces between two other nodes, with
 *    the line of its first piece;
 *  - which white space is dropped as ignorable (XML_PARSE_NOBLANKS)
 *    libxml2 decides itself, in its test areBlanks, from the element
 *    being built -- whether it has children yet, whether the first and the
 *    last are text: a stand-in node (x->here) tells it that;
 *  - what building the tree checked on the way is checked here, worded as
 *    libxml2 words it: an xml:id is an NCName and unique in the document,
 *    a text node is at most XML_MAX_TEXT_LENGTH bytes.
 * And the nodes are read when the reader read them.  It pushed chunks
 * until one held a start tag (a batch), then read the nodes the parser
 * had made, except those it waited on: an element with no child or a
 * single text child was left -- its text and its end -- until the node
 * after it came.  So a batch in which libxml2 reports an error takes
 * back the diagnostics its nodes gave (the reader never read them), an
 * element's end waits as the reader waited (x->end_pending), and a
 * refusal of ours lets the batch be parsed to its end, its nodes no
 * longer read, before reading stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "arena.h"
#include "xml_prescan.h"
#include "xml_read_int.h"

#define READER_FIRST	4	/* bytes xmlTextReaderSetup makes the parser with */
#define READER_CHUNK	512	/* xmlreader.c's CHUNK_SIZE */
#define NODE_LINE_MAX	65535	/* a tree node's line keeps 16 bits */

/* The parser's line, as a tree node made now would keep it. */
static uint32_t
node_line(const struct xr *x)
{
	int	line = x->ctxt->input != NULL ? x->ctxt->input->line : 0;

	if (line <= 0)
		return 0;
	return line < NODE_LINE_MAX ? (uint32_t)line : NODE_LINE_MAX;
}

/* Where the diagnostics stood when a batch began. */
static void
batch_begin(struct xr *x)
{
	x->mark = x->t->diags;
	x->mark.v = NULL;
	x->nread = 0;
}

/* Takes back the diagnostics given since the batch began. */
static void
batch_take_back(struct xr *x)
{
	diag_list_rewind(&x->t->diags, &x->mark);
}

/*
 * Whether the reader still read nodes: not after a refusal, except that
 * after an error of libxml2's it returned the node it had asked for, if
 * the batch had not given it yet.
 */
static bool
muted(const struct xr *x)
{
	return x->refused && !(x->libxml_failed && x->nread == 0);
}

/*
 * After an error of libxml2's, the node the reader still returned speaks
 * into x->saved, kept only if the document stays well-formed (push):
 * called before and after reading it, the lists are swapped.
 */
static void
divert(struct xr *x)
{
	struct diag_list	l;

	if (!x->libxml_failed)
		return;
	l = x->t->diags;
	x->t->diags = x->saved;
	x->saved = l;
}

/* A node was read. */
static void
node_read(struct xr *x)
{
	if (x->nread++ == 0) {
		x->first = x->t->diags;
		x->first.v = NULL;
	}
}

/*
 * libxml2's errors.  The first takes back what the batch's nodes said:
 * the reader read them after the batch, and not at all after an error,
 * but for the first node, which it returned when libxml2 went on parsing
 * (an error that leaves the document well-formed): what that node said is
 * kept aside, to come after the errors (push).
 */
static void
error_cb(void *arg, xmlErrorPtr e)
{
	struct xr		*x = arg;
	struct diag_list	 said;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	if (!x->libxml_failed) {
		x->libxml_failed = true;
		if (x->nread > 0) {
			memset(&said, 0, sizeof said);
			/* None kept (diags.v may still be NULL): only the
			 * counts of those dropped past the limit move. */
			said.v = x->first.n > x->mark.n ?
			    x->t->diags.v + x->mark.n : NULL;
			said.n = x->first.n - x->mark.n;
			said.errors = x->first.errors - x->mark.errors;
			said.warnings = x->first.warnings - x->mark.warnings;
			said.dropped = x->first.dropped - x->mark.dropped;
			diag_list_append(&x->saved, &said);
		}
		batch_take_back(x);
	}
	xr_libxml_error(x, e);
}

/* An error that building the tree raised, worded by libxml2's format. */
static void
tree_error(struct xr *x, const char *msg)
{
	xmlError	e;

	memset(&e, 0, sizeof e);
	e.domain = XML_FROM_PARSER;
	e.level = XML_ERR_ERROR;
	e.message = (char *)msg;
	if (x->ctxt->input != NULL) {
		e.line = x->ctxt->input->line;
		e.int2 = x->ctxt->input->col;
	}
	error_cb(x, &e);
}

/* Points libxml2 at the stand-in for the element being read (none outside
 * the root), whose children say what the open frame's are. */
static void
stand_in(struct xr *x)
{
	int			 depth = x->depth - (x->end_pending ? 1 : 0);
	const struct xml_frame	*f = &x->stack[depth];

	if (depth <= 0) {
		x->ctxt->node = NULL;
		return;
	}
	x->here.children = f->first != XKID_NONE ? &x->kid[f->first] : NULL;
	x->here.last = f->last != XKID_NONE ? &x->kid[f->last] : NULL;
	x->ctxt->node = &x->here;
}

/* The open element has one more child, of this kind. */
static void
child_added(struct xr *x, enum xkid kind)
{
	struct xml_frame	*f = &x->stack[x->depth];

	if (x->depth == 0)
		return;
	if (f->first == XKID_NONE)
		f->first = (unsigned char)kind;
	f->last = (unsigned char)kind;
	if (f->nkids < 2)
		f->nkids++;
	stand_in(x);
}

/* The text node being read, if any, ends: the reader read it now. */
static void
run_end(struct xr *x)
{
	if (!x->run.open)
		return;
	x->run.open = false;
	if (muted(x))
		return;
	x->line = x->run.line;
	divert(x);
	xr_text_end(x, x->run.len);
	divert(x);
	node_read(x);
}

/* The top frame's element ends, read now (its text first). */
static void
element_end(struct xr *x)
{
	x->end_pending = false;
	run_end(x);
	if (muted(x))
		return;
	x->line = x->stack[x->depth].line;
	divert(x);
	xr_element_end(x);
	divert(x);
	node_read(x);
	stand_in(x);
}

/* A node comes after an element the reader was waiting at: read its end. */
static void
pending_end(struct xr *x)
{
	if (x->end_pending)
		element_end(x);
}

/*
 * Each xml:id must be an NCName, and no two alike in the document (the
 * ID table lived as long as the document), as xmlSAX2AttributeNs checked.
 */
static void
ids_check(struct xr *x, int nattrs, const xmlChar **a)
{
	char	 msg[1024];
	xmlChar	*id;
	int	 i;

	for (i = 0; i < nattrs; i++, a += 5) {
		if (a[1] != x->ctxt->str_xml || strcmp((const char *)a[0],
		    "id") != 0)
			continue;
		if ((id = xmlStrndup(a[3], (int)(a[4] - a[3]))) == NULL)
			continue;
		if (xmlValidateNCName(id, 1) != 0) {
			snprintf(msg, sizeof msg, "xml:id : attribute value %s "
			    "is not an NCName\n", (const char *)id);
			tree_error(x, msg);
		}
		if (id[0] != '\0') {
			if (x->ids == NULL)
				x->ids = xmlHashCreate(0);
			if (x->ids != NULL && xmlHashAddEntry(x->ids, id,
			    x->ids) < 0) {
				snprintf(msg, sizeof msg, "ID %s already "
				    "defined\n", (const char *)id);
				tree_error(x, msg);
			}
		}
		xmlFree(id);
	}
}

static void
start_cb(void *arg, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct xr	*x = arg;
	const xmlChar	*cur = x->ctxt->input != NULL ? x->ctxt->input->cur : NULL;
	int		 depth = x->depth;

	x->started = true;
	ids_check(x, nattrs, attrs);
	pending_end(x);
	run_end(x);
	if (muted(x))
		return;
	child_added(x, XKID_OTHER);
	x->line = node_line(x);
	x->root_seen = true;
	divert(x);
	xr_element_start(x, (const char *)localname, (const char *)uri, nattrs,
	    attrs);
	divert(x);
	node_read(x);
	if (x->depth > depth) {
		/* As xmlTextReaderStartElementNs tells <a/>. */
		x->stack[x->depth].empty = cur != NULL && cur[0] == '/' &&
		    cur[1] == '>';
		stand_in(x);
	}
}

static void
end_cb(void *arg, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xr		*x = arg;
	struct xml_frame	*f;

	pending_end(x);
	f = &x->stack[x->depth];
	if (x->depth > 0 && f->empty) {
		/* The reader read <a/> in one: its start read, so its end. */
		x->line = f->line;
		divert(x);
		xr_element_end(x);
		divert(x);
		stand_in(x);
		return;
	}
	if (muted(x))
		return;
	/* The reader waited at an element with no child or one text child
	 * until the node after it came. */
	if (x->depth > 0 && (f->nkids == 0 || (f->nkids == 1 &&
	    f->first == XKID_TEXT))) {
		x->end_pending = true;
		stand_in(x);
		return;
	}
	element_end(x);
}

/* Text (CDATA too: XML_PARSE_NOCDATA) that libxml2 did not drop as blank. */
static void
characters_cb(void *arg, const xmlChar *ch, int len)
{
	struct xr	*x = arg;

	if (len < 0)
		return;
	if (x->run.open && !x->end_pending) {
		if (x->run.len + (size_t)len > XML_MAX_TEXT_LENGTH) {
			tree_error(x, "xmlSAX2Characters: huge text node");
			xmlStopParser(x->ctxt);	/* as xmlSAX2ErrMemory stops it */
			return;
		}
		x->run.len += (size_t)len;
		if (!muted(x))
			xr_text_piece(x, (const char *)ch, (size_t)len);
		return;
	}
	pending_end(x);
	if (muted(x) || x->depth == 0)
		return;
	x->run.open = true;
	x->run.len = (size_t)len;
	x->run.line = node_line(x);
	child_added(x, XKID_TEXT);
	xr_text_piece(x, (const char *)ch, (size_t)len);
}

/* A comment or a processing instruction: a node the reader stepped over. */
static void
other_node(struct xr *x)
{
	pending_end(x);
	run_end(x);
	if (muted(x))
		return;
	child_added(x, XKID_OTHER);
	node_read(x);
}

static void
comment_cb(void *arg, const xmlChar *value)
{
	other_node(arg);
}

static void
pi_cb(void *arg, const xmlChar *target, const xmlChar *data)
{
	other_node(arg);
}

/* Never called without a DTD (xml_prescan.c refuses one): kept refusing. */
static void
reference_cb(void *arg, const xmlChar *name)
{
	struct xr	*x = arg;

	pending_end(x);
	run_end(x);
	if (muted(x))
		return;
	x->line = node_line(x);
	divert(x);
	xr_refuse(x, "XML_FORBIDDEN", "entities are not accepted");
	divert(x);
	node_read(x);
}

static void
doctype_cb(void *arg, const xmlChar *name, const xmlChar *public_id,
    const xmlChar *system_id)
{
	struct xr	*x = arg;

	if (muted(x))
		return;
	x->line = x->ctxt->input != NULL && x->ctxt->input->line > 0 ?
	    (uint32_t)x->ctxt->input->line : 0;
	divert(x);
	xr_refuse(x, "XML_FORBIDDEN", "a DOCTYPE is not accepted: manifests "
	    "carry no DTD and no entities");
	divert(x);
	node_read(x);
}

/*
 * Gives one chunk to the parser: 0, or -1 when reading must stop -- an
 * error of libxml2's, or a refusal of ours once the batch is over.  A
 * chunk with a start tag ends a batch, so does a last short one (partial)
 * and the empty one that ends the document; until the reader first read
 * a node, only once an element is open (its first xmlTextReaderRead
 * pushed until then).  A last full chunk without a start tag shares its
 * batch with the end.
 */
static int
push(struct xr *x, const char *chunk, size_t len, int terminate,
    bool partial)
{
	bool	malformed;
	int	val;

	x->started = false;
	val = xmlParseChunk(x->ctxt, chunk, (int)len, terminate);
	malformed = val != 0 || !x->ctxt->wellFormed;
	if (x->libxml_failed) {
		/* Still well-formed: the reader read the node it was after. */
		if (!malformed)
			diag_list_append(&x->t->diags, &x->saved);
		return -1;
	}
	if (malformed) {
		if (!x->refused)
			xr_refuse(x, "XML_MALFORMED", "the document is not "
			    "well-formed XML");
		return -1;
	}
	if (!terminate && (!(x->started || partial) || (!x->reading &&
	    x->ctxt->nameNr == 0)))
		return 0;
	x->reading = true;
	if (x->refused)
		return -1;
	batch_begin(x);
	return 0;
}

/* Feeds the parser as xmlTextReaderPushData did; 0 or -1 (stopped). */
static int
feed(struct xr *x, const char *data, size_t len, size_t off,
    const struct xml_read_options *ro)
{
	size_t	tell = XML_SCAN_STEP;

	batch_begin(x);
	for (; len - off >= READER_CHUNK; off += READER_CHUNK) {
		if (push(x, data + off, READER_CHUNK, 0, false) < 0)
			return -1;
		/* What was pushed is the parser's copy now. */
		if (off + READER_CHUNK >= tell) {
			if (ro->consumed != NULL)
				ro->consumed(ro->arg, off + READER_CHUNK);
			/* How big the model will be (arena.h). */
			arena_prefault_progress(x->t->arena, off + READER_CHUNK,
			    len);
			tell = off + READER_CHUNK + XML_SCAN_STEP;
		}
	}
	if (off < len && push(x, data + off, len - off, 0, true) < 0)
		return -1;
	if (push(x, data + len, 0, 1, false) < 0)
		return -1;
	pending_end(x);
	return x->refused ? -1 : 0;
}

void
xml_sax_read(struct xr *x, const char *data, size_t len, int options,
    const struct xml_read_options *ro)
{
	xmlSAXHandler	sax;
	size_t		first = len >= READER_FIRST ? READER_FIRST : 0;

	if (data == NULL) {
		xr_refuse(x, "XML_MALFORMED", "the document cannot be read as XML");
		return;
	}
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = start_cb;
	sax.endElementNs = end_cb;
	sax.characters = characters_cb;
	sax.comment = comment_cb;
	sax.processingInstruction = pi_cb;
	sax.reference = reference_cb;
	sax.internalSubset = doctype_cb;
	sax.serror = error_cb;
	x->ctxt = xmlCreatePushParserCtxt(&sax, x, first != 0 ? data : NULL,
	    (int)first, NULL);
	if (x->ctxt == NULL) {
		xr_refuse(x, "XML_MALFORMED", "the document cannot be read as XML");
		return;
	}
	/* NOBLANKS gives ignorable white space to a callback of its own. */
	xmlCtxtUseOptions(x->ctxt, options);
	x->ctxt->linenumbers = 1;
	xr_intern_names(x, x->ctxt->dict);
	x->here.type = XML_ELEMENT_NODE;
	x->kid[XKID_TEXT].type = XML_TEXT_NODE;
	x->kid[XKID_OTHER].type = XML_ELEMENT_NODE;
	diag_list_init(&x->saved, 0);
	if (feed(x, data, len, first, ro) == 0 && !x->root_seen)
		xr_refuse(x, "NOT_A_MANIFEST", "the document has no root element");
	x->ctxt->node = NULL;
	xmlFreeParserCtxt(x->ctxt);
	x->ctxt = NULL;
	if (x->ids != NULL)
		xmlHashFree(x->ids, NULL);
	x->ids = NULL;
	diag_list_clear(&x->saved);
}
