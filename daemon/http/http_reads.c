/*
 * http_reads.c -- decisions before reads (issue 23).
 *
 * While the application says a decision is being made (http_app.deciding:
 * a manifest read or stored, a train evaluated), reads -- every GET and
 * HEAD, once authorised when its route wants a token -- go at most
 * HTTP_READS_PER_S a second, from a bucket of HTTP_READS_BURST; the
 * others wait, in order of arrival, and a timer lets them go as the
 * bucket fills.  When no decision is under way, every read goes at once
 * (after those waiting).  A public route costs as much to flood as a
 * read behind a token (the console's files, /openapi.json, /metrics), so
 * it waits the same; only the probes (HTTP_ROUTE_PROBE) never do.
 *
 * Why: the loop's priorities (loopprio.h) order the loop's own
 * callbacks, but a reader costs CPU outside the loop too -- its
 * connection in the kernel, the client itself on the same host -- which
 * the scheduler shares with the workers and PostgreSQL.  200 readers
 * asking as fast as they could took most of the machine's two cores, and
 * a decision's steps ran up to ten times slower than alone.  A reader
 * waits for its answer before asking again, so answering at a bounded
 * rate bounds what the readers take, however many they are.  A station's
 * consoles poll every few seconds: 200 of them ask about 100 times a
 * second, far below the bound, and never wait.
 *
 * A read waiting holds its request: libevent keeps a request whose
 * connection closed meanwhile until it is answered (evhttp 2.1), so the
 * handler runs all the same and its answer goes nowhere.  Loop thread
 * only.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/http.h>

#include "daemon/daemon.h"
#include "daemon/http/http_int.h"
#include "daemon/loopprio.h"

#define HTTP_READS_PER_S	1000	/* while deciding */
#define HTTP_READS_BURST	50.0	/* at once, after a quiet spell */
#define HTTP_READS_TICK_MS	5	/* the timer, while reads wait */

static void http_reads_tick_cb(evutil_socket_t, short, void *);

int
http_reads_init(struct http_server *s)
{
	struct http_reads	*r = &s->reads;

	TAILQ_INIT(&r->waiting);
	r->tokens = HTTP_READS_BURST;
	r->at_ms = daemon_now_ms();
	r->timer = evtimer_new(s->d->base, http_reads_tick_cb, s);
	if (r->timer == NULL)
		return -1;
	(void)event_priority_set(r->timer, LOOPPRIO_READ);
	return 0;
}

static bool
http_deciding(const struct http_server *s)
{
	return s->app.deciding != NULL && s->app.deciding(s->app.arg);
}

/* The bucket filled for the time since it was last counted. */
static void
http_reads_fill(struct http_reads *r)
{
	int64_t	now = daemon_now_ms();

	r->tokens += (double)(now - r->at_ms) * HTTP_READS_PER_S / 1000.0;
	if (r->tokens > HTTP_READS_BURST)
		r->tokens = HTTP_READS_BURST;
	r->at_ms = now;
}

static void
http_reads_arm(struct http_reads *r)
{
	struct timeval	tv = { 0, HTTP_READS_TICK_MS * 1000 };

	if (!evtimer_pending(r->timer, NULL))
		evtimer_add(r->timer, &tv);
}

/* One waiting read goes to its handler. */
static void
http_reads_release_one(struct http_server *s)
{
	struct http_ctx	*c = TAILQ_FIRST(&s->reads.waiting);

	TAILQ_REMOVE(&s->reads.waiting, c, wait);
	c->route->handler(c);
}

static void
http_reads_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*s = arg;
	struct http_reads	*r = &s->reads;
	bool			 deciding = http_deciding(s);

	http_reads_fill(r);
	while (!TAILQ_EMPTY(&r->waiting) && (!deciding || r->tokens >= 1.0)) {
		if (deciding)
			r->tokens -= 1.0;
		http_reads_release_one(s);
	}
	if (!TAILQ_EMPTY(&r->waiting))
		http_reads_arm(r);
}

void
http_reads_admit(struct http_ctx *c)
{
	struct http_server	*s = c->server;
	struct http_reads	*r = &s->reads;
	int			 m = evhttp_request_get_command(c->req);

	if ((m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) ||
	    (c->route->flags & HTTP_ROUTE_PROBE)) {
		c->route->handler(c);
		return;
	}
	if (TAILQ_EMPTY(&r->waiting)) {
		if (!http_deciding(s)) {
			c->route->handler(c);
			return;
		}
		http_reads_fill(r);
		if (r->tokens >= 1.0) {
			r->tokens -= 1.0;
			c->route->handler(c);
			return;
		}
	}
	/* Behind those waiting, even once the decisions are made. */
	TAILQ_INSERT_TAIL(&r->waiting, c, wait);
	s->stats.reads_held++;
	http_reads_arm(r);
}

int
http_reads_waiting(const struct http_server *s)
{
	const struct http_ctx	*c;
	int			 n = 0;

	TAILQ_FOREACH(c, &s->reads.waiting, wait)
		n++;
	return n;
}

void
http_reads_free(struct http_server *s)
{
	struct http_ctx	*c;

	while ((c = TAILQ_FIRST(&s->reads.waiting)) != NULL) {
		TAILQ_REMOVE(&s->reads.waiting, c, wait);
		http_reply_unavailable(c);
	}
	if (s->reads.timer != NULL)
		event_free(s->reads.timer);
	s->reads.timer = NULL;
}
