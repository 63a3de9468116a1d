/*
 * stream.c -- the changes pushed to the consoles (see stream.h).
 *
 * How a change travels: audit_append (db/functions/10_audit.sql) runs
 * pg_notify('railgate_audit') in the writer's transaction; at its commit
 * every daemon's LISTEN connection hears it; the hub reads the records
 * after the last it sent out (store_audit_after, a page at a time) and
 * writes each client the ones it has not had, as one chunk.  Records
 * commit in sequence order (audit_append holds audit_head's row lock
 * until its transaction ends), so "after the last seen" misses nothing.
 * While LISTEN is down the hub reads once a second instead, and reads
 * once when it is up again: notifications sent meanwhile were lost.
 *
 * A client comes in at the hub's last sequence number (a "hello" event
 * carries it as its id), or, with Last-Event-ID N, after a catch-up: the
 * records after N are read from the database and sent, again until the
 * client has everything the hub had sent out when the last page came
 * back; only then does it join the fan-out, whose records are all newer.
 * More than stream_catch_up_max to send, or an N the chain has not
 * reached, and the client gets one "reset" (its id the chain's head):
 * the console reloads what it shows.
 *
 * Memory: what a client has not read stays in its connection's output
 * buffer; past stream_max_pending_kb, or past an eighth of it for a
 * second, the client is dropped (its connection freed), so a client that
 * never reads costs at most that much and a page (and the socket's send
 * buffer, fixed by http_stream.c).  A client stays alive
 * between messages by a comment line every stream_heartbeat_s, which
 * also finds a peer that has gone.
 *
 * A stream lasts longer than its credential may: every token_cache_s
 * (at least a second) its token or session is checked again, and the
 * stream ended once it is revoked, expired or signed out (a session's
 * idle clock is not restarted by the check).  Two queries may be out for
 * a client, a catch-up and a check: it is freed when the last returns.
 */
#include <sys/queue.h>

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "db/listen.h"
#include "db/store.h"
#include "manifest/util.h"

#include "daemon/daemon.h"
#include "daemon/hooks.h"
#include "daemon/http/http.h"
#include "daemon/log.h"
#include "daemon/stream.h"

#define STREAM_CHANNEL		"railgate_audit"
#define STREAM_PAGE		500	/* records read at once */
#define STREAM_TICK_MS		1000
#define STREAM_SLOW_MS		1000	/* behind that long: dropped */
#define STREAM_WRITE_TIMEOUT_S	30	/* nothing taken that long: cut */

struct stream_client {
	struct stream_hub		*hub;
	struct http_stream		*st;
	char				 id[20];	/* the request's, in logs */
	char				 who[128];
	long long			 last;		/* last seq it was sent */
	bool				 joined;	/* in the fan-out */
	bool				 querying;	/* a catch-up query is out */
	bool				 checking;	/* a credential check is out */
	bool				 gone;		/* free when both answer */
	bool				 session;	/* cred is a session's */
	char				 cred[AUTH_TOKEN_HEX]; /* its SHA-256 */
	int64_t				 next_check_ms;
	int64_t				 next_beat_ms;
	int64_t				 over_since_ms;	/* behind since; 0: not */
	TAILQ_ENTRY(stream_client)	 entry;
};
TAILQ_HEAD(stream_client_list, stream_client);

struct stream_hub {
	struct daemon			*d;
	struct db_listen		*listen;
	struct event			*listen_io;
	int				 listen_fd;
	short				 listen_what;
	struct event			*listen_timer;
	struct event			*tick;
	bool				 ready;		/* last_seq known */
	bool				 fetching;	/* a fan-out read is out */
	bool				 dirty;		/* notified while reading */
	bool				 freeing;
	struct stream_client_list	 clients;
	struct stream_stats		 stats;
};

static void stream_fetch(struct stream_hub *h);
static void client_catch_up(struct stream_client *cl);

/* Ends a client's stream; frees it now unless a query of its is out. */
static void
client_end(struct stream_client *cl)
{
	struct stream_hub	*h = cl->hub;

	if (cl->st != NULL) {
		http_stream_free(cl->st);
		cl->st = NULL;
		TAILQ_REMOVE(&h->clients, cl, entry);
		h->stats.clients--;
	}
	if (cl->querying || cl->checking)
		cl->gone = true;
	else
		free(cl);
}

/* A query of cl's answered after cl ended: freed when it was the last. */
static void
client_release(struct stream_client *cl)
{
	if (!cl->querying && !cl->checking)
		free(cl);
}

