/*
 * conn_client.c -- the connection guard's accounting: each client's open
 * connections (max_connections_per_client, refusals summarised every
 * SUMMARY_MS) and the body budget shared by the requests in flight
 * (max_body_memory_mb).  A client is its IPv4 address or its IPv6 /64.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "daemon/http/conn.h"
#include "daemon/http/conn_int.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/http/reqhead.h"

void
conn_client_key(const struct sockaddr *sa, char *out, size_t size)
{
	const struct sockaddr_in6	*a6;
	struct in6_addr			 net;
	char				 host[INET6_ADDRSTRLEN] = "?";

	if (sa != NULL && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof host);
		snprintf(out, size, "%s", host);
		return;
	}
	if (sa == NULL || sa->sa_family != AF_INET6) {
		snprintf(out, size, "?");
		return;
	}
	a6 = (const struct sockaddr_in6 *)sa;
	if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
		inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], host, sizeof host);
		snprintf(out, size, "%s", host);
		return;
	}
	net = a6->sin6_addr;
	memset(&net.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &net, host, sizeof host);
	snprintf(out, size, "%s/64", host);
}

/* The client's key and "address:port", from the socket. */
static void
guarded_name(struct guarded *c)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;
	evutil_socket_t		fd = bufferevent_getfd(c->bev);
	char			host[INET6_ADDRSTRLEN] = "?";
	unsigned		port = 0;

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(c->key, sizeof c->key, "?");
		snprintf(c->peer, sizeof c->peer, "?");
		return;
	}
	conn_client_key((struct sockaddr *)&ss, c->key, sizeof c->key);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		port = ntohs(a->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		port = ntohs(a->sin6_port);
	}
	snprintf(c->peer, sizeof c->peer, "%s:%u", host, port);
}

static struct client_list *
client_bucket(struct conn_guard *g, const char *key)
{
	return &g->clients[strmap_hash(key, strlen(key)) & (GUARD_BUCKETS - 1)];
}

/* The client of that key, made when absent. */
static struct client *
client_get(struct conn_guard *g, const char *key)
{
	struct client_list	*b = client_bucket(g, key);
	struct client		*cl;

	LIST_FOREACH(cl, b, entry)
		if (strcmp(cl->key, key) == 0)
			return cl;
	cl = xcalloc(1, sizeof *cl);
	snprintf(cl->key, sizeof cl->key, "%s", key);
	LIST_INSERT_HEAD(b, cl, entry);
	return cl;
}

/* Logs a client's refused connections since the last time, if any. */
void
conn_client_summary(struct conn_guard *g, struct client *cl)
{
	if (cl->refused == 0)
		return;
	log_warnx("http: %s: %llu connection%s refused in the last %d s: "
	    "max_connections_per_client (%d) open already", cl->key,
	    (unsigned long long)cl->refused, cl->refused == 1 ? "" : "s",
	    SUMMARY_MS / 1000, g->lim.max_connections_per_client);
	cl->refused = 0;
}

/* c no longer counts against its client (closed, or on its way out). */
void
guarded_uncount(struct guarded *c)
{
	struct client	*cl = c->client;

	if (cl == NULL)
		return;
	c->client = NULL;
	if (--cl->open > 0)
		return;
	conn_client_summary(c->g, cl);
	LIST_REMOVE(cl, entry);
	free(cl);
}

/* Takes n bytes of the body budget for c; false when they are not left. */
bool
conn_budget_take(struct guarded *c, uint64_t n)
{
	struct conn_guard	*g = c->g;

	if (g->stats.body_bytes + n > g->lim.body_budget)
		return false;
	g->stats.body_bytes += n;
	c->reserved += n;
	return true;
}

void
conn_budget_release(struct guarded *c)
{
	c->g->stats.body_bytes -= c->reserved;
	c->reserved = 0;
}

/* Counts c against its client; ends it when the client has too many. */
void
guarded_admit(struct guarded *c)
{
	struct client	*cl;

	if (c->admitted)
		return;
	c->admitted = true;
	guarded_name(c);
	cl = client_get(c->g, c->key);
	if (cl->open >= c->g->lim.max_connections_per_client) {
		cl->refused++;
		c->g->stats.client_refused++;
		c->client = cl;
		cl->open++;	/* guarded_end uncounts it, freeing cl if idle */
		guarded_end(c);
		return;
	}
	cl->open++;
	c->client = cl;
}
