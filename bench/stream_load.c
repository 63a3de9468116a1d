/*
 * stream_load.c -- the pushed changes under load (issue 18): CONSOLES
 * clients hold GET /v1/stream open while one train a second is
 * submitted; for each train and each console, the time from the start of
 * the train's submission to that console's receipt of the first message
 * naming the train (its manifest's audit record).
 *
 *   stream_load PORT OPERATOR OFFICER PID CONSOLES FILE...
 *	FILEs are EDIFACT manifests, one train each (railgate gen), posted
 *	one a second as OPERATOR; the consoles read as OFFICER.  PID is the
 *	daemon's: its resident memory (/proc/PID/status VmRSS) is read with
 *	the consoles connected, half-way and at the end.
 *
 * Prints the messages received, those missing, latency p50/p99/max and
 * the memory.  One thread reads every console (poll), another submits.
 * A benchmark, not a test: it asserts nothing.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manifest/util.h"

struct console {
	int	 fd;
	char	*pending;	/* what arrived after the last blank line */
	size_t	 len;
	double	*got;		/* per train: when it was first named, 0: not */
};

static int		 port, nconsoles, ntrains;
static const char	*operator_tok, *officer_tok;
static char		**files;
static char		**trains;	/* train number of each file */
static double		*submitted;	/* per train, monotonic seconds; 0: not yet */
static struct console	*consoles;
static atomic_int	 submitting = 1;
static atomic_long	 errors;
static long		 rss_kb[3];
static pid_t		 daemon_pid;

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss(void)
{
	char	path[64], line[256];
	FILE	*f;
	long	kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)daemon_pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

