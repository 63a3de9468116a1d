/*
 * reader.c -- the interchange envelope: UNB/UNG/UNH/UNT/UNE/UNZ.
 *
 * Control counts and references are checked and reported; a mismatch
 * alone does not stop reading.  What stops it -- the input ending before
 * UNZ, or no message railgate can read -- makes the whole upload
 * unreadable, as the profile says.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/arena.h"
#include "manifest/ident.h"
#include "manifest/value.h"

#include "lexer.h"
#include "lexpipe.h"
#include "map.h"
#include "reader.h"

struct envelope {
	struct edi_lexer	 lx;
	struct edi_map		 map;
	struct manifest_train	*t;
	/* Copies, not views: the input before the reader may be gone (consumed). */
	struct buf		 unb_ref;
	struct buf		 ung_ref;
	struct buf		 unh_ref;
	bool			 in_group, in_message, unz_seen;
	unsigned		 messages;	/* in the interchange */
	unsigned		 groups;
	unsigned		 group_messages;
	unsigned		 message_segments;
	unsigned		 readable;	/* CUSCAR / IFCSUM messages */
};

/* Compares a control count element with what was counted. */
static void
check_count(struct envelope *e, const struct edi_segment *seg, unsigned have,
    const char *what)
{
	struct edi_view	v = edi_component(&e->lx, seg, 0, 0);
	int64_t		n;

	if (value_count_parse(v.p, v.len, &n) < 0 || n != (int64_t)have)
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, strcmp(seg->tag, "UNT") == 0 ?
		    "UNT_COUNT" : strcmp(seg->tag, "UNE") == 0 ? "UNE_COUNT" :
		    "UNZ_COUNT", "%s says %.*s %s, the %s has %u", seg->tag,
		    (int)(v.len > 12 ? 12 : v.len), v.p, what,
		    strcmp(seg->tag, "UNT") == 0 ? "message" :
		    strcmp(seg->tag, "UNE") == 0 ? "group" : "interchange", have);
}

/* Keeps a copy of an opening segment's reference. */
static void
keep_ref(struct buf *b, struct edi_view v)
{
	buf_reset(b);
	buf_add(b, v.p, v.len);
}

/* Compares a control reference element with the opening one. */
static void
check_ref(struct envelope *e, const struct edi_segment *seg, int el,
    const struct buf *kept, const char *code, const char *opener)
{
	struct edi_view	v = edi_component(&e->lx, seg, el, 0);
	struct edi_view	want = { kept->len != 0 ? kept->data : "", kept->len };

	if (v.len != want.len || (v.len != 0 && memcmp(v.p, want.p, v.len) != 0))
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, code, "%s reference \"%.*s\" differs "
		    "from the %s reference \"%.*s\"", seg->tag,
		    (int)(v.len > 35 ? 35 : v.len), v.p, opener,
		    (int)(want.len > 35 ? 35 : want.len), want.p);
}

/* UNB: repertoire, syntax version, reference. */
static void
read_unb(struct envelope *e, const struct edi_segment *seg)
{
	struct edi_view	id = edi_component(&e->lx, seg, 0, 0);
	struct edi_view	ver = edi_component(&e->lx, seg, 0, 1);
	enum edi_codeset cs = edi_codeset_from_id(id.p, id.len);

	if (cs == EDI_CODESET_UNKNOWN)
		edi_segment_diag(&e->t->diags, seg, DIAG_WARNING, "CHARSET",
		    "syntax identifier \"%.*s\" is not UNOA-UNOE or UNOY: read as "
		    "UNOC", (int)(id.len > 8 ? 8 : id.len), id.p);
	if (!edi_view_is(ver, "3") && !edi_view_is(ver, "4") &&
	    !edi_view_is(ver, "1") && !edi_view_is(ver, "2"))
		edi_segment_diag(&e->t->diags, seg, DIAG_WARNING, "SYNTAX_VERSION",
		    "syntax version \"%.*s\" is not 3 or 4", (int)(ver.len > 4 ?
		    4 : ver.len), ver.p);
	keep_ref(&e->unb_ref, edi_component(&e->lx, seg, 4, 0));
	edi_map_init(&e->map, e->t, &e->lx, cs == EDI_CODESET_UNKNOWN ?
	    EDI_CODESET_UNOC : cs);
}

