/*
 * spool.c -- scanning incoming/, one file at a time per scan slot.
 *
 * At most SPOOL_IN_FLIGHT files are ingested at once, so that a burst of
 * dropped files queues on disk rather than in memory.  Files left in
 * processing/ by a daemon that died are taken again at start-up.
 *
 * Retries.  A file the database could not take (503) stays claimed in
 * processing/ and is taken again after a delay that doubles from [spool]
 * retry_base_ms up to retry_max_s; after max_attempts it goes to
 * failed/ with the reason.  While no database connection is usable an
 * attempt is answered so at once, as the API answers 503, without
 * reading the file.  At most SPOOL_WAITING files wait at once, in
 * wait[]; while that many are busy no new file is claimed, so that a
 * database that is down costs a few attempts a minute, not one for every
 * file dropped meanwhile.  The number of the attempt under way is kept
 * beside the file (processing/.NAME.attempts, written before every
 * attempt after the first), so that attempts count across restarts: a
 * file that stops the daemon each time it is read is given up too.
 *
 * Reason files.  failed/NAME.err is written under a temporary name made
 * with O_CREAT|O_EXCL|O_NOFOLLOW and renamed over NAME.err, so whatever
 * stood at that name, a symbolic link included, is replaced and never
 * written through.  Names ending in ".err" are refused in incoming/
 * (they would take a reason's place): moved to failed/NAME.refused beside
 * failed/NAME.refused.err.  A symbolic link is never followed: not read
 * (spool_take, file_read_regular), only moved.
 *
 * Names.  A move never replaces a file (RENAME_NOREPLACE), but in done/:
 * a second file of a name still waiting in processing/ stays in incoming/
 * until the first is done (a rename over it lost the first), and a file
 * failing under the name of an earlier failure goes to failed/NAME.1
 * (.2, ...) beside its own reason.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "db/db.h"

#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/ingest.h"
#include "daemon/log.h"
#include "daemon/spool.h"

#define SPOOL_IN_FLIGHT		4
#define SPOOL_WAITING		16	/* files waiting for a retry, at most */
#define SPOOL_NAME_MAX		200
#define SPOOL_WARN_EVERY_MS	10000	/* "cannot move" lines, at most one */
#define SPOOL_RESERVED		".err"	/* a name the spool writes itself */
#define SPOOL_REFUSED		".refused"

/* A file that was not stored and will be taken again. */
struct spool_wait {
	char		 name[SPOOL_NAME_MAX + 1];	/* "": a free slot */
	int		 attempts;	/* made, or under way when taken */
	int64_t		 due_ms;	/* daemon_now_ms() of the next */
	int64_t		 since_ms;	/* of the first answer to wait for */
	bool		 taken;		/* being ingested now */
};

struct spool {
	struct daemon		*d;
	char			*root;
	struct cycle		*cycle;		/* the scan, every second; files
						   being ingested */
	struct event		*retry;		/* the next retry that is due */
	struct spool_wait	 wait[SPOOL_WAITING];
	int64_t			 warned_ms;	/* the last "cannot move" line */
	unsigned		 unwarned;	/* such lines not written since */
	unsigned		 seq;		/* temporary names */
};

struct spool_file {
	struct spool	*s;
	char		 name[SPOOL_NAME_MAX + 1];
	char		 key[SPOOL_NAME_MAX + 64];
	int		 attempt;	/* this one's number, from 1 */
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
bool
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

/* True for a name the spool keeps for its own files: NAME.err. */
bool
spool_name_reserved(const char *name)
{
	size_t	n = strlen(name), r = strlen(SPOOL_RESERVED);

	return n >= r && strcasecmp(name + n - r, SPOOL_RESERVED) == 0;
}

/*
 * Writes text as root/sub/name: created new under a temporary name (never
 * through a link: O_EXCL, O_NOFOLLOW) and renamed over name.  No fsync:
 * this runs on the loop thread, and Linux filesystems report a full disk
 * when the write reserves the space; on any failure nothing truncated is
 * left.  0, or -1 with errno.
 */
static int
spool_write_file(struct spool *s, const char *sub, const char *name,
    const char *text)
{
	char	tmp[1024], path[1024];
	size_t	off = 0, len = strlen(text);
	ssize_t	n;
	int	fd, tries, saved;

	for (tries = 0; ; tries++) {
		snprintf(tmp, sizeof tmp, "%s/%s/.spool-tmp.%ld.%u", s->root, sub,
		    (long)getpid(), s->seq++);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0640)) >= 0)
			break;
		if (errno != EEXIST || tries == 8)
			return -1;
	}
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	spool_path(s, sub, name, path, sizeof path);
	if (rename(tmp, path) == 0)
		return 0;