/*
 * True when cl reads too slowly to keep: more than stream_max_pending_kb
 * unread, or more than an eighth of it for STREAM_SLOW_MS on end.  (A
 * client that reads has a page of messages unread for a moment -- the
 * kernel takes a write only when the loop next turns -- and never for a
 * second; one that does not read crosses the eighth and stays there.)
 */
static bool
client_too_slow(struct stream_client *cl, int64_t now)
{
	size_t	cap = (size_t)cl->hub->d->cfg.stream_max_pending_kb << 10;
	size_t	pending = http_stream_pending(cl->st);

	if (pending <= cap / 8) {
		cl->over_since_ms = 0;
		return false;
	}
	if (pending > cap)
		return true;
	if (cl->over_since_ms == 0)
		cl->over_since_ms = now;
	return now - cl->over_since_ms >= STREAM_SLOW_MS;
}

/* Drops cl, too slow: logged and counted. */
static void
client_drop(struct stream_client *cl)
{
	struct stream_hub	*h = cl->hub;

	h->stats.dropped++;
	log_warnx("%s stream of %s from %s dropped: %zu bytes unread "
	    "(stream_max_pending_kb %d)", cl->id, cl->who,
	    http_stream_client(cl->st), http_stream_pending(cl->st),
	    h->d->cfg.stream_max_pending_kb);
	client_end(cl);
}

/*
 * Writes text to cl; drops it when it has gone, or when it reads too
 * slowly (judged before the new text, so that a client holds at most
 * stream_max_pending_kb plus one write: a page of STREAM_PAGE messages).
 */
static void
client_write(struct stream_client *cl, const char *text, size_t len)
{
	if (client_too_slow(cl, daemon_now_ms()))
		client_drop(cl);
	else if (http_stream_write(cl->st, text, len) < 0)
		client_end(cl);
}

/* One SSE message into b: id, event, data (one line of JSON). */
static void
message_write(struct buf *b, long long seq, const char *event,
    const char *data)
{
	size_t	i, n = strlen(event);

	buf_printf(b, "id: %lld\nevent: ", seq);
	/* An action is the database's own word; never let it break a line. */
	for (i = 0; i < n; i++)
		buf_add_char(b, event[i] == '\n' || event[i] == '\r' ? '_' :
		    event[i]);
	buf_printf(b, "\ndata: %s\n\n", data);
}

/* The records of a store_audit_after document, as messages. */
struct batch {
	size_t		  n;
	long long	 *seq;
	char		**text;		/* one SSE message each */
	size_t		 *len;
	long long	  head;
};

static void
batch_clear(struct batch *bt)
{
	size_t	i;

	for (i = 0; i < bt->n; i++)
		free(bt->text[i]);
	free(bt->seq);
	free(bt->text);
	free(bt->len);
	memset(bt, 0, sizeof *bt);
}

/* Parses doc into bt; 0 or -1. */
static int
batch_parse(struct batch *bt, const char *doc, size_t len)
{
	json_t		*root = json_loadb(doc, len, 0, NULL), *recs, *r;
	struct buf	 b = { 0 };
	char		*data;
	size_t		 i;

	memset(bt, 0, sizeof *bt);
	recs = json_object_get(root, "records");
	if (!json_is_array(recs)) {
		json_decref(root);
		return -1;
	}
	bt->head = (long long)json_integer_value(json_object_get(root, "head"));
	bt->n = json_array_size(recs);
	bt->seq = xcalloc(bt->n + 1, sizeof *bt->seq);
	bt->text = xcalloc(bt->n + 1, sizeof *bt->text);
	bt->len = xcalloc(bt->n + 1, sizeof *bt->len);
	json_array_foreach(recs, i, r) {
		if (json_is_null(json_object_get(r, "details")))
			json_object_del(r, "details");
		bt->seq[i] = (long long)json_integer_value(
		    json_object_get(r, "seq"));
		data = json_dumps(r, JSON_COMPACT);
		message_write(&b, bt->seq[i], json_string_value(
		    json_object_get(r, "action")) != NULL ? json_string_value(
		    json_object_get(r, "action")) : "change", data != NULL ?
		    data : "{}");
		free(data);
		bt->len[i] = b.len;
		bt->text[i] = b.data != NULL ? b.data : xstrdup("");
		memset(&b, 0, sizeof b);
	}
	json_decref(root);
	return 0;
}

