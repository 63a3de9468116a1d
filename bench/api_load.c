/*
 * api_load.c -- load for the daemon's API, measured from the client side.
 *
 *   api_load submit PORT TOKEN DSN CONCURRENCY FILE...
 *	CONCURRENCY clients post the files (each file once, as TOKEN, an
 *	operator); the latency of each is from the moment its request
 *	started to the commit of its provisional decision (decisions.made_at,
 *	read from the database at DSN once all are decided; same machine,
 *	same clock), so that no polling loads the daemon.
 *   api_load burst PORT TOKEN DSN SIZE FILE...
 *	The same, SIZE files at a time: SIZE clients post one file each at
 *	once, and the next burst starts when all of them are decided.
 *   api_load read PORT TOKEN CLIENTS SECONDS PATH [INTERVAL_MS]
 *	CLIENTS clients GET PATH in a loop for SECONDS, each waiting
 *	INTERVAL_MS between its requests (0, the default: none).  Each
 *	asks as a browser's console does, with "Accept-Encoding: gzip,
 *	deflate, br" (API_LOAD_ACCEPT_ENCODING: another value; empty: no
 *	such header); an answer said to be gzip must begin as gzip does.
 *
 * Prints requests, errors and latency percentiles (submit and burst: also
 * those of the 202 alone, the manifest stored; with API_LOAD_TRACE in the
 * environment, each train's too, on stderr).  Blocking sockets, one
 * thread per client, a new connection per request (what a script or a
 * browser poll does).  A benchmark, not a test: it asserts nothing.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "manifest/util.h"

static int		 port;
static const char	*token, *dsn;
static double		*submitted;	/* wall-clock seconds, per file */
static double		*stored_ms;	/* to the 202, per file */
static double		 first_submit;	/* wall-clock seconds */
static bool		 trace;		/* API_LOAD_TRACE: each train */
static char		**train_ids;	/* from Location, per file */
static char		**files;
static int		 nfiles;
static int		 group_end;	/* submitters stop before this file */
static atomic_int	 next_file;
static atomic_long	 errors;
static double		 deadline;
static const char	*read_path;
static int		 interval_ms;
static char		 read_accept[200];	/* the readers' header line */
static atomic_long	 read_bytes, read_gzip;	/* bodies: bytes, gzip ones */

/* What http() saw of an answer besides its status. */
struct answer {
	size_t	body_len;
	bool	gzip;		/* Content-Encoding: gzip */
	bool	bad;		/* said gzip, does not begin as gzip does */
};

struct samples {
	double		*v;
	size_t		 n, cap;
	pthread_mutex_t	 lock;
};
static struct samples	lat = { NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER };
/* submit: from the request's start to its 202, the manifest stored */
static struct samples	acc = { NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER };

static double
wall_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sample_to(struct samples *s, double ms)
{
	pthread_mutex_lock(&s->lock);
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 1024 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = ms;
	pthread_mutex_unlock(&s->lock);
}

static void
sample(double ms)
{
	sample_to(&lat, ms);
}

/* The body's length and coding of the answer [data, len). */
static void
answer_read(const char *data, size_t len, struct answer *a)
{
	const char	*end = memmem(data, len, "\r\n\r\n", 4);
	const char	*h;

	memset(a, 0, sizeof *a);
	if (end == NULL)
		return;
	a->body_len = len - (size_t)(end + 4 - data);
	for (h = data; h < end && (h = memmem(h, (size_t)(end - h), "\r\n",
	    2)) != NULL; h += 2)
		if (strncasecmp(h + 2, "Content-Encoding: gzip", 22) == 0)
			a->gzip = true;
	/* The gzip magic: an answer so labelled that is not is an error. */
	a->bad = a->gzip && (a->body_len < 2 ||
	    (unsigned char)end[4] != 0x1f || (unsigned char)end[5] != 0x8b);
}

/*
 * One request on a new connection; the status (-1 on failure).  The whole
 * answer, headers and body, goes to *resp (caller frees) when resp is not
 * NULL.
 */
