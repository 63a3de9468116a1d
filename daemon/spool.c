/*
 * spool.c -- scanning incoming/, one file at a time per scan slot.
 *
 * At most SPOOL_IN_FLIGHT files are ingested at once, so that a burst of
 * dropped files queues on disk rather than in memory.  Files left in
 * processing/ by a daemon that died are taken again at start-up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "daemon.h"
#include "ingest.h"
#include "log.h"
#include "spool.h"

#define SPOOL_IN_FLIGHT	4
#define SPOOL_NAME_MAX	200

struct spool {
	struct daemon	*d;
	char		*root;
	struct event	*timer;
	int		 in_flight;
	int		 stopping;
};

struct spool_file {
	struct spool	*s;
	char		 name[SPOOL_NAME_MAX + 1];
	char		 key[SPOOL_NAME_MAX + 64];
};

static void spool_scan(struct spool *);

/* root/sub/name into out. */
static void
spool_path(const struct spool *s, const char *sub, const char *name,
    char *out, size_t size)
{
	snprintf(out, size, "%s/%s/%s", s->root, sub, name);
}

/*
 * True for names a sender may use: letters, digits, '.', '_', '-', not
 * starting with '.' (temporary files) -- nothing that could climb out.
 */
static bool
spool_name_ok(const char *name)
{
	size_t	i, n = strlen(name);

	if (n == 0 || n > SPOOL_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * Writes the reason a file failed beside it.  On a full disk the .err
 * cannot be written: nothing truncated is left, and the reason is in the
 * log line of the refusal anyway.
 */
static void
spool_write_err(struct spool *s, const char *name, const char *reason)
{
	char	path[1024];
	FILE	*f;

	snprintf(path, sizeof path, "%s/failed/%s.err", s->root, name);
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("spool: cannot write %s", path);
		return;
	}
	/* No fsync: this runs on the loop thread, and Linux filesystems
	 * report a full disk when the write reserves the space. */
	if (fprintf(f, "%s\n", reason) < 0 || fflush(f) != 0) {
		log_warn("spool: cannot write %s", path);
		fclose(f);
		unlink(path);
		return;
	}
	if (fclose(f) != 0) {
		log_warn("spool: cannot write %s", path);
		unlink(path);
	}
}

/* Moves name from one subdirectory to another; 0 or -1 (logged). */
static int
spool_move(struct spool *s, const char *from, const char *to, const char *name)
{
	char	a[1024], b[1024];

	spool_path(s, from, name, a, sizeof a);
	spool_path(s, to, name, b, sizeof b);
	if (rename(a, b) < 0) {
		log_warn("spool: cannot move %s to %s/", a, to);
		return -1;
	}
	return 0;
}

/* Ingestion finished: done/, failed/ with the reason, or back to incoming/. */
static void
spool_ingested_cb(const struct ingest_result *r, void *arg)
{
	struct spool_file	*f = arg;
	struct spool		*s = f->s;

	s->in_flight--;
	if (!r->stored && r->http_status == 503) {
		log_warnx("spool: %s not stored (%s); will retry", f->name,
		    r->error != NULL ? r->error : "database unavailable");
		spool_move(s, "processing", "incoming", f->name);
	} else if (r->http_status == 202) {
		spool_move(s, "processing", "done", f->name);
	} else {
		const char *why = r->reply != NULL ? r->reply :
		    r->error != NULL ? r->error : "refused";

		log_warnx("spool: %s refused (%d): %.300s", f->name,
		    r->http_status, why);
		spool_write_err(s, f->name, why);
		spool_move(s, "processing", "failed", f->name);
	}
	free(f);
	if (!s->stopping)
		spool_scan(s);
}

/* Ingests a file already in processing/. */
static void
spool_take(struct spool *s, const char *name)
{
	struct ingest_request	 rq = { 0 };
	struct spool_file	*f;
	struct stat		 st;
	char			 path[1024];

	spool_path(s, "processing", name, path, sizeof path);
	if (lstat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode)) {
		/* A link could point anywhere: it is never followed. */
		log_warnx("spool: %s is not a regular file: refused", name);
		spool_write_err(s, name, "not a regular file (symbolic links "
		    "are not followed): put the manifest itself in incoming/");
		spool_move(s, "processing", "failed", name);
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->s = s;
	snprintf(f->name, sizeof f->name, "%s", name);
	/* Same file, same key: a re-take after a crash repeats, never duplicates. */
	snprintf(f->key, sizeof f->key, "spool:%s:%lld:%lld", name,
	    (long long)st.st_size, (long long)st.st_mtime);
	rq.source = "spool";
	rq.principal = "spool";
	rq.key = f->key;
	s->in_flight++;
	ingest_from_file(s->d, &rq, path, spool_ingested_cb, f);
}

/* Claims and ingests files from incoming/ while slots are free. */
static void
spool_scan(struct spool *s)
{
	struct dirent	*e;
	char		 dir[1024];
	DIR		*dp;

	if (s->in_flight >= SPOOL_IN_FLIGHT)
		return;
	snprintf(dir, sizeof dir, "%s/incoming", s->root);
	if ((dp = opendir(dir)) == NULL)
		return;
	while (s->in_flight < SPOOL_IN_FLIGHT && (e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;	/* temporary files and . .. */
		if (!spool_name_ok(e->d_name)) {
			log_warnx("spool: refusing unsafe file name in incoming/");
			if (spool_move(s, "incoming", "failed", e->d_name) == 0)
				spool_write_err(s, e->d_name, "unsafe file name: use "
				    "letters, digits, '.', '_' and '-' only");
			continue;
		}
		/* The rename is the claim: only one daemon wins it. */
		if (spool_move(s, "incoming", "processing", e->d_name) == 0)
			spool_take(s, e->d_name);
	}
	closedir(dp);
}

static void
spool_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	spool_scan(arg);
}

/* Retakes what a previous run left in processing/. */
static void
spool_recover(struct spool *s)
{
	struct dirent	*e;
	char		 dir[1024];
	DIR		*dp;

	snprintf(dir, sizeof dir, "%s/processing", s->root);
	if ((dp = opendir(dir)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.' || !spool_name_ok(e->d_name))
			continue;
		log_info("spool: retaking %s left by an earlier run", e->d_name);
		spool_take(s, e->d_name);
	}
	closedir(dp);
}

struct spool *
spool_new(struct daemon *d, const char *root, char **cause)
{
	static const char *subs[] = { "", "/incoming", "/processing", "/done",
	    "/failed" };
	struct timeval	 second = { 1, 0 };
	struct spool	*s;
	char		 path[1024];
	size_t		 i;

	for (i = 0; i < nitems(subs); i++) {
		snprintf(path, sizeof path, "%s%s", root, subs[i]);
		if (mkdir(path, 0750) < 0 && errno != EEXIST) {
			*cause = xasprintf("spool: cannot create %s: %s", path,
			    strerror(errno));
			return NULL;
		}
	}
	s = xcalloc(1, sizeof *s);
	s->d = d;
	s->root = xstrdup(root);
	s->timer = event_new(d->base, -1, EV_PERSIST, spool_timer_cb, s);
	event_add(s->timer, &second);
	spool_recover(s);
	log_info("spool: watching %s/incoming", root);
	return s;
}

void
spool_stop(struct spool *s)
{
	if (s == NULL || s->stopping)
		return;
	s->stopping = 1;
	event_del(s->timer);
}

void
spool_free(struct spool *s)
{
	if (s == NULL)
		return;
	event_free(s->timer);
	free(s->root);
	free(s);
}