/* The kind of message UNH declares; warns about other directories. */
static enum edi_message_kind
message_kind(struct envelope *e, const struct edi_segment *seg)
{
	struct edi_view	type = edi_component(&e->lx, seg, 1, 0);
	struct edi_view	rel = edi_component(&e->lx, seg, 1, 2);
	enum edi_message_kind kind;

	if (edi_view_is(type, "CUSCAR"))
		kind = EDI_MSG_CUSCAR;
	else if (edi_view_is(type, "IFCSUM"))
		kind = EDI_MSG_IFCSUM;
	else {
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "UNSUPPORTED_MESSAGE",
		    "message type %.*s is not a manifest (CUSCAR or IFCSUM)",
		    (int)(type.len > 12 ? 12 : type.len), type.p);
		return EDI_MSG_OTHER;
	}
	if (!edi_view_is(rel, "96B") && !edi_view_is(rel, "95B") &&
	    !edi_view_is(rel, "01B"))
		edi_segment_diag(&e->t->diags, seg, DIAG_WARNING, "DIRECTORY",
		    "directory D.%.*s is read with the D.96B mapping",
		    (int)(rel.len > 6 ? 6 : rel.len), rel.p);
	return kind;
}

/* Closes the open message (at its UNT, or where it should have been). */
static void
close_message(struct envelope *e, const struct edi_segment *at)
{
	edi_map_end_message(&e->map, at);
	e->in_message = false;
}

/* UNH: a message starts. */
static void
read_unh(struct envelope *e, const struct edi_segment *seg)
{
	enum edi_message_kind	kind;

	if (e->in_message) {
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "MISSING_UNT",
		    "a new message starts before the previous one's UNT");
		close_message(e, seg);
	}
	e->in_message = true;
	e->messages++;
	e->group_messages++;
	e->message_segments = 1;
	keep_ref(&e->unh_ref, edi_component(&e->lx, seg, 0, 0));
	kind = message_kind(e, seg);
	if (kind != EDI_MSG_OTHER)
		e->readable++;
	edi_map_begin_message(&e->map, kind, e->messages);
}

/* A container in a message railgate does not read: its check digit only. */
static void
check_foreign_container(struct envelope *e, const struct edi_segment *seg)
{
	struct edi_view	v = edi_component(&e->lx, seg, 1, 0);
	char		num[16];
	int		want;

	if (seg->code != EDI_TAG('E', 'Q', 'D') ||
	    !edi_view_is(edi_component(&e->lx, seg, 0, 0), "CN") || v.len != 11)
		return;
	memcpy(num, v.p, 11);
	num[11] = '\0';
	if (ident_iso6346_check(num, &want) == IDENT_BAD_CHECK)
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "CONTAINER_CHECK_DIGIT",
		    "check digit of container %s is %c, expected %d", num,
		    num[10], want);
}

/*
 * A segment of a message railgate does not map: its text is still
 * checked against the declared repertoire, so that UTF-8 under a Latin
 * declaration is reported whatever the message.
 */
static void
check_foreign_text(struct envelope *e, const struct edi_segment *seg)
{
	struct buf	out = { 0 };
	size_t		i;
	unsigned	flags;

	if (e->map.warned_utf8 || e->map.codeset == EDI_CODESET_UNOY)
		return;
	for (i = 0; i < seg->len && (unsigned char)seg->p[i] < 0x80; i++)
		;
	if (i == seg->len)
		return;
	flags = edi_codeset_to_utf8(e->map.codeset, seg->p, seg->len, &out);
	buf_free(&out);
	if (flags & EDI_CODESET_READ_AS_UTF8) {
		e->map.warned_utf8 = true;
		edi_segment_diag(&e->t->diags, seg, DIAG_WARNING, "CHARSET_UTF8_UNDECLARED",
		    "UTF-8 text under a %s declaration: read as UTF-8 (declare "
		    "UNOY)", edi_codeset_name(e->map.codeset));
	}
}

/*
 * A segment of the envelope (UNG, UNE, UNH, UNT, UNZ): 1 when seg was
 * one, 0 for another "UN?" tag, which is a message's segment as any other.
 */
