/*
 * lexpipe.h -- the lexer on a thread of its own, one batch ahead of the
 * reader that maps its segments (internal to edi/).
 *
 * The lexer thread cuts segments into batches: a few thousand segments
 * with their separators, and the bad or cut-off segments it met between
 * them as events, each with the place in the sequence where the one-
 * thread lexer would have reported it.  The reader takes the batches in
 * order and reports every event in its place, so that the model and the
 * diagnostics are those of a read on one thread.  Batches live in a ring
 * of slots allocated once per read and reused (4 of 2,048 segments,
 * 1.4 MB).
 *
 * Ownership: the pipe borrows the input and the lexer it starts from
 * (which must stay unchanged until edi_lexpipe_free); a batch belongs to
 * the reader from edi_lexpipe_next to edi_lexpipe_done, to the lexer
 * thread otherwise.  One reader thread per pipe.
 */
#ifndef EDI_LEXPIPE_H
#define EDI_LEXPIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lexer.h"

#define EDI_BATCH_SEGMENTS	2048
#define EDI_BATCH_EVENTS	64

struct edi_batch {
	struct edi_segment	 seg[EDI_BATCH_SEGMENTS];
	unsigned		 nseg;
	/* ev[k] comes before seg[ev_before[k]] (== nseg: after the last). */
	struct edi_lex_event	 ev[EDI_BATCH_EVENTS];
	uint32_t		 ev_before[EDI_BATCH_EVENTS];
	unsigned		 nev;
	/* 1: more batches follow; 0: the input ended; -1: it ended inside a
	 * segment (the last event says where). */
	int			 more;
};

struct edi_lexpipe;

/*
 * Starts a thread lexing on from lx (copied: lx itself is not touched);
 * NULL when no thread could be started (read on one thread then).  When
 * the ring is full the thread calls idle(idle_arg) (NULL: none) before
 * it sleeps, again and again while it answers true and the ring stays
 * full: a slice of work of a few tens of microseconds, which the reader
 * would otherwise do itself or leave to a third thread (the model's
 * pages, arena_prefault_step).  It runs on the lexer thread, while the
 * reader reads.
 */
struct edi_lexpipe *edi_lexpipe_start(const struct edi_lexer *lx,
    bool (*idle)(void *), void *idle_arg);
/* The next batch, in order, waiting for it; NULL after the last one. */
const struct edi_batch *edi_lexpipe_next(struct edi_lexpipe *p);
/* The reader is done with the batch edi_lexpipe_next gave. */
void edi_lexpipe_done(struct edi_lexpipe *p);
/* Waits for the lexer thread to end (the reader took every batch) and
 * frees p; accepts NULL. */
void edi_lexpipe_free(struct edi_lexpipe *p);

#endif