static int
http(const char *method, const char *path, const char *data, size_t len,
    const char *tok, const char *extra, char **resp, struct answer *a)
{
	struct sockaddr_in	 sa;
	struct buf		 in = { 0 };
	char			 hdr[512];
	ssize_t			 n;
	int			 fd, status = -1;
	size_t			 off;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		goto out;
	snprintf(hdr, sizeof hdr, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Bearer %s\r\nConnection: close\r\n%s"
	    "Content-Length: %zu\r\n\r\n", method, path, tok,
	    extra != NULL ? extra : "", len);
	if (write(fd, hdr, strlen(hdr)) < 0)
		goto out;
	for (off = 0; off < len; off += (size_t)n)
		if ((n = write(fd, data + off, len - off)) <= 0)
			goto out;
	for (;;) {
		buf_reserve(&in, 65536);
		if ((n = read(fd, in.data + in.len, in.cap - in.len - 1)) <= 0)
			break;
		in.len += (size_t)n;
	}
	if (in.len > 12 && strncmp(in.data, "HTTP/1.1 ", 9) == 0) {
		in.data[in.len] = '\0';
		status = atoi(in.data + 9);
		if (resp != NULL)
			*resp = xstrdup(in.data);
		if (a != NULL)
			answer_read(in.data, in.len, a);
	}
out:
	close(fd);
	buf_free(&in);
	return status;
}

/* Submit client: post files until none is left. */
static void *
submitter(void *arg)
{
	char	*data, *body, *id, loc[100];
	size_t	 len;
	int	 i, st;

	while ((i = atomic_fetch_add(&next_file, 1)) < group_end) {
		if (file_read_all(files[i], &data, &len) < 0) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		submitted[i] = wall_s();
		body = NULL;
		st = http("POST", "/v1/manifests", data, len, token, NULL, &body,
		    NULL);
		if (st == 202) {
			stored_ms[i] = (wall_s() - submitted[i]) * 1e3;
			sample_to(&acc, stored_ms[i]);
		}
		free(data);
		/* Location: /v1/trains/X0001@1 */
		id = body != NULL ? strstr(body, "\r\nLocation: /v1/trains/") :
		    NULL;
		if (st != 202 || id == NULL || sscanf(id,
		    "\r\nLocation: /v1/trains/%99[^\r]", loc) != 1) {
			fprintf(stderr, "api_load: %s: %d %s\n", files[i], st,
			    body != NULL ? body : "");
			atomic_fetch_add(&errors, 1);
		} else
			train_ids[i] = xstrdup(loc);
		free(body);
	}
	return NULL;
}

/* Waits for every submitted train's first decision; records latencies. */
static void
collect_decisions(void)
{
	PGconn		*conn = PQconnectdb(dsn);
	PGresult	*res;
	const char	*v[1];
	double		 give_up = now_s() + 600;
	int		 i, left = 1;

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "api_load: %s", PQerrorMessage(conn));
		exit(69);
	}
	while (left > 0 && now_s() < give_up) {
		left = 0;
		for (i = 0; i < nfiles; i++) {
			if (train_ids[i] == NULL || submitted[i] < 0)
				continue;
			v[0] = train_ids[i];
			res = PQexecParams(conn, "SELECT extract(epoch FROM "
			    "min(d.made_at)) FROM decisions d JOIN train_find($1) t "
			    "ON t.id = d.train_id", 1, NULL, v, NULL, NULL, 0);
			if (PQresultStatus(res) == PGRES_TUPLES_OK &&
			    !PQgetisnull(res, 0, 0)) {
				double ms = (atof(PQgetvalue(res, 0, 0)) -
				    submitted[i]) * 1e3;

				sample(ms);
				if (trace)
					fprintf(stderr, "api_load: %s: submitted"
					    " at +%.1f ms, stored %.1f ms, "
					    "decided %.1f ms\n", files[i],
					    (submitted[i] - first_submit) * 1e3,
					    stored_ms[i], ms);
				submitted[i] = -1;
			} else
				left++;
			PQclear(res);
		}
		if (left > 0)
			usleep(100000);
	}
	errors += left;
	PQfinish(conn);
}