/* Writes cl the messages of bt after its last, as one chunk. */
static void
client_send_batch(struct stream_client *cl, const struct batch *bt)
{
	struct buf	b = { 0 };
	size_t		i;
	uint64_t	n = 0;

	for (i = 0; i < bt->n; i++) {
		if (bt->seq[i] <= cl->last)
			continue;
		buf_add(&b, bt->text[i], bt->len[i]);
		cl->last = bt->seq[i];
		n++;
	}
	if (n > 0) {
		cl->hub->stats.messages += n;
		cl->next_beat_ms = daemon_now_ms() +
		    (int64_t)cl->hub->d->cfg.stream_heartbeat_s * 1000;
		client_write(cl, b.data, b.len);
	}
	buf_free(&b);
}

/* The fan-out read answered: every joined client gets what is new. */
static void
stream_fetched_cb(int status, const char *doc, size_t len, void *arg)
{
	struct stream_hub	*h = arg;
	struct stream_client	*cl, *next;
	struct batch		 bt;
	bool			 more;

	h->fetching = false;
	if (h->freeing)
		return;
	if (status != 1 || batch_parse(&bt, doc, len) < 0) {
		h->dirty = true;	/* the tick tries again */
		return;
	}
	if (!h->ready) {
		/* The first read: start from the chain's head. */
		h->stats.last_seq = bt.head;
		h->ready = true;
	}
	for (cl = TAILQ_FIRST(&h->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (cl->joined)
			client_send_batch(cl, &bt);
	}
	if (bt.n > 0) {
		h->stats.last_seq = bt.seq[bt.n - 1];
		/* Perhaps through another daemon: this one's kept lists go. */
		hook_changed(HOOK_TRAINS_CHANGED);
	}
	more = bt.n == STREAM_PAGE || h->dirty;
	batch_clear(&bt);
	if (more) {
		h->dirty = false;
		stream_fetch(h);
	}
}

/* Reads the records after the last sent out (or the head, at first). */
static void
stream_fetch(struct stream_hub *h)
{
	if (h->fetching) {
		h->dirty = true;
		return;
	}
	h->fetching = true;
	store_audit_after(h->d->db, h->ready ? h->stats.last_seq : LLONG_MAX,
	    h->ready ? STREAM_PAGE : 1, stream_fetched_cb, h);
}

/* Writes cl one event of its own (hello, reset). */
static void
client_event(struct stream_client *cl, const char *event, long long id,
    bool with_id)
{
	struct buf	b = { 0 };

	if (with_id)
		buf_printf(&b, "id: %lld\n", id);
	buf_printf(&b, "event: %s\ndata: {\"seq\":%lld}\n\n", event, id);
	client_write(cl, b.data, b.len);
	buf_free(&b);
}

/*
 * A catch-up page answered.  cl->querying stays set while its messages
 * are written, so that a drop (client_end) leaves cl for this function
 * to free.
 */
static void
client_caught_up_cb(int status, const char *doc, size_t len, void *arg)
{
	struct stream_client	*cl = arg;
	struct stream_hub	*h = cl->hub;
	struct batch		 bt;
	int			 max = h->d->cfg.stream_catch_up_max;
	long long		 asked = cl->last;

	if (cl->gone || h->freeing) {
		cl->querying = false;
		client_release(cl);
		return;
	}
	if (status != 1 || batch_parse(&bt, doc, len) < 0) {
		/* The console reconnects later and asks again. */
		cl->querying = false;
		client_end(cl);
		return;
	}
	if (asked > bt.head || (int)bt.n > max) {
		h->stats.resets++;
		cl->last = bt.head > h->stats.last_seq ? bt.head :
		    h->stats.last_seq;
		client_event(cl, "reset", cl->last, true);
	} else
		client_send_batch(cl, &bt);
	batch_clear(&bt);
	if (cl->gone) {
		cl->querying = false;
		client_release(cl);
		return;
	}
	if (cl->last < h->stats.last_seq && asked != cl->last) {
		client_catch_up(cl);
		return;
	}
	/* Nothing in the database between: the fan-out goes on from here. */
	if (cl->last < h->stats.last_seq)
		cl->last = h->stats.last_seq;
	cl->querying = false;
	cl->joined = true;
}

/* Reads the records after cl's last for it alone. */
static void
client_catch_up(struct stream_client *cl)
{
	cl->querying = true;
	store_audit_after(cl->hub->d->db, cl->last,
	    cl->hub->d->cfg.stream_catch_up_max + 1, client_caught_up_cb, cl);
}

/* Last-Event-ID (the header, or ?last_event_id= for EventSource): 1 with
 * *seq, 0 absent, -1 not a sequence number. */
static int
stream_last_id(struct http_ctx *c, long long *seq)
{
	const char	*v = http_header(c, "Last-Event-ID");
	size_t		 i;

	if (v == NULL)
		v = http_query(c, "last_event_id");
	if (v == NULL || *v == '\0')
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] < '0' || v[i] > '9' || i >= 18)
			return -1;
	*seq = atoll(v);
	return 1;
}

