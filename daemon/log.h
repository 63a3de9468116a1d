/*
 * log.h -- the daemon's log: one line per call, one write(2) per line.
 *
 * Lines go to stderr (the journal under systemd) with a timestamp, the
 * level and, where the caller has one, a context such as the train or
 * request id.  Owns the log settings (level, output descriptor).  Safe on
 * any thread: a line is formatted on the caller's stack and written once.
 */
#ifndef DAEMON_LOG_H
#define DAEMON_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Sets the program name and the most verbose level written. */
void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
/* Parses "warn", "info" or "debug"; 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
/* Routes libevent's own messages into this log. */
void log_route_libevent(void);

/* log_warn adds strerror(errno); the x forms do not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits 1; fatal adds strerror(errno). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* fatalx with the exit status given (EX_CONFIG for a configuration error). */
void fatalx_status(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
