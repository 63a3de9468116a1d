/*
 * xml.h -- the XML manifest profile (xml-manifest.md): a hardened
 * streaming reader into the train model, a writer from it, and schema
 * validation against etc/schema/manifest.xsd.
 *
 * Reading never loads external entities, DTDs or XIncludes, and refuses
 * any document with a DOCTYPE; limits bound depth, element count, text
 * and document size (struct xml_limits).  The reader installs, once per
 * process, an external-entity loader that refuses everything (libxml2
 * keeps that loader in a global).  Otherwise pure: one train per call,
 * any thread.
 */
#ifndef MANIFEST_XML_H
#define MANIFEST_XML_H

#include <stddef.h>

#include "diag.h"
#include "model.h"
#include "util.h"

#define XML_NAMESPACE "urn:railgate:manifest:1"

struct xml_limits {
	size_t	max_depth;	/* element nesting */
	size_t	max_elements;	/* elements in the document */
	size_t	max_text;	/* bytes of one text node */
	size_t	max_document;	/* bytes of the document */
	size_t	max_attributes;	/* attributes of one start tag, xmlns included */
	size_t	max_unknown_names; /* distinct names of skipped elements */
};

/*
 * Initialises libxml2 once, before any thread parses: its own lazy
 * initialisation is not thread-safe (two threads reading XML at once
 * each set up its encoding handlers, and one set was lost).  The
 * programs call it at start; any later call does nothing.
 */
void xml_init(void);

/* The safe defaults: depth 64, 50,000,000 elements, 1 MiB text (and start
 * tag), 1 GiB, 64 attributes a tag, 256 distinct unknown element names. */
void xml_limits_default(struct xml_limits *l);

/*
 * Reads an XML manifest into t (a new empty train) and finishes it.  0
 * when a train was read (its diagnostics may hold errors), -1 when the
 * document is refused (hostile, malformed, not a railgate manifest): t's
 * diagnostics say why, with the line.  limits NULL: the defaults.
 */
int xml_parse(const char *data, size_t len, const struct xml_limits *limits,
    struct manifest_train *t);

/* What a caller may be told while its document is read. */
struct xml_read_options {
	/*
	 * Optional: the reader is done, for now, with data[0, upto) -- a
	 * caller that mapped a file may give those pages back.  The bytes
	 * are read twice, the byte checks first (xml_prescan.h), then
	 * libxml2: the second pass starts again from 0, with a smaller upto.
	 */
	void	(*consumed)(void *arg, size_t upto);
	void	 *arg;
	/* 1: read on the caller's thread alone, no prefault thread. */
	unsigned threads;
};

/*
 * xml_parse, telling ro what it may (ro NULL: as xml_parse).  From
 * XML_PREFAULT_MIN_BYTES on, unless ro->threads is 1, the model's big
 * chunks are mapped and touched ahead on a second thread
 * (arena_prefault_start).
 */
#define XML_PREFAULT_MIN_BYTES ((size_t)16 << 20)
int xml_parse_with(const char *data, size_t len,
    const struct xml_limits *limits, const struct xml_read_options *ro,
    struct manifest_train *t);

/* Appends the train as an XML manifest of the profile to out. */
void xml_write_manifest(const struct manifest_train *t, struct buf *out);

/*
 * Validates data against the XML Schema at xsd_path; each violation is a
 * SCHEMA diagnostic with its line.  0 valid, -1 invalid or unreadable.
 */
int xml_validate(const char *data, size_t len, const char *xsd_path,
    struct diag_list *diags);

#endif
