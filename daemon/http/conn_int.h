/*
 * conn_int.h -- what the files of the connection guard share, and
 * nobody else sees: a guarded connection's state, the guard's tables,
 * and the functions one file calls in another.
 *
 *   conn.c         lifetimes: accepted, held off, ended, swept, released
 *   conn_read.c    a request's head read and put to the application, its
 *                  body counted, refusals written
 *   conn_client.c  accounting: connections per client, the body budget
 *
 * Loop thread only.
 */
#ifndef DAEMON_HTTP_CONN_INT_H
#define DAEMON_HTTP_CONN_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/http/conn.h"
#include "daemon/http/reqhead.h"


#define GUARD_BUCKETS	256	/* a power of two */
#define GUARD_SWEEP_MS	250
#define LINGER_MS	2000	/* reading and dropping after a refusal */
#define SUMMARY_MS	10000	/* per-client refusals logged this often */
#define PIPELINE_MAX	REQHEAD_MAX /* next request read while one is answered */
#define BUDGET_RETRY_S	5

enum guarded_state {
	G_HEAD,		/* reading a head; evhttp held off */
	G_WAIT,		/* head read; the application's answer to come */
	G_BODY,		/* allowed: evhttp reads the body, the guard counts */
	G_DONE,		/* body complete; evhttp about to dispatch */
	G_BUSY,		/* dispatched, not yet answered; evhttp held off */
	G_REFUSED,	/* answered without routing: dropping input */
};

/* One client's open connections. */
struct client {
	char			 key[CONN_CLIENT_LEN];
	int			 open;
	uint64_t		 refused;	/* since the last summary */
	LIST_ENTRY(client)	 entry;
};
LIST_HEAD(client_list, client);

struct guarded;
struct conn_wait {
	struct guarded	*c;
};

struct guarded {
	struct conn_guard	*g;
	struct bufferevent	*bev;		/* evhttp's; one reference ours */
	struct client		*client;	/* counted under; NULL: not */
	char			 key[CONN_CLIENT_LEN];
	char			 peer[CONN_CLIENT_LEN + 8];
	enum guarded_state	 state;
	int64_t			 started_ms;	/* first byte; 0: no request */
	uint64_t		 bytes;		/* of the request so far */
	bool			 admitted;	/* counted against its client */
	bool			 cut;
	bool			 ending;	/* guarded_end called */
	bool			 refusal_logged;
	bool			 waiting;	/* a conn_wait is out */
	bool			 in_guard;	/* inside a libevent callback of ours */
	bool			 frozen;	/* evhttp held off the input */
	bool			 later;		/* on the guard's later list */
	bool			 tls;		/* an OpenSSL bufferevent */
	struct reqhead_scan	 scan;
	size_t			 head_len;	/* 0: head not complete */
	struct reqhead		 head;
	int64_t			 body_left;	/* Content-Length bytes to come */
	uint64_t		 body_max;	/* what the request's route takes */
	struct reqhead_chunks	 chunks;
	uint64_t		 reserved;	/* of the body budget */
	int64_t			 linger_until_ms;
	struct conn_wait	 wait;
	LIST_ENTRY(guarded)	 entry;
	LIST_ENTRY(guarded)	 later_entry;
};
LIST_HEAD(guarded_list, guarded);

struct conn_guard {
	struct event_base	*base;
	struct evconnlistener	*listener;	/* borrowed; NULL when gone */
	struct conn_guard_limits lim;
	struct conn_hooks	 hooks;
	SSL_CTX			*tls;		/* owned; NULL: in clear */
	bool			 paused;
	struct event		*sweep;
	struct event		*later_ev;	/* admissions and rescans */
	struct guarded_list	 later;
	int64_t			 summary_ms;	/* next per-client summary */
	struct conn_stats	 stats;
	struct guarded_list	 table[GUARD_BUCKETS];
	struct client_list	 clients[GUARD_BUCKETS];
};

/* conn.c */
/* When the request on c must be complete, in monotonic ms. */
int64_t guarded_deadline_ms(const struct guarded *c);
/* True once evhttp has freed the connection (bufferevent_free). */
bool guarded_released(const struct guarded *c);
/* Holds evhttp off the input, or lets it read again. */
void guarded_freeze(struct guarded *c, bool on);
/* Copies n bytes at offset off of the input; 0 or -1. */
int guarded_copy(struct guarded *c, size_t off, char *out, size_t n);
/* Drops everything the client sent so far; evhttp is held off after. */
void guarded_drain(struct guarded *c);
/* Has the guard's own event see to c, after the current callback. */
void guarded_later(struct guarded *c);
/* Ends the connection. */
void guarded_end(struct guarded *c);
/* The request is too slow: ended and logged. */
void guarded_cut(struct guarded *c, int64_t now);

/* conn_read.c */
/* Looks for the end of the head in what has arrived. */
void guarded_examine_head(struct guarded *c);
/* Bytes landed in the input while a request head or body comes in. */
void guarded_landed(struct guarded *c, size_t n);
/* The head may go on: its body taken from the budget, evhttp let in. */
void guarded_allow(struct guarded *c);
/* Answers c's request with r, then lingers. */
void guarded_refuse(struct guarded *c, const struct conn_refusal *r);

/* conn_client.c */
/* Counts c against its client; ends it when the client has too many. */
void guarded_admit(struct guarded *c);
/* c no longer counts against its client (closed, or on its way out). */
void guarded_uncount(struct guarded *c);
/* Logs a client's refused connections since the last time, if any. */
void conn_client_summary(struct conn_guard *g, struct client *cl);
/* Takes n bytes of the body budget for c; false when they are not left. */
bool conn_budget_take(struct guarded *c, uint64_t n);
/* Gives back what c holds of the body budget. */
void conn_budget_release(struct guarded *c);

#endif