static int
connect_daemon(void)
{
	struct sockaddr_in	sa;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Posts one manifest; the status, -1 on failure. */
static int
submit(const char *data, size_t len)
{
	char	hdr[512], in[4096];
	ssize_t	n;
	size_t	off, got = 0;
	int	fd = connect_daemon(), st = -1;

	if (fd < 0)
		return -1;
	snprintf(hdr, sizeof hdr, "POST /v1/manifests HTTP/1.1\r\nHost: "
	    "127.0.0.1\r\nAuthorization: Bearer %s\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n", operator_tok, len);
	if (write(fd, hdr, strlen(hdr)) < 0)
		goto out;
	for (off = 0; off < len; off += (size_t)n)
		if ((n = write(fd, data + off, len - off)) <= 0)
			goto out;
	while (got < sizeof in - 1 &&
	    (n = read(fd, in + got, sizeof in - 1 - got)) > 0)
		got += (size_t)n;
	in[got] = '\0';
	if (got > 12)
		st = atoi(in + 9);
out:
	close(fd);
	return st;
}

/* One train a second. */
static void *
submitter(void *arg)
{
	double	next = now_s();
	char	*data;
	size_t	 len;
	int	 i, st;

	(void)arg;
	for (i = 0; i < ntrains; i++) {
		while (now_s() < next)
			usleep(2000);
		next += 1.0;
		if (i == ntrains / 2)
			rss_kb[1] = rss();
		if (file_read_all(files[i], &data, &len) < 0) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		submitted[i] = now_s();
		if ((st = submit(data, len)) != 202) {
			fprintf(stderr, "stream_load: %s: %d\n", files[i], st);
			atomic_fetch_add(&errors, 1);
		}
		free(data);
	}
	sleep(3);		/* the last messages arrive */
	atomic_store(&submitting, 0);
	return NULL;
}

/* The train number of an EDIFACT manifest (TDT+20+NUMBER+...). */
static char *
train_of(const char *path)
{
	char	*data, *p, *q, *t = NULL;
	size_t	 len;

	if (file_read_all(path, &data, &len) < 0)
		return NULL;
	if ((p = strstr(data, "TDT+20+")) != NULL) {
		p += 7;
		q = p + strcspn(p, "+:'");
		t = xasprintf("%.*s", (int)(q - p), p);
	}
	free(data);
	return t;
}

/* One complete message: the trains it names, as received now. */
static void
console_message(struct console *c, const char *m, size_t len, double at)
{
	char	key[80];
	int	i;

	for (i = 0; i < ntrains; i++) {
		if (c->got[i] != 0 || submitted[i] == 0)
			continue;
		snprintf(key, sizeof key, "\"train\":\"%s\"", trains[i]);
		if (memmem(m, len, key, strlen(key)) != NULL)
			c->got[i] = at;
	}
}

/* Reads what a console was sent; messages end with a blank line. */
static int
console_read(struct console *c, double at)
{
	char	buf[16384], *end;
	ssize_t	n = read(c->fd, buf, sizeof buf);
	size_t	used;

	if (n <= 0)
		return -1;
	c->pending = xreallocarray(c->pending, c->len + (size_t)n + 1, 1);
	memcpy(c->pending + c->len, buf, (size_t)n);
	c->len += (size_t)n;
	c->pending[c->len] = '\0';
	used = 0;
	while ((end = strstr(c->pending + used, "\n\n")) != NULL) {
		console_message(c, c->pending + used,
		    (size_t)(end - c->pending - used), at);
		used = (size_t)(end - c->pending) + 2;
	}
	memmove(c->pending, c->pending + used, c->len - used + 1);
	c->len -= used;
	return 0;
}

static int
console_open(struct console *c)
{
	char	req[512];
	int	n;

	if ((c->fd = connect_daemon()) < 0)
		return -1;
	n = snprintf(req, sizeof req, "GET /v1/stream HTTP/1.1\r\nHost: "
	    "127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer "
	    "%s\r\n\r\n", officer_tok);
	return write(c->fd, req, (size_t)n) == n ? 0 : -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Reads every console until the submitter is done. */
static void
read_consoles(void)
{
	struct pollfd	*p = xcalloc((size_t)nconsoles, sizeof *p);
	int		 i, closed = 0;

	for (i = 0; i < nconsoles; i++) {
		p[i].fd = consoles[i].fd;
		p[i].events = POLLIN;
	}
	while (atomic_load(&submitting)) {
		if (poll(p, (nfds_t)nconsoles, 100) <= 0)
			continue;
		for (i = 0; i < nconsoles; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (console_read(&consoles[i], now_s()) < 0) {
				p[i].fd = -1;
				closed++;
			}
		}
	}
	if (closed > 0)
		printf("stream: %d console%s lost their stream\n", closed,
		    closed == 1 ? "" : "s");
	free(p);
}

/* Latencies of every (console, train), percentiles printed. */
static void
report(void)
{
	double	*lat = xcalloc((size_t)nconsoles * (size_t)ntrains + 1,
		    sizeof *lat);
	size_t	 n = 0, missing = 0;
	int	 i, j;

	for (i = 0; i < nconsoles; i++)
		for (j = 0; j < ntrains; j++) {
			if (submitted[j] == 0)
				continue;
			if (consoles[i].got[j] == 0)
				missing++;
			else
				lat[n++] = (consoles[i].got[j] - submitted[j]) *
				    1000;
		}
	qsort(lat, n, sizeof *lat, cmp_double);
	printf("stream: %d consoles, %d trains one a second: %zu messages "
	    "received, %zu missing, %ld submission errors\n", nconsoles,
	    ntrains, n, missing, atomic_load(&errors));
	if (n > 0)
		printf("stream: submit -> message on the console: p50 %.0f ms, "
		    "p99 %.0f ms, max %.0f ms\n", lat[n / 2],
		    lat[(size_t)((double)(n - 1) * 0.99)], lat[n - 1]);
	printf("stream: daemon RSS with the consoles connected %ld KiB, "
	    "half-way %ld KiB, at the end %ld KiB\n", rss_kb[0], rss_kb[1],
	    rss_kb[2]);
	free(lat);
}

int
main(int argc, char **argv)
{
	pthread_t	th;
	int		i;

	if (argc < 7) {
		fprintf(stderr, "usage: stream_load PORT OPERATOR OFFICER PID "
		    "CONSOLES FILE...\n");
		return 2;
	}
	port = atoi(argv[1]);
	operator_tok = argv[2];
	officer_tok = argv[3];
	daemon_pid = (pid_t)atoi(argv[4]);
	nconsoles = atoi(argv[5]);
	files = argv + 6;
	ntrains = argc - 6;
	trains = xcalloc((size_t)ntrains, sizeof *trains);
	submitted = xcalloc((size_t)ntrains, sizeof *submitted);
	for (i = 0; i < ntrains; i++)
		if ((trains[i] = train_of(files[i])) == NULL) {
			fprintf(stderr, "stream_load: %s: no train number\n",
			    files[i]);
			return 1;
		}
	consoles = xcalloc((size_t)nconsoles, sizeof *consoles);
	for (i = 0; i < nconsoles; i++) {
		consoles[i].got = xcalloc((size_t)ntrains, sizeof(double));
		if (console_open(&consoles[i]) < 0) {
			fprintf(stderr, "stream_load: console %d: cannot "
			    "connect\n", i);
			return 1;
		}
	}
	sleep(2);		/* every stream open */
	rss_kb[0] = rss();
	if (pthread_create(&th, NULL, submitter, NULL) != 0)
		return 1;
	read_consoles();
	pthread_join(th, NULL);
	rss_kb[2] = rss();
	report();
	return 0;
}
