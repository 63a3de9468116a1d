/*
 * ingest.c -- the manifest path.
 *
 * The worker does every CPU-heavy step so that the loop only moves
 * buffers and runs one statement.  The raw bytes stored are the
 * decompressed manifest (a gzip body is unwrapped first), so that their
 * SHA-256 is the one `railgate check` prints for the same file and a
 * replay re-reads exactly what was decided.
 *
 * A body of INGEST_APART or more is moved out of its evbuffer into a
 * mapping of the job's own (ingest_take_body), a few MiB at a time, so
 * that the manifest is never resident twice; the EDIFACT reader then
 * says which leading bytes it is done with (input_options.consumed) and
 * their pages go back to the kernel as the model grows.  A
 * million-parcel train is so about its model's size at the peak rather
 * than the model and the bytes together.  A smaller body is copied into
 * the heap (ingest_copy_body).  What the database is told of the train
 * read is ingest_summary.c's.
 */
#include <sys/mman.h>

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "db/peer.h"
#include "db/store.h"
#include "manifest/detect.h"
#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "daemon/outcome.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/handoff.h"
#include "daemon/hooks.h"
#include "daemon/http/http.h"
#include "daemon/ingest.h"
#include "daemon/ingest_summary.h"
#include "engine/input.h"
#include "rules/pool.h"
#include "daemon/log.h"
#include "daemon/pool.h"

#define INFLATE_RATIO	64
#define INFLATE_FLOOR	((size_t)16 << 20)
#define BODY_STEP	((size_t)4 << 20)	/* bytes moved out of the evbuffer at a time */
#define BODY_TRIM	((size_t)32 << 20)	/* malloc_trim after so many */

/* A body moved into a private anonymous mapping; the parsed part dropped. */
struct ingest_bytes {
	char	*base;
	size_t	 len;
	size_t	 mapped;	/* bytes mapped (len rounded up to pages) */
	size_t	 dropped;	/* leading bytes given back to the kernel */
};

struct ingest_job {
	struct daemon		*d;
	ingest_done_cb		 cb;
	void			*arg;
	char			*source, *principal, *key;
	char			*carriers;	/* NULL: any carrier */
	bool			 appointment;
	size_t			 max_size;
	unsigned		 parse_threads;	/* input_options.threads */

	/* Input: one of the two. */
	struct evbuffer		*body;
	char			*path;

	/* Worker output. */
	int			 read_error;	/* errno reading path */
	char			 sha256[65];
	int64_t			 raw_size;
	unsigned char		*raw_z;
	size_t			 raw_z_len;
	const char		*format;
	int			 accepted;
	char			*train_no;
	const char		*function;
	bool			 green_lane;
	struct buf		 diags;
	struct buf		 train;
	struct buf		 wagons;
	struct manifest_train	*model;		/* for the evaluator, if accepted */
	double			 parse_ms;

	/* A pre-arrival message from the neighbour carried the manifest. */
	struct ingest_peer_message peer;	/* strings owned; sender NULL: none */
};

/* Frees a job and everything it owns. */
static void
ingest_job_free(struct ingest_job *j)
{
	j->d->ingests--;
	if (j->body != NULL)
		evbuffer_free(j->body);
	free(j->path);
	free(j->source);
	free(j->principal);
	free(j->key);
	free(j->carriers);
	free(j->raw_z);
	free(j->train_no);
	manifest_train_free(j->model);
	buf_free(&j->diags);
	buf_free(&j->train);
	buf_free(&j->wagons);
	free((char *)j->peer.sender);
	free((char *)j->peer.message_id);
	free((char *)j->peer.envelope);
	free((char *)j->peer.train_no);
	free((char *)j->peer.neighbour);
	free(j);
}

/* The bytes as they will be stored: their hash, size, zlib form, format. */
static void
ingest_keep_raw(struct ingest_job *j, const char *data, size_t len)
{
	/* Hashed on a second thread meanwhile, unless parse_threads is 1. */
	j->raw_size = (int64_t)len;
	j->raw_z = input_deflate_stored(data, len, j->parse_threads, j->sha256,
	    &j->raw_z_len);
	j->format = manifest_format_name(manifest_detect_format(data, len));
}

/*
 * The reader is done with [0, upto) of the mapped body (edi/reader.h):
 * those pages go back to the kernel.  It never reads them again; should
 * anything, it reads zeros of a private anonymous page, never another
 * train's bytes.
 */