static int
read_envelope(struct envelope *e, const struct edi_segment *seg)
{
	switch (seg->code) {
	case EDI_TAG('U', 'N', 'G'):
		e->in_group = true;
		e->groups++;
		e->group_messages = 0;
		keep_ref(&e->ung_ref, edi_component(&e->lx, seg, 4, 0));
		return 1;
	case EDI_TAG('U', 'N', 'E'):
		check_count(e, seg, e->group_messages, "messages");
		check_ref(e, seg, 1, &e->ung_ref, "UNE_REFERENCE", "UNG");
		e->in_group = false;
		return 1;
	case EDI_TAG('U', 'N', 'H'):
		read_unh(e, seg);
		return 1;
	case EDI_TAG('U', 'N', 'T'):
		if (!e->in_message) {
			edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "STRUCTURE",
			    "UNT outside any message");
			return 1;
		}
		e->message_segments++;
		check_count(e, seg, e->message_segments, "segments");
		check_ref(e, seg, 1, &e->unh_ref, "UNT_REFERENCE", "UNH");
		close_message(e, seg);
		return 1;
	case EDI_TAG('U', 'N', 'Z'):
		if (e->in_message) {
			edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "MISSING_UNT",
			    "the interchange ends before the message's UNT");
			close_message(e, seg);
		}
		check_count(e, seg, e->groups != 0 ? e->groups : e->messages,
		    e->groups != 0 ? "groups" : "messages");
		check_ref(e, seg, 1, &e->unb_ref, "UNZ_REFERENCE", "UNB");
		e->unz_seen = true;
		return 1;
	default:
		return 0;
	}
}

/* One segment in its place in the envelope; inlined in both readers'
 * loops (a call costs ~20 instructions a segment). */
static inline __attribute__((always_inline)) void
read_segment(struct envelope *e, const struct edi_segment *seg)
{
	if (e->unz_seen) {
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "STRUCTURE",
		    "%s after UNZ, the end of the interchange", seg->tag);
		return;
	}
	/* Only a tag "UN?" can be the envelope's: one compare spares the
	 * switch for the segments of a message, nearly all of them. */
	if ((seg->code >> 8) == EDI_TAG(0, 'U', 'N') && read_envelope(e, seg))
		return;
	if (!e->in_message) {
		edi_segment_diag(&e->t->diags, seg, DIAG_ERROR, "STRUCTURE",
		    "%s outside any message (no UNH before it)", seg->tag);
		return;
	}
	e->message_segments++;
	if (e->map.kind == EDI_MSG_OTHER) {
		check_foreign_container(e, seg);
		check_foreign_text(e, seg);
	} else
		edi_map_segment(&e->map, seg);
}

/* Records a whole-upload error at byte offset off. */
static int
unreadable(struct envelope *e, const char *code, uint64_t off,
    const char *msg)
{
	struct diag_loc	loc = diag_loc_none();

	loc.offset = off;
	diag_add(&e->t->diags, DIAG_ERROR, code, &loc, "%s", msg);
	return -1;
}

int
edi_read(const char *data, size_t len, struct manifest_train *t)
{
	return edi_read_with(data, len, NULL, t);
}

/* Tells the caller's consumed hook, every EDI_CONSUMED_STEP bytes. */
static inline void
report_consumed(const struct edi_read_options *opt, size_t *reported,
    uint64_t offset)
{
	if (opt != NULL && opt->consumed != NULL &&
	    offset - *reported >= EDI_CONSUMED_STEP) {
		*reported = offset;
		opt->consumed(opt->arg, *reported);
	}
}

/* The segments after UNB, lexed on this thread: the lexer's result. */
static int
read_segments(struct envelope *e, const struct edi_read_options *opt)
{
	struct edi_segment	seg;
	size_t			reported = 0;
	int			rc;

	while ((rc = edi_lexer_next(&e->lx, &seg)) == 1) {
		read_segment(e, &seg);
		report_consumed(opt, &reported, seg.offset);
	}
	return rc;
}

/* The lexer thread's idle work: the model's next pages (arena.c). */
static bool
prefault_step(void *arena)
{
	return arena_prefault_step(arena);
}

/*
 * The segments after UNB, lexed on another thread (lexpipe.h), in the
 * same order and with the lexer's diagnostics in the same places as
 * read_segments().  The consumed hook is told the offsets it would be
 * told there: a segment being mapped is behind the lexer, so the bytes
 * before it are done with on both threads.  -2 when no thread started.
 */
