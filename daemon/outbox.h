/*
 * outbox.h -- the outbound delivery cycle, written once for the two
 * senders: release notices (daemon/notice/notice.c) and the neighbour
 * link (daemon/peer/peer_out.c).
 *
 * The outbox owns when and in what order; an adapter (struct outbox_ops)
 * owns what.  One item's life:
 *
 *   claim under a lease (the adapter's store call; the answer comes back
 *   through outbox_claim_end and one outbox_begin per item)
 *   -> at the first attempt: build the body (on a worker, or on the loop
 *      for a small one) and store it before anything is sent, so that
 *      every attempt sends the same bytes under the same id
 *   -> send: the adapter resolves, connects (outbox_connect) and posts
 *      (outbox_request_new, outbox_post) -- or fails (outbox_record)
 *   -> the answer, or its absence, becomes status and error
 *   -> record the attempt with the next retry's backoff (outbox_retry_s)
 *   -> the adapter logs the result; the item is freed; claim again.
 *
 * A daemon killed anywhere in this loses nothing: the lease runs out and
 * the same item, same id, same body, goes again.  Claims come from a
 * periodic timer and from kicks, one in flight at a time (daemon/cycle.h),
 * and only while fewer than max_in_flight items are in hand.
 *
 * What an outgoing request came to (the former outcall.c) is folded in
 * here: the two answer callbacks it served are now this module's one,
 * so it has no other caller, and keeping how a request is made and how
 * its answer is read in one file keeps them from drifting apart.
 * Loop thread, but for ops->build when build_on_worker.
 */
#ifndef DAEMON_OUTBOX_H
#define DAEMON_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct event_base;
struct evhttp_connection;
struct evhttp_request;
struct cycle_group;
struct outbox;
struct pool;

/* The start of every adapter's item: the adapter's struct begins with it. */
struct outbox_item {
	struct outbox			*ob;
	int				 attempts;	/* made before this one */
	struct evhttp_connection	*conn;		/* outbox_connect's */
	int				 status;	/* HTTP; 0: no answer */
	char				 error[512];	/* why not 2xx; "" */
};

typedef void (*outbox_stored_cb)(int status, void *arg);
typedef void (*outbox_recorded_cb)(const char *result, void *arg);

struct outbox_ops {
	int	 period_ms;	/* the timer: due retries, leases run out */
	int	 batch;		/* items claimed at once */
	int	 max_in_flight;	/* no claim while this many are in hand */
	int	 timeout_s;	/* a request's connect and answer */
	bool	 build_on_worker;
	/* Asks the store for up to n due items; answered as above. */
	void	(*claim)(struct outbox *ob, int n);
	/* The body of a first attempt; 0, or -1 with status and error set. */
	int	(*build)(struct outbox_item *it);
	/* Stores the built body; cb(status < 0 when not stored, it). */
	void	(*store_body)(struct outbox_item *it, outbox_stored_cb cb);
	/* The body was not stored: logs it (the lease brings it back). */
	void	(*unstored)(struct outbox_item *it);
	/* Starts the attempt: ends in outbox_post or outbox_record. */
	void	(*send)(struct outbox_item *it);
	/* Records the attempt (outbox_retry_s for the retry); cb(result, it). */
	void	(*record)(struct outbox_item *it, outbox_recorded_cb cb);
	/* Logs and counts the result (NULL: not recorded); true: claim at once. */
	bool	(*recorded)(struct outbox_item *it, const char *result);
	/* Frees the adapter's item (its conn is already freed). */
	void	(*free)(struct outbox_item *it);
	/* NULL, or what else stops with the outbox (with the adapter's arg). */
	void	(*stop)(void *arg);
	/* NULL, or frees the adapter (arg), after the outbox. */
	void	(*release)(void *arg);
	/* NULL, or work the adapter holds besides its items (for draining). */
	int	(*held)(const void *arg);
};

/*
 * Starts the timer; ops (static, borrowed) and arg (the adapter's) kept.
 * Its cycle in g stops it (no new claim; items in hand finish), counts
 * what is in hand for draining, and frees it, then the adapter
 * (ops->release).
 */
struct outbox *outbox_new(struct cycle_group *g, struct event_base *base,
    struct pool *pool, const struct outbox_ops *ops, void *arg);
/* Items may be due now: claims, if a claim may begin. */
void outbox_kick(struct outbox *ob);
/* Items in hand and the claim in flight, for draining; 0 for NULL. */
int outbox_in_flight(const struct outbox *ob);
bool outbox_is_stopping(const struct outbox *ob);
/* The adapter's arg. */
void *outbox_arg(const struct outbox *ob);

/* The claim answered: -1 (status < 0: the timer asks again), else 0. */
int outbox_claim_end(struct outbox *ob, int status);
/*
 * A new item of size bytes (the adapter's struct, zeroed), beginning
 * with its outbox_item for ob, claimed after attempts earlier attempts.
 */
void *outbox_item_new(struct outbox *ob, size_t size, int attempts);
/* A claimed item: built first unless has_body. */
void outbox_begin(struct outbox_item *it, bool has_body);
/* Claims again at once when a whole batch came: more may be due. */
void outbox_claim_more(struct outbox *ob, size_t count);

/* A connection to address:port, TLS on ssl (consumed) unless NULL. */
struct evhttp_connection *outbox_connect(struct outbox *ob, SSL *ssl,
    const char *address, int port);
/* A request whose answer (or none) records the attempt. */
struct evhttp_request *outbox_request_new(struct outbox_item *it);
/* POSTs body to target on it->conn with req's headers. */
void outbox_post(struct outbox_item *it, struct evhttp_request *req,
    const char *target, const void *body, size_t len);
/* Records the attempt as it stands (a failure before any answer). */
void outbox_record(struct outbox_item *it);

/*
 * The retry delay after the attempts-th failed attempt: base_ms doubled
 * each time up to max_s, times a jitter in [0.5, 1.5) from rnd (0..1).
 */
double outbox_backoff_s(int attempts, int base_ms, int max_s, double rnd);
/* The delay before it's next attempt, with random jitter. */
double outbox_retry_s(const struct outbox_item *it, int base_ms, int max_s);

/*
 * The HTTP status of req's answer, 0 when there was none (req NULL or
 * code 0: refused, reset, timed out, or a TLS handshake refused -- then
 * OpenSSL's reason, taken from conn's bufferevent).  error (size bytes)
 * is set to why when the status is not 2xx ("HTTP 500": never the
 * remote's reason phrase or body, which are not ours to show), empty
 * otherwise.  Exposed for tests.
 */
int outbox_result(struct evhttp_request *req, struct evhttp_connection *conn,
    char *error, size_t size);

#endif