static void
ingest_drop_consumed(void *arg, size_t upto)
{
	struct ingest_bytes	*b = arg;
	size_t			 page = (size_t)sysconf(_SC_PAGESIZE);
	size_t			 end = upto / page * page;

	if (end <= b->dropped)
		return;
	(void)madvise(b->base + b->dropped, end - b->dropped, MADV_DONTNEED);
	b->dropped = end;
}

/* Parses the plain bytes and fills the job's model and summaries. */
static void
ingest_read(struct ingest_job *j, const char *data, size_t len,
    const struct input_options *opt)
{
	struct manifest_train	*t;
	struct jsonw		 w;
	struct timespec		 t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The parsers check the train number; checked again here, so that
	 * no reader can hand the database one the API cannot name. */
	j->accepted = input_parse(data, len, opt, &t) == 0 && t->id != NULL &&
	    manifest_train_check_number(t) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	j->parse_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (j->accepted) {
		j->train_no = xstrdup(t->id);
		j->function = manifest_function_name(t->function);
		j->green_lane = j->appointment || ingest_train_perishable(t);
		ingest_summary_train(t, j->green_lane, &j->train);
		ingest_summary_wagons(t, &j->wagons);
	} else if (t->diags.errors == 0) {
		struct diag_loc loc = diag_loc_none();

		diag_add(&t->diags, DIAG_ERROR, "TRAIN_ID_MISSING", &loc,
		    "the manifest names no train (conveyance reference)");
	}
	jsonw_init(&w, &j->diags);
	manifest_json_write_diags(&w, &t->diags);
	if (j->accepted)
		j->model = t;	/* the evaluator may take it */
	else
		manifest_train_free(t);
}

/* The two halves of a small manifest's ingestion (ingest_parse). */
struct ingest_halves {
	struct ingest_job		*j;
	const char			*data;
	size_t				 len;
	const struct input_options	*opt;
};

static void
ingest_half_cb(void *arg, size_t i)
{
	struct ingest_halves	*h = arg;

	if (i == 0)
		ingest_read(h->j, h->data, h->len, h->opt);
	else
		ingest_keep_raw(h->j, h->data, h->len);
}

/*
 * Parses the plain bytes and fills every output of the job; mapped (may
 * be NULL) holds data, whose parsed pages may then be dropped.
 *
 * A manifest under INGEST_APART is read (parsed, its contents hashed) on
 * this thread while a second one compresses and hashes its bytes: the
 * two write apart fields of the job, and neither drops a page the other
 * reads (a 5,000-item train: 5 ms and 3 ms of CPU, one after the other
 * before).  A bigger one is compressed first, then read while its pages
 * are dropped: read side by side, its bytes would stay whole beside the
 * growing model, over the daemon's memory bound (docs/daemon.md).
 * [daemon] parse_threads = 1 keeps both halves on this thread.
 */
#define INGEST_APART	((size_t)8 << 20)
static void
ingest_parse(struct ingest_job *j, const char *data, size_t len,
    struct ingest_bytes *mapped)
{
	struct input_options	 opt = { .max_size = j->max_size,
				    .threads = j->parse_threads };
	struct ingest_halves	 h = { j, data, len, &opt };

	if (len < INGEST_APART) {
		(void)rules_pool_run(j->parse_threads == 1 ? 1 : 2, 2,
		    ingest_half_cb, &h);
		return;
	}
	ingest_keep_raw(j, data, len);
	if (mapped != NULL) {
		opt.consumed = ingest_drop_consumed;
		opt.consumed_arg = mapped;
	}
	ingest_read(j, data, len, &opt);
}

/*
 * How far a gzip body of len bytes may inflate: manifests compress 5 to
 * 25 times (EDIFACT about 5, XML up to about 21), so past 64 times it is a
 * bomb, refused after 64 MB for a 1 MB body rather than after max bytes
 * (max_body_mb) of inflating.  Never under 16 MiB, never over max.
 */
static size_t
inflate_cap(size_t len, size_t max)
{
	size_t	cap = len > SIZE_MAX / INFLATE_RATIO ? max : len * INFLATE_RATIO;

	if (cap < INFLATE_FLOOR)
		cap = INFLATE_FLOOR;
	return cap < max ? cap : max;
}

/*
 * Moves the job's body into b, BODY_STEP bytes at a time: each step frees
 * the evbuffer chains it emptied, and malloc_trim gives their heap pages
 * back (freed from the bottom of the heap, they would stay resident until
 * the last), so that the body is never held twice as evbuffer_pullup()
 * would.  -1 when the mapping cannot be made (nothing moved: the caller
 * pulls up), -2 when the evbuffer gave fewer bytes than it held (never
 * stored or parsed short: the caller fails the job).
 */