static int
read_segments_piped(struct envelope *e, const struct edi_read_options *opt,
    const char *data, size_t len)
{
	struct edi_lexpipe	*p;
	const struct edi_batch	*b;
	size_t			 reported = 0;
	unsigned		 i, k;
	int			 rc = 0;

	if ((p = edi_lexpipe_start(&e->lx, prefault_step, e->t->arena)) == NULL)
		return -2;
	while ((b = edi_lexpipe_next(p)) != NULL) {
		for (i = 0, k = 0; i < b->nseg; i++) {
			for (; k < b->nev && b->ev_before[k] == i; k++)
				edi_lex_event_report(&e->t->diags, data, len,
				    &b->ev[k]);
			read_segment(e, &b->seg[i]);
			report_consumed(opt, &reported, b->seg[i].offset);
		}
		for (; k < b->nev; k++)
			edi_lex_event_report(&e->t->diags, data, len, &b->ev[k]);
		if (b->nseg > 0)	/* how big the model will be */
			arena_prefault_progress(e->t->arena,
			    b->seg[b->nseg - 1].offset, len);
		rc = b->more;
		edi_lexpipe_done(p);
	}
	edi_lexpipe_free(p);
	return rc;
}

/* Whether to lex on a thread of its own (edi_read_options.threads). */
static bool
use_pipe(const struct edi_read_options *opt, size_t len)
{
	unsigned	threads = opt != NULL ? opt->threads : 0;

	return threads >= 2 || (threads == 0 && len >= EDI_PIPE_MIN_BYTES);
}

/*
 * Whether to have the model's chunks prefaulted (arena.h) by the lexer's
 * thread: a big input read with one.  The model takes 1.3 to 1.5 times
 * the input's bytes, the first guess (arena_prefault_progress() refines
 * it).
 */
static bool
use_prefault(const struct edi_read_options *opt, size_t len)
{
	return use_pipe(opt, len) && len >= EDI_PREFAULT_MIN_BYTES;
}

int
edi_read_with(const char *data, size_t len, const struct edi_read_options *opt,
    struct manifest_train *t)
{
	struct envelope	 e;
	struct edi_segment seg;
	int		 rc;

	memset(&e, 0, sizeof e);
	e.t = t;
	t->source = MANIFEST_SOURCE_EDIFACT;
	edi_lexer_init(&e.lx, data, len, &t->diags);
	rc = edi_lexer_next(&e.lx, &seg);
	if (rc <= 0 || seg.code != EDI_TAG('U', 'N', 'B'))
		return unreadable(&e, "NOT_EDIFACT", rc > 0 ? seg.offset : 0,
		    "the interchange does not start with UNB (after an optional "
		    "UNA)");
	read_unb(&e, &seg);
	/* The lexer's thread fills the pages while it waits for the mapper;
	 * when it cannot be started, no one does (the reader faults its own:
	 * a third thread would not start either). */
	if (use_prefault(opt, len))
		(void)arena_prefault_begin(t->arena, len / 2 * 3);
	rc = use_pipe(opt, len) ? read_segments_piped(&e, opt, data, len) : -2;
	if (rc == -2)
		rc = read_segments(&e, opt);
	rc = rc < 0 ? -1 : 0;
	if (rc == 0 && !e.unz_seen)
		rc = unreadable(&e, "TRUNCATED", len, "the interchange ends "
		    "without UNZ: it is incomplete");
	if (rc == 0 && e.messages == 0)
		rc = unreadable(&e, "NO_MESSAGE", len,
		    "the interchange holds no message");
	if (rc == 0 && e.readable == 0)
		rc = unreadable(&e, "UNSUPPORTED_MESSAGE", 0, "the interchange "
		    "holds no CUSCAR or IFCSUM message: not a train manifest");
	if (rc == 0 && e.map.multiple_trains)
		rc = unreadable(&e, "MULTIPLE_TRAINS", 0, "the interchange "
		    "describes more than one train: send one interchange per train");
	if (rc == 0 && t->id == NULL)
		rc = unreadable(&e, "TRAIN_ID_MISSING", 0,
		    "no message names the train (TDT conveyance reference)");
	if (rc == 0 && manifest_train_check_number(t) < 0)
		rc = -1;
	if (rc == 0)
		manifest_train_finish(t);
	(void)arena_prefault_stop(t->arena);
	edi_map_clear(&e.map);
	buf_free(&e.unb_ref);
	buf_free(&e.ung_ref);
	buf_free(&e.unh_ref);
	return rc;
}
