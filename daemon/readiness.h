/*
 * readiness.h -- what railgated tells its supervisor: systemd's
 * notification protocol (sd_notify(3), the unit's Type=notify).
 *
 * READY=1 once the database answers and the listeners are open (so a
 * unit ordered After=railgated.service finds /readyz answering 200);
 * RELOADING=1 (with MONOTONIC_USEC, as systemd 253 asks) and READY=1
 * around a SIGHUP reload; STOPPING=1 when draining starts.  Without
 * NOTIFY_SOCKET (not under systemd) every call does nothing.  The state
 * is the process's own, kept here; loop thread only.
 */
#ifndef DAEMON_READINESS_H
#define DAEMON_READINESS_H

struct event_base;
struct db;

/* Watches db (borrowed) on base; READY=1 the first time it is up. */
void readiness_start(struct event_base *base, struct db *db);
/* Before a reload: RELOADING=1. */
void readiness_reloading(void);
/* After a reload, whether it went in or was refused: READY=1. */
void readiness_reloaded(void);
/* SIGTERM: STOPPING=1. */
void readiness_stopping(void);
/* Frees the watch (before the base). */
void readiness_free(void);
/*
 * A configuration error: logs cause, tells systemd (STATUS=), exits 78
 * (EX_CONFIG), which the unit does not restart on.
 */
void readiness_config_error(const char *cause) __attribute__((noreturn));

#endif