/* How often a client's credential is checked: token_cache_s, >= 1 s. */
static int64_t
client_check_ms(const struct stream_hub *h)
{
	int	s = h->d->cfg.token_cache_s;

	return (int64_t)(s > 1 ? s : 1) * 1000;
}

/* The credential's check answered: a stream without one ends. */
static void
client_checked_cb(int status, const char *principal, const char *role,
    const char *carriers, void *arg)
{
	struct stream_client	*cl = arg;

	(void)principal;
	(void)role;
	(void)carriers;
	cl->checking = false;
	if (cl->gone) {
		client_release(cl);
		return;
	}
	if (status == 0) {
		log_info("%s stream of %s ended: its %s is revoked, expired or "
		    "unknown now", cl->id, cl->who, cl->session ? "session" :
		    "token");
		client_end(cl);
		return;
	}
	/* Checked again later when the database did not answer. */
	cl->next_check_ms = daemon_now_ms() + client_check_ms(cl->hub);
}

/* Checks cl's credential again when it is time. */
static void
client_check(struct stream_client *cl, int64_t now)
{
	if (cl->checking || now < cl->next_check_ms)
		return;
	cl->checking = true;
	store_credential_alive(cl->hub->d->db, cl->cred, cl->session,
	    client_checked_cb, cl);
}

/* stream_max_clients, kept to half of max_connections. */
static int
stream_max_clients(const struct stream_hub *h)
{
	const struct config	*cfg = &h->d->cfg;

	return cfg->stream_max_clients < cfg->max_connections / 2 ?
	    cfg->stream_max_clients : cfg->max_connections / 2;
}

void
stream_hub_accept(struct stream_hub *h, struct http_ctx *c)
{
	struct stream_client	*cl;
	long long		 seq = 0;
	int			 has_id;

	if ((has_id = stream_last_id(c, &seq)) < 0) {
		http_reply_problem(c, 400, "Bad Request", "Last-Event-ID: not "
		    "a sequence number (up to 18 digits)", NULL, 0);
		return;
	}
	if (!h->ready) {
		http_reply_problem(c, 503, "Service Unavailable", "the stream "
		    "is starting; try again", NULL, 1);
		return;
	}
	if (h->stats.clients >= stream_max_clients(h)) {
		h->stats.refused++;
		http_reply_problem(c, 503, "Service Unavailable", "too many "
		    "streams open (stream_max_clients); try again", NULL, 5);
		return;
	}
	cl = xcalloc(1, sizeof *cl);
	cl->hub = h;
	snprintf(cl->id, sizeof cl->id, "%s", c->id);
	snprintf(cl->who, sizeof cl->who, "%s", c->who.name);
	cl->session = c->session;
	snprintf(cl->cred, sizeof cl->cred, "%s", c->cred_hash);
	cl->next_check_ms = daemon_now_ms() + client_check_ms(h);
	cl->st = http_stream_start(c, "text/event-stream",
	    STREAM_WRITE_TIMEOUT_S);
	TAILQ_INSERT_TAIL(&h->clients, cl, entry);
	h->stats.clients++;
	h->stats.accepted++;
	cl->next_beat_ms = daemon_now_ms() +
	    (int64_t)h->d->cfg.stream_heartbeat_s * 1000;
	if (has_id) {
		/* No id: the console's Last-Event-ID stays its own. */
		cl->querying = true;
		client_event(cl, "hello", h->stats.last_seq, false);
		if (cl->gone) {
			cl->querying = false;
			client_release(cl);
			return;
		}
		cl->last = seq;
		client_catch_up(cl);
	} else {
		cl->last = h->stats.last_seq;
		cl->joined = true;
		client_event(cl, "hello", cl->last, true);
	}
}

/*
 * Once a second: clients gone, heartbeats, credentials checked again, a
 * read while LISTEN is down.
 */
