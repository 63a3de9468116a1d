/*
 * reader.h -- reading a UN/EDIFACT interchange as a whole-train manifest
 * (edifact-rail.md §1-2): the envelope, its control counts and
 * references, and the CUSCAR or IFCSUM messages inside.
 *
 * Pure: no globals, no I/O; safe on any thread (one train per call).
 */
#ifndef EDI_READER_H
#define EDI_READER_H

#include <stddef.h>

#include "manifest/model.h"

/*
 * Reads data into t, a new empty train (manifest_train_new()), and
 * finishes it.  0 when a train was read -- its diagnostics may still hold
 * errors --, -1 when the input is not a readable manifest interchange
 * (truncated, not EDIFACT, no CUSCAR or IFCSUM message): t's diagnostics
 * say why and where.
 */
int edi_read(const char *data, size_t len, struct manifest_train *t);

/*
 * For a caller reading a file bigger than it wants resident: consumed is
 * called now and then with an offset below which the reader will not
 * look again (within a step of EDI_CONSUMED_STEP bytes), so that the
 * caller can drop those pages.  Values the model needs are copied out
 * before.
 */
#define EDI_CONSUMED_STEP ((size_t)4 << 20)
/*
 * threads: 0 lexes on a second thread of its own, one batch of segments
 * ahead of the mapping, when the input has EDI_PIPE_MIN_BYTES or more
 * (below, starting a thread costs more than it saves); 1 reads on the
 * caller's thread only; 2 always uses the second thread (tests).  The
 * result is the same either way: the model, every diagnostic in its
 * order and place, the consumed calls.  consumed is called on the
 * caller's thread.
 *
 * From EDI_PREFAULT_MIN_BYTES on, unless threads is 1, the model's big
 * chunks are also mapped and touched ahead by the lexer's thread while
 * it waits for the mapper (arena_prefault_step): the kernel's filling of
 * fresh pages then runs beside the reading instead of inside it.
 */
#define EDI_PIPE_MIN_BYTES ((size_t)1 << 20)
#define EDI_PREFAULT_MIN_BYTES ((size_t)8 << 20)
struct edi_read_options {
	void		(*consumed)(void *arg, size_t upto);
	void		 *arg;
	unsigned	  threads;
};
/* edi_read with options; opt may be NULL. */
int edi_read_with(const char *data, size_t len,
    const struct edi_read_options *opt, struct manifest_train *t);

#endif
