/*
 * outbox.c -- see outbox.h.
 *
 * An item is owned by the outbox from outbox_begin until its attempt is
 * recorded (or its body could not be stored): then ops->free.  While it
 * is on a worker nothing on the loop touches it.  The cycle counts the
 * items in hand, so that draining waits for them.
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "manifest/util.h"

#include "daemon/cycle.h"
#include "daemon/outbox.h"
#include "daemon/pool.h"

struct outbox {
	const struct outbox_ops	*ops;
	struct cycle_def	 def;		/* from ops */
	void			*arg;
	struct event_base	*base;
	struct pool		*pool;
	struct cycle		*cycle;
};

static void outbox_claim(struct outbox *);

double
outbox_backoff_s(int attempts, int base_ms, int max_s, double rnd)
{
	double	s = (double)base_ms / 1000.0;
	int	i;

	for (i = 1; i < attempts && s < max_s; i++)
		s *= 2;
	if (s > max_s)
		s = max_s;
	return s * (0.5 + rnd);
}

double
outbox_retry_s(const struct outbox_item *it, int base_ms, int max_s)
{
	uint32_t	r = 0;

	RAND_bytes((unsigned char *)&r, sizeof r);
	return outbox_backoff_s(it->attempts + 1, base_ms, max_s,
	    (double)r / 4294967296.0);
}

int
outbox_result(struct evhttp_request *req, struct evhttp_connection *conn,
    char *error, size_t size)
{
	const char	*reason;
	unsigned long	 e;
	int		 status;

	error[0] = '\0';
	if (req != NULL && (status = evhttp_request_get_response_code(req)) !=
	    0) {
		/* The number only: the reason phrase is the remote's text, and
		 * error is shown to officers and auditors and kept in the
		 * audit trail. */
		if (status < 200 || status > 299)
			snprintf(error, size, "HTTP %d", status);
		return status;
	}
	/* A refused handshake (unknown CA, wrong name) says why. */
	e = conn != NULL ? bufferevent_get_openssl_error(
	    evhttp_connection_get_bufferevent(conn)) : 0;
	if (e == 0)
		e = ERR_get_error();
	/* Not every error code has a reason string (a refused connection
	 * has none): then say what is known. */
	reason = e != 0 ? ERR_reason_error_string(e) : NULL;
	snprintf(error, size, "%s", reason != NULL ? reason :
	    "no answer (connection refused, reset or timed out)");
	ERR_clear_error();
	return 0;
}

/* The item is over: its connection, then the adapter's part. */
static void
outbox_item_free(struct outbox_item *it)
{
	struct outbox	*ob = it->ob;

	if (it->conn != NULL) {
		evhttp_connection_free(it->conn);
		it->conn = NULL;
	}
	ob->ops->free(it);
}

/* The attempt is recorded: the item is over; perhaps the next one. */
static void
outbox_attempt_recorded_cb(const char *result, void *arg)
{
	struct outbox_item	*it = arg;
	struct outbox		*ob = it->ob;
	bool			 again;

	again = ob->ops->recorded(it, result);
	cycle_work_end(ob->cycle);
	outbox_item_free(it);
	if (again)
		outbox_claim(ob);
}

void
outbox_record(struct outbox_item *it)
{
	it->ob->ops->record(it, outbox_attempt_recorded_cb);
}

/* The remote answered (or the connection failed: req NULL or code 0). */
static void
outbox_answered_cb(struct evhttp_request *req, void *arg)
{
	struct outbox_item	*it = arg;

	it->status = outbox_result(req, it->conn, it->error, sizeof it->error);
	outbox_record(it);
}

struct evhttp_connection *
outbox_connect(struct outbox *ob, SSL *ssl, const char *address, int port)
{
	struct bufferevent	*bev;

	if (ssl == NULL)
		return evhttp_connection_base_new(ob->base, NULL, address,
		    (unsigned short)port);
	bev = bufferevent_openssl_socket_new(ob->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS);
	return evhttp_connection_base_bufferevent_new(ob->base, NULL, bev,
	    address, (unsigned short)port);
}

struct evhttp_request *
outbox_request_new(struct outbox_item *it)
{
	evhttp_connection_set_timeout(it->conn, it->ob->ops->timeout_s);
	return evhttp_request_new(outbox_answered_cb, it);
}

void
outbox_post(struct outbox_item *it, struct evhttp_request *req,
    const char *target, const void *body, size_t len)
{
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	/* libevent's client follows no redirect: a 3xx is a failed attempt. */
	if (evhttp_make_request(it->conn, req, EVHTTP_REQ_POST, target) != 0) {
		snprintf(it->error, sizeof it->error, "request not sent");
		outbox_record(it);
	}
}