static void
stream_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	static const char	 beat[] = ": keep-alive\n\n";
	struct stream_hub	*h = arg;
	struct stream_client	*cl, *next;
	int64_t			 now = daemon_now_ms();

	(void)fd;
	(void)what;
	for (cl = TAILQ_FIRST(&h->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (!http_stream_is_open(cl->st))
			client_end(cl);
		else if (client_too_slow(cl, now))
			client_drop(cl);
		else if (now >= cl->next_beat_ms) {
			cl->next_beat_ms = now +
			    (int64_t)h->d->cfg.stream_heartbeat_s * 1000;
			client_write(cl, beat, sizeof beat - 1);
		}
	}
	/* Apart: a write above may have ended a client, a check ends one. */
	for (cl = TAILQ_FIRST(&h->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		client_check(cl, now);
	}
	if (!h->ready || h->dirty || !db_listen_is_up(h->listen))
		stream_fetch(h);
}

/* The LISTEN socket is ready. */
static void
stream_listen_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream_hub	*h = arg;

	(void)fd;
	db_listen_io_ready(h->listen, (what & EV_READ) != 0,
	    (what & EV_WRITE) != 0);
}

/* The LISTEN connection's backoff elapsed. */
static void
stream_listen_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream_hub	*h = arg;

	(void)fd;
	(void)what;
	db_listen_timer_fired(h->listen);
}

/* db_listen_ops.watch */
static void
stream_listen_watch(void *ctx, int fd, bool rd, bool wr)
{
	struct stream_hub	*h = ctx;
	short			 what = (short)((rd ? EV_READ : 0) |
				    (wr ? EV_WRITE : 0));

	if (h->listen_io != NULL && h->listen_fd == fd &&
	    h->listen_what == what)
		return;
	if (h->listen_io != NULL)
		event_free(h->listen_io);
	h->listen_io = NULL;
	h->listen_fd = fd;
	h->listen_what = what;
	if (fd < 0 || what == 0)
		return;
	h->listen_io = event_new(h->d->base, fd, what | EV_PERSIST,
	    stream_listen_io_cb, h);
	if (h->listen_io == NULL)
		fatalx("event_new failed");
	event_add(h->listen_io, NULL);
}

/* db_listen_ops.timer */
static void
stream_listen_timer(void *ctx, long ms)
{
	struct stream_hub	*h = ctx;
	struct timeval		 tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms < 0)
		event_del(h->listen_timer);
	else
		event_add(h->listen_timer, &tv);
}

/* db_listen_ops.state: up again, read what was missed meanwhile. */
static void
stream_listen_state(void *ctx, bool up, const char *why)
{
	struct stream_hub	*h = ctx;

	h->stats.listen_up = up;
	if (up) {
		log_info("stream: listening for changes (%s)", why);
		stream_fetch(h);
	} else
		log_warnx("stream: %s; reading every second until it is back",
		    why);
}

/* db_listen_ops.notified */
static void
stream_listen_notified(void *ctx)
{
	stream_fetch(ctx);
}

static const struct db_listen_ops stream_listen_ops = {
	stream_listen_watch, stream_listen_timer, stream_listen_state,
	stream_listen_notified,
};

struct stream_hub *
stream_hub_new(struct daemon *d)
{
	struct stream_hub	*h = xcalloc(1, sizeof *h);
	struct timeval		 tick = { STREAM_TICK_MS / 1000, 0 };
	int			 room = d->cfg.max_connections / 2;

	h->d = d;
	h->listen_fd = -1;
	TAILQ_INIT(&h->clients);
	if (d->cfg.stream_max_clients > room)
		log_warnx("stream_max_clients %d is over half of "
		    "max_connections %d: %d streams at most, so that streams "
		    "leave the API its connections", d->cfg.stream_max_clients,
		    d->cfg.max_connections, room);
	h->listen_timer = evtimer_new(d->base, stream_listen_timer_cb, h);
	h->tick = event_new(d->base, -1, EV_PERSIST, stream_tick_cb, h);
	if (h->listen_timer == NULL || h->tick == NULL)
		fatalx("event_new failed");
	event_add(h->tick, &tick);
	h->listen = db_listen_new(d->cfg.dsn, STREAM_CHANNEL,
	    &stream_listen_ops, h);
	stream_fetch(h);
	return h;
}

void
stream_hub_free(struct stream_hub *h)
{
	struct stream_client	*cl;

	if (h == NULL)
		return;
	h->freeing = true;
	while ((cl = TAILQ_FIRST(&h->clients)) != NULL)
		client_end(cl);
	db_listen_free(h->listen);
	if (h->listen_io != NULL)
		event_free(h->listen_io);
	event_free(h->listen_timer);
	event_free(h->tick);
	free(h);
}

void
stream_hub_get_stats(const struct stream_hub *h, struct stream_stats *out)
{
	memset(out, 0, sizeof *out);
	if (h == NULL)
		return;
	*out = h->stats;
	out->listen_up = db_listen_is_up(h->listen);
	out->listen_reconnects = db_listen_reconnects(h->listen);
}