static int
ingest_take_body(struct ingest_job *j, struct ingest_bytes *b)
{
	size_t	page = (size_t)sysconf(_SC_PAGESIZE);
	size_t	off = 0, trimmed = 0;
	int	n;

	b->len = evbuffer_get_length(j->body);
	b->mapped = b->len == 0 ? page : (b->len + page - 1) / page * page;
	b->dropped = 0;
	b->base = mmap(NULL, b->mapped, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->base == MAP_FAILED) {
		b->base = NULL;
		return -1;
	}
	while (off < b->len) {
		n = evbuffer_remove(j->body, b->base + off,
		    b->len - off < BODY_STEP ? b->len - off : BODY_STEP);
		if (n <= 0)
			break;
		off += (size_t)n;
		if (off - trimmed >= BODY_TRIM) {
			(void)malloc_trim(0);
			trimmed = off;
		}
	}
	evbuffer_free(j->body);
	j->body = NULL;
	if (off >= BODY_TRIM)
		(void)malloc_trim(0);
	if (off != b->len) {
		munmap(b->base, b->mapped);
		b->base = NULL;
		return -2;
	}
	return 0;
}

/*
 * A body under INGEST_APART, copied out of the job's evbuffer into *data
 * (the caller frees it); -1 when the evbuffer gave fewer bytes than it
 * held.  Into the heap rather than a mapping: the heap's pages are the
 * ones the last train's copy left, where a fresh mapping's each cost a
 * fault (3.6% of the daemon's CPU in the bursts); only the big body's
 * pages are given back as they are parsed (ingest_take_body()).
 */