/* The body is stored: now it may go out. */
static void
outbox_body_stored_cb(int status, void *arg)
{
	struct outbox_item	*it = arg;
	struct outbox		*ob = it->ob;

	if (status < 0) {
		/* Not sent: the lease runs out and the item is claimed again. */
		ob->ops->unstored(it);
		cycle_work_end(ob->cycle);
		outbox_item_free(it);
		return;
	}
	ob->ops->send(it);
}

/* Built (on the loop, or back from the worker): store it, or give up. */
static void
outbox_built(struct outbox_item *it, int rc)
{
	if (rc < 0)
		outbox_record(it);
	else
		it->ob->ops->store_body(it, outbox_body_stored_cb);
}

/* The worker's result travels in the item: status set means refused. */
static void
outbox_build_work(void *arg)
{
	struct outbox_item	*it = arg;

	if (it->ob->ops->build(it) < 0 && it->status == 0 &&
	    it->error[0] == '\0')
		snprintf(it->error, sizeof it->error, "not built");
}

static void
outbox_build_cb(void *arg)
{
	struct outbox_item	*it = arg;

	outbox_built(it, it->error[0] != '\0' ? -1 : 0);
}

void *
outbox_item_new(struct outbox *ob, size_t size, int attempts)
{
	struct outbox_item	*it = xcalloc(1, size);

	it->ob = ob;
	it->attempts = attempts;
	return it;
}

void
outbox_begin(struct outbox_item *it, bool has_body)
{
	struct outbox	*ob = it->ob;

	cycle_work_begin(ob->cycle);
	if (has_body)
		ob->ops->send(it);
	else if (ob->ops->build_on_worker)
		pool_submit(ob->pool, POOL_PRIORITY_NORMAL, outbox_build_work,
		    outbox_build_cb, it);
	else
		/* First attempt: the body is fixed before anything is sent. */
		outbox_built(it, ob->ops->build(it));
}

int
outbox_claim_end(struct outbox *ob, int status)
{
	cycle_claim_end(ob->cycle);
	return status < 0 ? -1 : 0;
}

void
outbox_claim_more(struct outbox *ob, size_t count)
{
	if (count == (size_t)ob->ops->batch)
		outbox_claim(ob);
}

/* Claims what the free places can take, if a claim may begin. */
static void
outbox_claim(struct outbox *ob)
{
	if (cycle_working(ob->cycle) >= ob->ops->max_in_flight ||
	    !cycle_claim_begin(ob->cycle))
		return;
	ob->ops->claim(ob, ob->ops->batch);
}

void
outbox_kick(struct outbox *ob)
{
	if (ob != NULL)
		outbox_claim(ob);
}

static void
outbox_tick(void *arg)
{
	outbox_claim(arg);
}

static void
outbox_stop_cb(void *arg)
{
	struct outbox	*ob = arg;

	if (ob->ops->stop != NULL)
		ob->ops->stop(ob->arg);
}

static void
outbox_release(void *arg)
{
	struct outbox	*ob = arg;

	if (ob->ops->release != NULL)
		ob->ops->release(ob->arg);
	free(ob);
}

static int
outbox_held(const void *arg)
{
	const struct outbox	*ob = arg;

	return ob->ops->held != NULL ? ob->ops->held(ob->arg) : 0;
}

struct outbox *
outbox_new(struct cycle_group *g, struct event_base *base, struct pool *pool,
    const struct outbox_ops *ops, void *arg)
{
	struct outbox	*ob = xcalloc(1, sizeof *ob);

	ob->ops = ops;
	ob->arg = arg;
	ob->base = base;
	ob->pool = pool;
	ob->def.period_ms = ops->period_ms;
	ob->def.tick = outbox_tick;
	ob->def.stop = outbox_stop_cb;
	ob->def.release = outbox_release;
	ob->def.held = outbox_held;
	ob->def.drained = true;		/* what is in hand is finished */
	ob->cycle = cycle_new(g, base, &ob->def, ob);
	return ob;
}

int
outbox_in_flight(const struct outbox *ob)
{
	return ob == NULL ? 0 : cycle_in_flight(ob->cycle);
}

bool
outbox_is_stopping(const struct outbox *ob)
{
	return cycle_is_stopping(ob->cycle);
}

void *
outbox_arg(const struct outbox *ob)
{
	return ob->arg;
}