fail:
	saved = errno != 0 ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

/*
 * Writes the reason a file failed beside it, as failed/NAME.err.  On a full
 * disk it cannot be written: the reason is in the log line of the refusal.
 */
static void
spool_write_err(struct spool *s, const char *name, const char *reason)
{
	char	*err = xasprintf("%s.err", name), *text = xasprintf("%s\n", reason);

	if (spool_write_file(s, "failed", err, text) < 0)
		log_warn("spool: cannot write %s/failed/%s", s->root, err);
	free(err);
	free(text);
}

/* "cannot move" at most once per SPOOL_WARN_EVERY_MS: a stuck entry is
 * seen again at every scan. */
static void
spool_warn_move(struct spool *s, const char *a, const char *to)
{
	int64_t	now = daemon_now_ms();

	if (s->warned_ms != 0 && now - s->warned_ms < SPOOL_WARN_EVERY_MS) {
		s->unwarned++;
		return;
	}
	if (s->unwarned > 0)
		log_warn("spool: cannot move %s to %s/ (%u such failures not "
		    "logged since the last)", a, to, s->unwarned);
	else
		log_warn("spool: cannot move %s to %s/", a, to);
	s->warned_ms = now;
	s->unwarned = 0;
}

/*
 * rename(a, b) that never replaces b: -1 with EEXIST when b is there.  On
 * a filesystem without RENAME_NOREPLACE, a regular file is linked and
 * unlinked (link never replaces); anything else is renamed after a check.
 */