/* Read client: GET the path until the deadline. */
static void *
reader(void *arg)
{
	double	t0;
	int	st;

	while ((t0 = now_s()) < deadline) {
		struct answer a = { 0 };

		st = http("GET", read_path, NULL, 0, token, read_accept, NULL,
		    &a);
		if (st != 200 || a.bad)
			atomic_fetch_add(&errors, 1);
		else {
			sample((now_s() - t0) * 1e3);
			atomic_fetch_add(&read_bytes, (long)a.body_len);
			atomic_fetch_add(&read_gzip, a.gzip);
		}
		if (interval_ms > 0)
			usleep((useconds_t)interval_ms * 1000);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct_of(const struct samples *s, double p)
{
	size_t	i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);

	return s->n == 0 ? 0 : s->v[i];
}

static double
pct(double p)
{
	return pct_of(&lat, p);
}

static void
run(int n, void *(*fn)(void *))
{
	pthread_t	*t = xcalloc((size_t)n, sizeof *t);
	int		 i;

	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fn, NULL);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
}

int
main(int argc, char **argv)
{
	double	t0, secs;
	int	conc;

	if (argc < 6 || (strcmp(argv[1], "submit") != 0 &&
	    strcmp(argv[1], "burst") != 0 && strcmp(argv[1], "read") != 0) ||
	    (strcmp(argv[1], "read") == 0 && argc != 7 && argc != 8) ||
	    (strcmp(argv[1], "read") != 0 && argc < 7)) {
		fprintf(stderr, "usage: api_load submit PORT TOKEN DSN "
		    "CONCURRENCY FILE...\n"
		    "       api_load burst PORT TOKEN DSN SIZE FILE...\n"
		    "       api_load read PORT TOKEN CLIENTS SECONDS PATH "
		    "[INTERVAL_MS]\n");
		return 64;
	}
	port = atoi(argv[2]);
	token = argv[3];
	t0 = now_s();
	if (strcmp(argv[1], "read") != 0) {
		bool	burst = strcmp(argv[1], "burst") == 0;
		int	start = 0;

		dsn = argv[4];
		conc = atoi(argv[5]);
		files = argv + 6;
		nfiles = argc - 6;
		submitted = xcalloc((size_t)nfiles, sizeof *submitted);
		stored_ms = xcalloc((size_t)nfiles, sizeof *stored_ms);
		trace = getenv("API_LOAD_TRACE") != NULL;
		first_submit = wall_s();
		train_ids = xcalloc((size_t)nfiles, sizeof *train_ids);
		do {
			group_end = burst && start + conc < nfiles ?
			    start + conc : nfiles;
			atomic_store(&next_file, start);
			run(conc, submitter);
			collect_decisions();
			start = group_end;
		} while (start < nfiles);
	} else {
		conc = atoi(argv[4]);
		deadline = t0 + atof(argv[5]);
		read_path = argv[6];
		const char *ae = getenv("API_LOAD_ACCEPT_ENCODING");

		interval_ms = argc > 7 ? atoi(argv[7]) : 0;
		if (ae == NULL)
			ae = "gzip, deflate, br";
		if (*ae != '\0')
			snprintf(read_accept, sizeof read_accept,
			    "Accept-Encoding: %s\r\n", ae);
		run(conc, reader);
	}
	secs = now_s() - t0;
	qsort(lat.v, lat.n, sizeof *lat.v, cmp_double);
	printf("%s: %d clients, %zu ok, %ld errors in %.1f s (%.0f/s); "
	    "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", argv[1], conc,
	    lat.n, (long)atomic_load(&errors), secs, (double)lat.n / secs,
	    pct(50), pct(99), lat.n > 0 ? lat.v[lat.n - 1] : 0);
	if (strcmp(argv[1], "read") == 0 && lat.n > 0)
		printf("  answers: %.0f bytes of body on average, %ld of %zu "
		    "gzip-compressed (%s)\n", (double)atomic_load(&read_bytes) /
		    (double)lat.n, (long)atomic_load(&read_gzip), lat.n,
		    read_accept[0] != '\0' ? "asked with Accept-Encoding" :
		    "asked without Accept-Encoding");
	if (acc.n > 0) {
		qsort(acc.v, acc.n, sizeof *acc.v, cmp_double);
		printf("  of which to the 202 (the manifest stored): p50 %.1f "
		    "ms, p99 %.1f ms\n", pct_of(&acc, 50), pct_of(&acc, 99));
	}
	free(lat.v);
	free(acc.v);
	return 0;
}
