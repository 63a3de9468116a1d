/*
 * log.c -- timestamped lines on stderr, each a single write(2) so that
 * lines from worker threads never interleave, each exactly one line
 * whatever the text it quotes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "daemon/log.h"

static const char	*log_progname = "railgated";
static enum log_level	 log_level = LOG_LEVEL_INFO;

static void log_vline(const char *, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

/* Program name and verbosity. */
void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* Level names as the configuration spells them. */
int
log_level_parse(const char *s, enum log_level *out)
{
	if (strcmp(s, "warn") == 0)
		*out = LOG_LEVEL_WARN;
	else if (strcmp(s, "info") == 0)
		*out = LOG_LEVEL_INFO;
	else if (strcmp(s, "debug") == 0)
		*out = LOG_LEVEL_DEBUG;
	else
		return -1;
	return 0;
}

/*
 * Appends s to line (*n used of size, one byte kept for the newline) as
 * printable text: a control byte (a newline, ESC...) or a byte that is not
 * UTF-8 becomes \xNN, so that whatever the text quotes -- a URI, a train
 * number, a file name -- one call is one line and writes no terminal
 * escape.  Stops before what does not fit, never inside a character or an
 * escape.
 */
static void
line_add_printable(char *line, size_t size, size_t *n, const char *s,
    size_t len)
{
	size_t	k, room;

	while (len > 0) {
		room = size - 1 - *n;
		k = text_printable_span(s, len);
		if (k > room) {
			k = room;
			while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
				k--;	/* not inside a UTF-8 sequence */
			memcpy(line + *n, s, k);
			*n += k;
			return;
		}
		memcpy(line + *n, s, k);
		*n += k;
		if (k == len || room - k < 4)
			return;
		snprintf(line + *n, 5, "\\x%02X", (unsigned char)s[k]);
		*n += 4;
		s += k + 1;
		len -= k + 1;
	}
}

/* Formats one line and writes it at once; errnum >= 0 appends strerror. */
static void
log_vline(const char *level, int errnum, const char *fmt, va_list ap)
{
	char		line[4096], msg[4096], stamp[32];
	struct timespec	ts;
	struct tm	tm;
	size_t		n;
	int		k;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	k = snprintf(line, sizeof line, "%s.%03ldZ %s %s: ", stamp,
	    ts.tv_nsec / 1000000, log_progname, level);
	n = k > 0 ? (size_t)k : 0;
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	k = vsnprintf(msg, sizeof msg, fmt, ap);
	if (k > 0)
		line_add_printable(line, sizeof line, &n, msg,
		    (size_t)k < sizeof msg ? (size_t)k : sizeof msg - 1);
	if (errnum >= 0) {
		k = snprintf(msg, sizeof msg, ": %s", strerror(errnum));
		if (k > 0)
			line_add_printable(line, sizeof line, &n, msg,
			    (size_t)k < sizeof msg ? (size_t)k : sizeof msg - 1);
	}
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vline("warning", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("warning", -1, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vline("info", -1, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vline("debug", -1, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vline("fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("fatal", -1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx_status(int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("fatal", -1, fmt, ap);
	va_end(ap);
	exit(status);
}

/* libevent's messages, at the matching level. */
static void
log_libevent_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

void
log_route_libevent(void)
{
	event_set_log_callback(log_libevent_cb);
}