static int
rename_noreplace(const char *a, const char *b)
{
	struct stat	st;

	if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (lstat(a, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		if (link(a, b) < 0)
			return -1;
		unlink(a);
		return 0;
	}
	if (lstat(b, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(a, b);
}

/*
 * Moves from/name to to/name; 0 or -1 (logged, except a file another
 * daemon took first).  Never over a file already at to/name: a second
 * file of the name dropped while the first waits in processing/ for
 * another attempt stays in incoming/ until the first is done (a rename
 * replaced the first, which was lost).  done/ alone is replaced: what is
 * there is stored already.
 */
static int
spool_move(struct spool *s, const char *from, const char *to, const char *name)
{
	char	a[1024], b[1024];
	int	rc;

	spool_path(s, from, name, a, sizeof a);
	spool_path(s, to, name, b, sizeof b);
	rc = strcmp(to, "done") == 0 ? rename(a, b) : rename_noreplace(a, b);
	if (rc < 0 && errno != ENOENT)
		spool_warn_move(s, a, to);
	return rc;
}

/*
 * Moves from/name to failed/ as base, or as base.1, base.2 ... when a file
 * that failed before holds that name (it is kept, with its reason), and
 * writes why as its .err.  0 or -1 (logged, except a file another daemon
 * took first).
 */
static int
spool_fail(struct spool *s, const char *from, const char *name,
    const char *base, const char *why)
{
	char	a[1024], b[1024], as[NAME_MAX + 16];
	int	k;

	spool_path(s, from, name, a, sizeof a);
	for (k = 0; k < 1000; k++) {
		if (k == 0)
			snprintf(as, sizeof as, "%s", base);
		else
			snprintf(as, sizeof as, "%s.%d", base, k);
		spool_path(s, "failed", as, b, sizeof b);
		if (rename_noreplace(a, b) == 0) {
			if (k > 0)
				log_warnx("spool: failed/%s is taken by an "
				    "earlier file: this one is failed/%s", base,
				    as);
			spool_write_err(s, as, why);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	if (errno != ENOENT)
		spool_warn_move(s, a, "failed");
	return -1;
}

/* The attempts file of name: processing/.NAME.attempts. */
static void
spool_attempts_name(const char *name, char *out, size_t size)
{
	snprintf(out, size, ".%s.attempts", name);
}

/* The number of the last attempt begun on name (its attempts file), or 0. */
static int
spool_attempts_read(struct spool *s, const char *name)
{
	char	file[NAME_MAX + 16], path[1024], text[16];
	ssize_t	n;
	long	v;
	int	fd;

	spool_attempts_name(name, file, sizeof file);
	spool_path(s, "processing", file, path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	v = strtol(text, NULL, 10);
	return v < 0 ? 0 : v > 1000000 ? 1000000 : (int)v;
}

/* Records that attempt n on name begins (best effort: a full disk only
 * makes the count start again after a restart). */
static void
spool_attempts_write(struct spool *s, const char *name, int n)
{
	char	file[NAME_MAX + 16], text[16];

	spool_attempts_name(name, file, sizeof file);
	snprintf(text, sizeof text, "%d\n", n);
	if (spool_write_file(s, "processing", file, text) < 0)
		log_warn("spool: cannot record attempt %d of %s", n, name);
}

static void
spool_attempts_remove(struct spool *s, const char *name)
{
	char	file[NAME_MAX + 16], path[1024];

	spool_attempts_name(name, file, sizeof file);
	spool_path(s, "processing", file, path, sizeof path);
	unlink(path);
}

/* The waiting slot of name, or NULL. */
static struct spool_wait *
spool_wait_find(struct spool *s, const char *name)
{
	size_t	i;

	for (i = 0; i < SPOOL_WAITING; i++)
		if (strcmp(s->wait[i].name, name) == 0)
			return &s->wait[i];
	return NULL;
}

/* Files busy in the sense of SPOOL_WAITING: waiting, or being ingested. */
static int
spool_busy(const struct spool *s)
{
	int	i, used = 0, taken = 0;

	for (i = 0; i < SPOOL_WAITING; i++) {
		used += s->wait[i].name[0] != '\0';
		taken += s->wait[i].name[0] != '\0' && s->wait[i].taken;
	}
	return used + cycle_working(s->cycle) - taken;
}

/* The file is done with (stored, refused, gone): its slot and attempts file go. */
static void
spool_forget(struct spool *s, const char *name, int attempt)
{
	struct spool_wait	*w = spool_wait_find(s, name);

	if (w != NULL)
		memset(w, 0, sizeof *w);
	if (attempt > 1)
		spool_attempts_remove(s, name);
}

/* The delay before attempt n + 1: base_ms doubled n - 1 times, at most
 * max_s seconds (the configuration's retry_base_ms and retry_max_s). */
int64_t
spool_backoff_ms(int base_ms, int max_s, int n)
{
	int64_t	delay = base_ms;
	int64_t	max = (int64_t)max_s * 1000;

	while (--n > 0 && delay < max)
		delay *= 2;
	return delay < max ? delay : max;
}

/* spool_backoff_ms with [spool] retry_base_ms and retry_max_seconds. */
static int64_t
spool_delay_ms(const struct spool *s, int n)
{
	return spool_backoff_ms(s->d->cfg.spool_retry_ms,
	    s->d->cfg.spool_retry_max_s, n);
}

/* Refuses a file: its reason beside it in failed/, and the file there too. */
static void
spool_refuse(struct spool *s, struct spool_file *f, int status,
    const char *why)
{
	log_warnx("spool: %s refused (%d): %.300s", f->name, status, why);
	spool_fail(s, "processing", f->name, f->name, why);
	spool_forget(s, f->name, f->attempt);
}

/*
 * The database could not take the file: it waits in processing/ for
 * another attempt, or goes to failed/ after the last one.
 */
static void
spool_retry_later(struct spool *s, struct spool_file *f, const char *error)
{
	struct spool_wait	*w = spool_wait_find(s, f->name);
	int			 max = s->d->cfg.spool_max_attempts, i;
	int64_t			 now = daemon_now_ms(), delay;
	char			*why;

	if (f->attempt >= max) {
		why = xasprintf("not stored after %d attempts over %.1f s: the "
		    "database could not take it (the last answer: 503, %s); put "
		    "the file back in incoming/ to try again", f->attempt,
		    w != NULL ? (double)(now - w->since_ms) / 1e3 : 0.0, error);
		spool_refuse(s, f, 503, why);
		free(why);
		return;
	}
	for (i = 0; w == NULL && i < SPOOL_WAITING; i++)
		if (s->wait[i].name[0] == '\0') {
			w = &s->wait[i];
			snprintf(w->name, sizeof w->name, "%s", f->name);
			w->since_ms = now;
		}
	if (w == NULL) {
		/* Only after a restart that found many: taken again later. */
		log_warnx("spool: %s not stored (%s); %d files already wait: "
		    "back to incoming/", f->name, error, SPOOL_WAITING);
		spool_move(s, "processing", "incoming", f->name);
		spool_attempts_remove(s, f->name);
		return;
	}
	delay = spool_delay_ms(s, f->attempt);
	w->attempts = f->attempt;
	w->due_ms = now + delay;
	w->taken = false;
	log_warnx("spool: %s not stored (%s); attempt %d of %d, the next in "
	    "%.1f s", f->name, error, f->attempt, max, (double)delay / 1e3);
}

/* Ingestion finished: done/, failed/ with the reason, or a later attempt. */
static void
spool_ingested_cb(const struct ingest_result *r, void *arg)
{
	struct spool_file	*f = arg;
	struct spool		*s = f->s;

	cycle_work_end(s->cycle);
	if (!r->stored && r->http_status == 503)
		spool_retry_later(s, f, r->error != NULL ? r->error :
		    "database unavailable");
	else if (r->http_status == 202) {
		if (f->attempt > 1)
			log_info("spool: %s stored at attempt %d", f->name,
			    f->attempt);
		spool_move(s, "processing", "done", f->name);
		spool_forget(s, f->name, f->attempt);
	} else
		spool_refuse(s, f, r->http_status, r->reply != NULL ? r->reply :
		    r->error != NULL ? r->error : "refused");
	free(f);
	if (!cycle_is_stopping(s->cycle))
		spool_scan(s);
}

/* Ingests a file already in processing/, as attempt number attempt. */
static void
spool_take(struct spool *s, const char *name, int attempt)
{
	struct ingest_request	 rq = { 0 };
	struct spool_file	*f;
	struct stat		 st;
	char			 path[1024];

	spool_path(s, "processing", name, path, sizeof path);
	if (lstat(path, &st) < 0) {
		/* Another daemon sharing the spool finished it. */
		spool_forget(s, name, attempt);
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->s = s;
	f->attempt = attempt;
	snprintf(f->name, sizeof f->name, "%s", name);
	if (!S_ISREG(st.st_mode)) {
		/* A link could point anywhere: it is never followed. */
		spool_refuse(s, f, 422, "not a regular file (symbolic links "
		    "are not followed): put the manifest itself in incoming/");
		free(f);
		return;
	}
	if (!db_is_up(s->d->db)) {
		/* As the API answers at once, rather than after the 60 s a
		 * store waits for a connection. */
		spool_retry_later(s, f, "database unavailable");
		free(f);
		return;
	}
	/* Same file, same key: a re-take after a crash repeats, never duplicates. */
	snprintf(f->key, sizeof f->key, "spool:%s:%lld:%lld", name,
	    (long long)st.st_size, (long long)st.st_mtime);
	rq.source = "spool";
	rq.principal = "spool";
	rq.key = f->key;
	cycle_work_begin(s->cycle);
	ingest_from_file(s->d, &rq, path, spool_ingested_cb, f);
}

/* Takes again, while slots are free, the waiting files whose time has come. */
static void
spool_retake_due(struct spool *s)
{
	int64_t	now = daemon_now_ms();
	size_t	i;

	for (i = 0; i < SPOOL_WAITING && cycle_working(s->cycle) < SPOOL_IN_FLIGHT;
	    i++) {
		struct spool_wait *w = &s->wait[i];

		if (w->name[0] == '\0' || w->taken || w->due_ms > now)
			continue;
		w->taken = true;
		/* Before the attempt: one that stops the daemon counts too. */
		spool_attempts_write(s, w->name, w->attempts + 1);
		spool_take(s, w->name, w->attempts + 1);
	}
}

/* Arms the retry timer for the first waiting file due. */
static void
spool_arm_retry(struct spool *s)
{
	struct timeval	tv;
	int64_t		first = 0, wait_ms;
	size_t		i;

	for (i = 0; i < SPOOL_WAITING; i++)
		if (s->wait[i].name[0] != '\0' && !s->wait[i].taken &&
		    (first == 0 || s->wait[i].due_ms < first))
			first = s->wait[i].due_ms;
	if (first == 0) {
		event_del(s->retry);
		return;
	}
	wait_ms = first - daemon_now_ms();
	if (wait_ms < 0)
		wait_ms = 0;
	tv.tv_sec = (time_t)(wait_ms / 1000);
	tv.tv_usec = (suseconds_t)(wait_ms % 1000 * 1000);
	event_add(s->retry, &tv);
}

/*
 * An entry of incoming/ the spool will not ingest by its name: moved to
 * failed/ with the reason, so that it is not seen again.  A name ending in
 * ".err" goes there as NAME.refused: as NAME.err it would take the place
 * of another file's reason.
 */
static void
spool_refuse_name(struct spool *s, const char *name)
{
	char	*as;

	if (!spool_name_ok(name)) {
		log_warnx("spool: refusing unsafe file name in incoming/");
		spool_fail(s, "incoming", name, name, "unsafe file name: use "
		    "letters, digits, '.', '_' and '-' only");
		return;
	}
	as = xasprintf("%s%s", name, SPOOL_REFUSED);
	log_warnx("spool: refusing %s: a name ending in \"%s\" is the spool's "
	    "own; moved to failed/%s", name, SPOOL_RESERVED, as);
	spool_fail(s, "incoming", name, as, "a name ending in \".err\" is "
	    "refused: the spool writes NAME.err files itself, giving why NAME "
	    "failed; rename the manifest and put it in incoming/ again");
	free(as);
}

/* Claims and ingests new files from incoming/ while slots are free. */
static void
spool_claim(struct spool *s)
{
	struct dirent	*e;
	char		 dir[1024];
	DIR		*dp;

	snprintf(dir, sizeof dir, "%s/incoming", s->root);
	if ((dp = opendir(dir)) == NULL)
		return;
	while (cycle_working(s->cycle) < SPOOL_IN_FLIGHT &&
	    spool_busy(s) < SPOOL_WAITING &&
	    (e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;	/* temporary files and . .. */
		if (!spool_name_ok(e->d_name) || spool_name_reserved(e->d_name)) {
			spool_refuse_name(s, e->d_name);
			continue;
		}
		/* The rename is the claim: only one daemon wins it. */
		if (spool_move(s, "incoming", "processing", e->d_name) == 0)
			spool_take(s, e->d_name, 1);
	}
	closedir(dp);
}

/* Due retries first, then new files; then the timer for the next retry. */
static void
spool_scan(struct spool *s)
{
	spool_retake_due(s);
	spool_claim(s);
	spool_arm_retry(s);
}

static void
spool_tick(void *arg)
{
	spool_scan(arg);
}

static void
spool_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct spool	*s = arg;

	if (!cycle_is_stopping(s->cycle))
		spool_scan(s);
}

/* A file found at start-up waits for its next attempt like any other, so
 * that the database connections are up when it is taken: 0, or -1 when
 * no slot is free (then it is taken at once). */
static int
spool_recover_later(struct spool *s, const char *name, int made)
{
	int64_t	now = daemon_now_ms();
	size_t	i;

	for (i = 0; i < SPOOL_WAITING; i++)
		if (s->wait[i].name[0] == '\0') {
			snprintf(s->wait[i].name, sizeof s->wait[i].name, "%.*s",
			    SPOOL_NAME_MAX, name);
			s->wait[i].attempts = made;
			s->wait[i].since_ms = now;
			s->wait[i].due_ms = now + spool_delay_ms(s, 1);
			return 0;
		}
	return -1;
}

/*
 * Retakes what a previous run left in processing/: each was being
 * ingested, or waiting for another attempt, when the daemon stopped, so
 * the next attempt is one more than its attempts file says (or the
 * second, without one).  Past max_attempts it is given up.
 */
static void
spool_recover(struct spool *s)
{
	struct spool_file	 f = { 0 };
	struct dirent		*e;
	char			 dir[1024], *why;
	DIR			*dp;
	int			 made;

	snprintf(dir, sizeof dir, "%s/processing", s->root);
	if ((dp = opendir(dir)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.' || !spool_name_ok(e->d_name))
			continue;
		made = spool_attempts_read(s, e->d_name);
		made = made > 0 ? made : 1;
		if (made >= s->d->cfg.spool_max_attempts) {
			f.s = s;
			f.attempt = made;
			snprintf(f.name, sizeof f.name, "%.*s", SPOOL_NAME_MAX,
			    e->d_name);
			why = xasprintf("not stored after %d attempts, counted "
			    "across restarts of the daemon (a file that stops "
			    "the daemon whenever it is read ends here too: "
			    "report it); put the file back in incoming/ to try "
			    "again", made);
			spool_refuse(s, &f, 503, why);
			free(why);
			continue;
		}
		log_info("spool: retaking %s left by an earlier run (attempt %d)",
		    e->d_name, made + 1);
		if (spool_recover_later(s, e->d_name, made) == 0)
			continue;
		spool_attempts_write(s, e->d_name, made + 1);
		spool_take(s, e->d_name, made + 1);
	}
	closedir(dp);
	spool_arm_retry(s);
}

/* Stops with the scan: no due retry starts either. */
static void
spool_stop_retries(void *arg)
{
	struct spool	*s = arg;

	event_del(s->retry);
}

/* Frees the spool: only once no ingestion of its files is pending. */
static void
spool_release(void *arg)
{
	struct spool	*s = arg;

	event_free(s->retry);
	free(s->root);
	free(s);
}

/* For a spool outside a group: its cycle stops it, and frees it. */
void
spool_stop(struct spool *s)
{
	if (s == NULL)
		return;
	cycle_stop(s->cycle);
}

void
spool_free(struct spool *s)
{
	if (s == NULL)
		return;
	cycle_free(s->cycle);	/* then spool_release(s) */
}

/* Not drained: files being ingested finish their move if they can. */
static const struct cycle_def spool_cycle = {
	.period_ms = 1000,
	.tick = spool_tick,
	.stop = spool_stop_retries,
	.release = spool_release,
};

struct spool *
spool_new(struct daemon *d, const char *root, char **cause)
{
	static const char *subs[] = { "", "/incoming", "/processing", "/done",
	    "/failed" };
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
	s->cycle = cycle_new(d->cycles, d->base, &spool_cycle, s);
	s->retry = evtimer_new(d->base, spool_retry_cb, s);
	spool_recover(s);
	log_info("spool: watching %s/incoming", root);
	return s;
}
