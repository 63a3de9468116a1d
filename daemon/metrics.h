/*
 * metrics.h -- the counters and histograms /metrics reports that are kept
 * in memory since the process started: decisions by outcome, rule hits by
 * rule, and the parse and evaluation latency histograms.
 *
 * The module owns one process-wide set, behind a mutex: histograms are
 * observed on worker threads, the rest on the loop thread, and every
 * function may be called from any thread.  What must come from the
 * database (trains by state, outboxes, the clearance clock) is not here:
 * api_meta.c reads it in one query and caches it.
 */
#ifndef DAEMON_METRICS_H
#define DAEMON_METRICS_H

struct buf;
struct decision;
struct metrics_hits;

/* A manifest parsed in ms milliseconds (any thread). */
void metrics_observe_parse(double ms);
/* A train evaluated in ms milliseconds (any thread). */
void metrics_observe_evaluate(double ms);

/*
 * The rule hits of a decision, counted per rule name, to be recorded once
 * the decision is stored; the caller owns the result (any thread).
 */
struct metrics_hits *metrics_hits_new(const struct decision *dec);
/* Frees; accepts NULL. */
void metrics_hits_free(struct metrics_hits *h);
/*
 * A provisional decision stored with outcome (RELEASE, PARTIAL_RELEASE,
 * HOLD) and its hits (NULL: none); borrowed (any thread).
 */
void metrics_decision_stored(const char *outcome, const struct metrics_hits *h);

/* A green train released by itself, by this daemon (any thread). */
void metrics_auto_released(void);

/*
 * A clearance clock crossed a threshold ("amber", "red", "overdue") and
 * this daemon reported it (any thread).
 */
void metrics_clock_alert(const char *flag);

/*
 * Appends every metric above in Prometheus text format 0.0.4, each family
 * with its HELP and TYPE lines, then railgate_build_info and the process_*
 * families read from /proc (any thread).
 */
void metrics_write(struct buf *b);
/* Appends s as a label value: backslash, quote and newline escaped. */
void metrics_label_value(struct buf *b, const char *s);

#endif
