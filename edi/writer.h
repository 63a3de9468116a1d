/*
 * writer.h -- the train model as a UN/EDIFACT interchange (CUSCAR or
 * IFCSUM, edifact-rail.md §2), for the generator, tests and forwarding.
 *
 * What the writer writes, the reader reads back to the same model: every
 * field of the canonical JSON has its place.  A train with more goods
 * items than one message should hold is split into several messages,
 * each listing the equipment its own consignments use; empty equipment
 * rides in the message that first reaches past it, so that positions
 * (order of first appearance) follow the train's order.
 * Output is appended to a caller-owned buffer.  Pure; any thread.
 */
#ifndef EDI_WRITER_H
#define EDI_WRITER_H

#include <stddef.h>

#include "manifest/model.h"
#include "manifest/util.h"

#include "codeset.h"
#include "map.h"

struct edi_write_options {
	enum edi_message_kind	 kind;		/* CUSCAR (default) or IFCSUM */
	int			 syntax;	/* 3 or 4 (0: 4) */
	const char		*charset;	/* "UNOC"...; NULL: UNOY (syntax 4), UNOC (3) */
	size_t			 max_items;	/* per message; 0: 10,000 */
	const char		*sender;	/* UNB sender; default "RAILGATE" */
	const char		*recipient;	/* default the border station */
	const char		*reference;	/* UNB 0020; default from the manifest */
	int64_t			 prepared;	/* UNB date/time; default the issue time */
};

/* Appends the interchange for t to out (o->kind picks the message). */
void edi_write_manifest(const struct manifest_train *t,
    const struct edi_write_options *o, struct buf *out);
/* The same as CUSCAR, whatever o->kind says; o may be NULL (defaults). */
void edi_write_cuscar(const struct manifest_train *t,
    const struct edi_write_options *o, struct buf *out);
/* The same as IFCSUM, whatever o->kind says; o may be NULL (defaults). */
void edi_write_ifcsum(const struct manifest_train *t,
    const struct edi_write_options *o, struct buf *out);

#endif