static int
ingest_copy_body(struct ingest_job *j, char **data, size_t *len)
{
	*len = evbuffer_get_length(j->body);
	*data = xmalloc(*len + 1);
	if (evbuffer_remove(j->body, *data, *len) != (int)*len) {
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

/* Worker: read, unwrap gzip, parse. */
static void
ingest_work(void *arg)
{
	struct ingest_job	*j = arg;
	struct manifest_train	*scratch;
	struct ingest_bytes	 mapped = { NULL, 0, 0, 0 }, *drop = NULL;
	char			*data = NULL, *plain = NULL, *owned = NULL;
	size_t			 len = 0, plainlen;
	int			 rc;

	if (j->path != NULL) {
		/* A spooled file, never a link out of the spool. */
		if (file_read_regular(j->path, &data, &len) < 0) {
			j->read_error = errno;
			return;
		}
		owned = data;
	} else if (evbuffer_get_length(j->body) < INGEST_APART) {
		if (ingest_copy_body(j, &data, &len) < 0) {
			j->read_error = EIO;
			return;
		}
		owned = data;
	} else if ((rc = ingest_take_body(j, &mapped)) == 0) {
		data = mapped.base;
		len = mapped.len;
		drop = &mapped;
	} else if (rc == -2) {
		j->read_error = EIO;
		return;
	} else {
		len = evbuffer_get_length(j->body);
		data = (char *)evbuffer_pullup(j->body, -1);
	}
	if (manifest_detect_format(data, len) == MANIFEST_FORMAT_GZIP) {
		scratch = manifest_train_new();
		if (input_decompress(data, len, inflate_cap(len, j->max_size),
		    scratch, &plain, &plainlen) == 0) {
			ingest_parse(j, plain, plainlen, NULL);
			free(plain);
		} else {
			/* Store the body as received, refused with the reason
			 * (not parsed: that would inflate it all again). */
			struct jsonw w;

			ingest_keep_raw(j, data, len);
			jsonw_init(&w, &j->diags);
			manifest_json_write_diags(&w, &scratch->diags);
			j->accepted = 0;
		}
		manifest_train_free(scratch);
	} else
		ingest_parse(j, data, len, drop);
	free(owned);
	if (mapped.base != NULL)
		munmap(mapped.base, mapped.mapped);
	if (j->body != NULL) {
		evbuffer_free(j->body);
		j->body = NULL;
	}
}

/* The model of a manifest just stored, to the evaluator. */
static void
offer_model(struct ingest_job *j, long long manifest_id)
{
	struct handoff_entry	e = { 0 };

	if (j->model == NULL)
		return;
	e.manifest_id = manifest_id;
	e.train = j->model;
	memcpy(e.sha256, j->sha256, sizeof e.sha256);
	e.raw_size = (size_t)j->raw_size;
	e.parse_ms = j->parse_ms;
	j->model = NULL;
	evaluator_offer(j->d->eval, &e);
}

/* The database answered: hand the outcome to the caller. */
static void
ingest_stored_cb(int status, long long manifest_id, long long train_id,
    enum store_outcome outcome, const char *reply, int repeated,
    const char *error, void *arg)
{
	struct ingest_job	*j = arg;
	struct ingest_result	 r = { 0 };
	char			*doc;

	doc = status == 0 ? outcome_document(outcome, reply) : NULL;
	r.stored = status == 0;
	r.store_status = status;
	r.http_status = status == 0 ? outcome_status(outcome) :
	    outcome_failure_status(status);
	r.reply = doc;
	r.manifest_id = manifest_id;
	r.train_id = train_id;
	r.repeated = repeated != 0;
	r.green_lane = j->green_lane;
	r.error = error;
	if (status == 0 && !repeated)
		log_info("manifest %lld (%s, %s, %lld bytes) for train %s: %d%s",
		    manifest_id, j->source, j->format, (long long)j->raw_size,
		    j->train_no != NULL ? j->train_no : "?", r.http_status,
		    j->green_lane ? ", green lane" : "");
	else if (status != 0)
		log_warnx("manifest from %s not stored: %s", j->principal,
		    error != NULL ? error : "database error");
	if (status == 0 && !repeated && train_id > 0) {
		hook_changed(HOOK_TRAINS_CHANGED);
		offer_model(j, manifest_id);
		evaluator_kick(j->d->eval);
	}
	j->cb(&r, j->arg);
	free(doc);
	ingest_job_free(j);
}

/* The neighbour's message is recorded with its manifest: as for
 * ingest_stored_cb, the outcome to the caller. */
static void
ingest_peer_stored_cb(int status, const struct store_peer_result *pr,
    void *arg)
{
	struct ingest_job	*j = arg;
	struct ingest_result	 r = { 0 };

	r.stored = status == 0;
	r.store_status = status;
	r.http_status = status == 0 ? outcome_status(pr->outcome) :
	    outcome_failure_status(status);
	r.reply = status == 0 ? pr->reply : NULL;
	r.manifest_id = status == 0 ? pr->manifest_id : 0;
	r.train_id = status == 0 ? pr->train_id : 0;
	r.repeated = status == 0 && pr->duplicate;
	r.green_lane = j->green_lane;
	r.error = status == 0 ? NULL : status == STORE_UNAVAILABLE ?
	    "database unavailable" : "the database refused the message";
	if (status == 0 && !pr->duplicate && pr->train_id > 0) {
		log_info("pre-arrival %s from %s for train %s: %d",
		    j->peer.message_id, j->peer.sender, j->peer.train_no,
		    r.http_status);
		hook_changed(HOOK_TRAINS_CHANGED);
		if (pr->manifest_id > 0)
			offer_model(j, pr->manifest_id);
		evaluator_kick(j->d->eval);
	}
	j->cb(&r, j->arg);
	ingest_job_free(j);
}

/* Fails the job before storing: the caller hears why. */
static void
ingest_fail(struct ingest_job *j, int http_status, const char *error)
{
	struct ingest_result	r = { 0 };

	r.http_status = http_status;
	r.error = error;
	j->cb(&r, j->arg);
	ingest_job_free(j);
}

/*
 * A big manifest's zlib bytes are lent to the store (db_query_lent()):
 * freed as soon as libpq holds its copy, not held twice beside the model
 * while they go out (the 1,000,000-item train: 24 MiB off the daemon's
 * peak).  Small ones, and any with an Idempotency-Key (retried on a
 * broken connection), stay borrowed until the answer.
 */
#define INGEST_LEND_MIN	((size_t)8 << 20)

static void
ingest_raw_sent(void *arg)
{
	struct ingest_job	*j = arg;

	free(j->raw_z);
	j->raw_z = NULL;
}

/* Back on the loop: store, or report a file that could not be read. */
static void
ingest_cb(void *arg)
{
	struct ingest_job	*j = arg;
	struct store_manifest	 m = { 0 };
	struct store_peer_in	 in = { 0 };
	unsigned char		*raw_z;

	if (j->read_error != 0 || j->raw_z == NULL) {
		ingest_fail(j, 500, j->read_error != 0 ?
		    strerror(j->read_error) : "compression failed");
		return;
	}
	m.sha256 = j->sha256;
	m.raw_z = j->raw_z;
	m.raw_z_len = j->raw_z_len;
	m.raw_size = j->raw_size;
	m.format = j->format;
	m.source = j->source;
	m.principal = j->principal;
	m.key = j->key;
	m.accepted = j->accepted;
	m.train_no = j->train_no;
	m.function = j->function;
	m.diagnostics = j->diags.data != NULL ? j->diags.data : "[]";
	m.train = j->train.data != NULL ? j->train.data : "{}";
	m.wagons = j->wagons.data != NULL ? j->wagons.data : "[]";
	m.ruleset = NULL;
	m.carriers = j->carriers;
	/* The store borrows the bytes until it answers (freed with the
	 * job), or until sent (a big one); the neighbour's copies them, so
	 * they go at once. */
	if (j->peer.sender == NULL) {
		if (j->key == NULL && j->raw_z_len >= INGEST_LEND_MIN)
			m.raw_z_sent = ingest_raw_sent;
		store_ingest_manifest(j->d->db, &m, ingest_stored_cb, j);
		return;
	}
	raw_z = j->raw_z;
	j->raw_z = NULL;
	/* The message names the train its manifest must be for. */
	if (j->accepted && strcmp(j->train_no, j->peer.train_no) != 0) {
		free(raw_z);
		ingest_fail(j, 422, "the pre-arrival manifest is for another "
		    "train than the message names");
		return;
	}
	in.sender = j->peer.sender;
	in.message_id = j->peer.message_id;
	in.type = "pre_arrival";
	in.envelope = j->peer.envelope;
	in.train_no = j->peer.train_no;
	in.neighbour = j->peer.neighbour;
	in.manifest = &m;
	store_peer_receive(j->d->db, &in, ingest_peer_stored_cb, j);
	free(raw_z);
}

/* A job with the request's strings copied. */
static struct ingest_job *
ingest_job_new(struct daemon *d, const struct ingest_request *rq,
    ingest_done_cb cb, void *arg)
{
	struct ingest_job	*j = xcalloc(1, sizeof *j);

	d->ingests++;	/* the reads wait meanwhile (http_reads.c) */
	d->ingests_begun++;	/* and the search's upkeep (tidy.c) */
	j->d = d;
	j->cb = cb;
	j->arg = arg;
	j->source = xstrdup(rq->source);
	j->principal = xstrdup(rq->principal);
	/* A key may hold a file's name (the spool's): as printable text
	 * (util.h), PostgreSQL takes it whatever a caller let through. */
	j->key = rq->key != NULL ? xstrdup_printable(rq->key) : NULL;
	j->appointment = rq->appointment;
	j->carriers = rq->carriers != NULL ? xstrdup(rq->carriers) : NULL;
	j->max_size = (size_t)d->cfg.max_body_mb << 20;
	j->parse_threads = (unsigned)d->cfg.parse_threads;
	return j;
}

void
ingest_from_buffer(struct daemon *d, const struct ingest_request *rq,
    struct evbuffer *body, ingest_done_cb cb, void *arg)
{
	struct ingest_job	*j = ingest_job_new(d, rq, cb, arg);

	/* Moves the chains: the worker owns the bytes, the request none. */
	j->body = evbuffer_new();
	evbuffer_add_buffer(j->body, body);
	pool_submit(d->pool, POOL_PRIORITY_LOW, ingest_work, ingest_cb, j);
}

void
ingest_from_file(struct daemon *d, const struct ingest_request *rq,
    const char *path, ingest_done_cb cb, void *arg)
{
	struct ingest_job	*j = ingest_job_new(d, rq, cb, arg);

	j->path = xstrdup(path);
	pool_submit(d->pool, POOL_PRIORITY_LOW, ingest_work, ingest_cb, j);
}

void
ingest_from_peer(struct daemon *d, const struct ingest_peer_message *pm,
    const char *manifest, size_t len, ingest_done_cb cb, void *arg)
{
	struct ingest_request	 rq = { "peer", pm->sender, NULL, false, NULL };
	struct ingest_job	*j = ingest_job_new(d, &rq, cb, arg);

	j->peer.sender = xstrdup(pm->sender);
	j->peer.message_id = xstrdup(pm->message_id);
	j->peer.envelope = xstrdup(pm->envelope);
	j->peer.train_no = xstrdup(pm->train_no);
	j->peer.neighbour = xstrdup(pm->neighbour);
	j->body = evbuffer_new();
	evbuffer_add(j->body, manifest, len);
	pool_submit(d->pool, POOL_PRIORITY_LOW, ingest_work, ingest_cb, j);
}
