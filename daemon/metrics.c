/*
 * metrics.c -- in-memory counters and histograms for /metrics.
 *
 * One process-wide set, since there is one daemon per process and the
 * figures are about the process.  A single mutex guards everything: the
 * critical sections are a few additions, taken once per train, so there
 * is nothing to gain from finer locks.  Histograms have fixed buckets
 * from 1 ms to 60 s (a 5,000-item train parses and evaluates in a few
 * milliseconds; a 1,000,000-item e-commerce train in about a second).
 * Rule names are kept sorted, so the output is stable between scrapes.
 * The build and the process figures (process_*, named as the Prometheus
 * client libraries name them, so dashboards made for any exporter work)
 * are read from /proc at each scrape: nothing to keep.
 */
#include <sys/resource.h>

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/decision.h"
#include "manifest/util.h"

#include "daemon/metrics.h"
#include "daemon/version.h"

/* Upper bounds in seconds; +Inf follows. */
static const double metrics_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 30, 60,
};
#define METRICS_NBOUNDS	(sizeof metrics_bounds / sizeof metrics_bounds[0])

struct metrics_histogram {
	uint64_t	 buckets[METRICS_NBOUNDS + 1];	/* not cumulative; last +Inf */
	uint64_t	 count;
	double		 sum;				/* seconds */
};

struct metrics_rule {
	char		*rule;
	uint64_t	 n;
};

/* A decision's hits per rule, or the running totals: sorted by name. */
struct metrics_hits {
	struct metrics_rule	*v;
	size_t			 n, cap;
};

static const char *const metrics_outcomes[] = {
	"RELEASE", "PARTIAL_RELEASE", "HOLD",
};
#define METRICS_NOUTCOMES (sizeof metrics_outcomes / sizeof metrics_outcomes[0])

/* The clearance clock's thresholds, in the order they are crossed. */
static const char *const metrics_clock_flags[] = { "amber", "red", "overdue" };
#define METRICS_NCLOCK (sizeof metrics_clock_flags / sizeof metrics_clock_flags[0])

static pthread_mutex_t		metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_histogram	metrics_parse, metrics_evaluate;
static uint64_t			metrics_decisions[METRICS_NOUTCOMES];
static uint64_t			metrics_clock_alerts[METRICS_NCLOCK];
static struct metrics_hits	metrics_rule_hits;
static uint64_t			metrics_auto_releases;

/* Adds one observation in milliseconds (lock held). */
static void
histogram_observe(struct metrics_histogram *h, double ms)
{
	double	s = ms / 1e3;
	size_t	i;

	for (i = 0; i < METRICS_NBOUNDS && s > metrics_bounds[i]; i++)
		;
	h->buckets[i]++;
	h->count++;
	h->sum += s;
}

void
metrics_observe_parse(double ms)
{
	pthread_mutex_lock(&metrics_lock);
	histogram_observe(&metrics_parse, ms);
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_observe_evaluate(double ms)
{
	pthread_mutex_lock(&metrics_lock);
	histogram_observe(&metrics_evaluate, ms);
	pthread_mutex_unlock(&metrics_lock);
}

/* Adds n hits of rule to h, keeping it sorted (the name is copied). */
static void
hits_add(struct metrics_hits *h, const char *rule, uint64_t n)
{
	size_t	lo = 0, hi = h->n, mid;
	int	cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((cmp = strcmp(rule, h->v[mid].rule)) == 0) {
			h->v[mid].n += n;
			return;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 16 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	memmove(&h->v[lo + 1], &h->v[lo], (h->n - lo) * sizeof *h->v);
	h->v[lo].rule = xstrdup(rule);
	h->v[lo].n = n;
	h->n++;
}

struct metrics_hits *
metrics_hits_new(const struct decision *dec)
{
	struct metrics_hits	*h = xcalloc(1, sizeof *h);
	size_t			 i, k;

	for (i = 0; i < dec->ntrain_hits; i++)
		hits_add(h, dec->train_hits[i].rule, 1);
	for (i = 0; i < dec->nwagons; i++)
		for (k = 0; k < dec->wagons[i].nhits; k++)
			hits_add(h, dec->wagons[i].hits[k].rule, 1);
	return h;
}

void
metrics_hits_free(struct metrics_hits *h)
{
	size_t	i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->v[i].rule);
	free(h->v);
	free(h);
}

void
metrics_decision_stored(const char *outcome, const struct metrics_hits *h)
{
	size_t	i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < METRICS_NOUTCOMES; i++) {
		if (outcome != NULL && strcmp(outcome, metrics_outcomes[i]) == 0) {
			metrics_decisions[i]++;
			break;
		}
	}
	for (i = 0; h != NULL && i < h->n; i++)
		hits_add(&metrics_rule_hits, h->v[i].rule, h->v[i].n);
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_clock_alert(const char *flag)
{
	size_t	i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < METRICS_NCLOCK; i++)
		if (flag != NULL && strcmp(flag, metrics_clock_flags[i]) == 0)
			metrics_clock_alerts[i]++;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_label_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_printf(b, "\\\\");
		else if (*s == '"')
			buf_printf(b, "\\\"");
		else if (*s == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", *s);
	}
}

/* One histogram family: cumulative buckets, +Inf, sum and count. */
static void
histogram_write(struct buf *b, const char *name, const char *help,
    const struct metrics_histogram *h)
{
	uint64_t	cum = 0;
	size_t		i;

	buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (i = 0; i < METRICS_NBOUNDS; i++) {
		cum += h->buckets[i];
		buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
		    metrics_bounds[i], (unsigned long long)cum);
	}
	cum += h->buckets[METRICS_NBOUNDS];
	buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name,
	    (unsigned long long)cum);
	buf_printf(b, "%s_sum %.15g\n%s_count %llu\n", name, h->sum, name,
	    (unsigned long long)h->count);
}

void
metrics_auto_released(void)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_auto_releases++;
	pthread_mutex_unlock(&metrics_lock);
}

/*
 * The fields of /proc/self/stat this needs, in clock ticks and bytes: 0
 * or -1 when it cannot be read (then the process families are left out:
 * a missing figure, never a made-up one).
 */
struct metrics_proc {
	unsigned long long	utime, stime, starttime, vsize;
	long long		rss;		/* pages */
};

static int
proc_stat_read(struct metrics_proc *p)
{
	char	 line[1024], *s;
	FILE	*f;
	int	 n;

	if ((f = fopen("/proc/self/stat", "r")) == NULL)
		return -1;
	s = fgets(line, sizeof line, f);
	fclose(f);
	/* The command name is in parentheses and may hold spaces: the
	 * fields counted from the last ')' (field 3, state, follows). */
	if (s == NULL || (s = strrchr(line, ')')) == NULL)
		return -1;
	n = sscanf(s + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %*d %*d %*d %*d %*d %*d %llu %llu %lld", &p->utime,
	    &p->stime, &p->starttime, &p->vsize, &p->rss);
	return n == 5 ? 0 : -1;
}

/* The boot time in seconds since the epoch (/proc/stat btime), or -1. */
static long long
proc_boot_time(void)
{
	char		 line[256];
	long long	 btime = -1;
	FILE		*f;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	fclose(f);
	return btime;
}

/* Open descriptors (/proc/self/fd, less the one reading it), or -1. */
static long
proc_open_fds(void)
{
	struct dirent	*e;
	DIR		*dir;
	long		 n = 0;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n > 0 ? n - 1 : n;
}

/* One gauge or counter family with a single unlabelled sample. */
static void
family_write(struct buf *b, const char *name, const char *type,
    const char *help, double v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %.15g\n", name, help,
	    name, type, name, v);
}

/* railgate_build_info and the process_* families. */
static void
process_write(struct buf *b)
{
	struct metrics_proc	p;
	struct rlimit		rl;
	long			tck = sysconf(_SC_CLK_TCK);
	long			page = sysconf(_SC_PAGESIZE);
	long long		btime = proc_boot_time();
	long			fds = proc_open_fds();

	buf_printf(b, "# HELP railgate_build_info The release and the commit "
	    "railgated was built from (\"unknown\" outside git); always 1.\n"
	    "# TYPE railgate_build_info gauge\n"
	    "railgate_build_info{version=\"");
	metrics_label_value(b, RAILGATE_VERSION);
	buf_printf(b, "\",commit=\"");
	metrics_label_value(b, RAILGATE_COMMIT);
	buf_printf(b, "\"} 1\n");
	if (tck > 0 && page > 0 && proc_stat_read(&p) == 0) {
		family_write(b, "process_cpu_seconds_total", "counter",
		    "Total user and system CPU time spent in seconds.",
		    (double)(p.utime + p.stime) / (double)tck);
		family_write(b, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.", (double)p.rss *
		    (double)page);
		family_write(b, "process_virtual_memory_bytes", "gauge",
		    "Virtual memory size in bytes.", (double)p.vsize);
		if (btime >= 0)
			family_write(b, "process_start_time_seconds", "gauge",
			    "Start time of the process since unix epoch in "
			    "seconds.", (double)btime + (double)p.starttime /
			    (double)tck);
	}
	if (fds >= 0)
		family_write(b, "process_open_fds", "gauge",
		    "Number of open file descriptors.", (double)fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		family_write(b, "process_max_fds", "gauge",
		    "Maximum number of open file descriptors.",
		    (double)rl.rlim_cur);
}

void
metrics_write(struct buf *b)
{
	size_t	i;
	char	lower[32];
	size_t	k;

	pthread_mutex_lock(&metrics_lock);
	buf_printf(b, "# HELP railgate_decisions_total Provisional decisions "
	    "stored by this daemon, by outcome.\n"
	    "# TYPE railgate_decisions_total counter\n");
	for (i = 0; i < METRICS_NOUTCOMES; i++) {
		for (k = 0; metrics_outcomes[i][k] != '\0' &&
		    k < sizeof lower - 1; k++)
			lower[k] = (char)tolower((unsigned char)
			    metrics_outcomes[i][k]);
		lower[k] = '\0';
		buf_printf(b, "railgate_decisions_total{outcome=\"%s\"} %llu\n",
		    lower, (unsigned long long)metrics_decisions[i]);
	}
	buf_printf(b, "# HELP railgate_clearance_alerts_total Clearance clock "
	    "threshold crossings this daemon reported (each crossing is "
	    "reported by one daemon), by flag.\n"
	    "# TYPE railgate_clearance_alerts_total counter\n");
	for (i = 0; i < METRICS_NCLOCK; i++)
		buf_printf(b, "railgate_clearance_alerts_total{flag=\"%s\"} "
		    "%llu\n", metrics_clock_flags[i],
		    (unsigned long long)metrics_clock_alerts[i]);
	buf_printf(b, "# HELP railgate_rule_hits_total Rule hits in the "
	    "decisions this daemon stored, by rule.\n"
	    "# TYPE railgate_rule_hits_total counter\n");
	for (i = 0; i < metrics_rule_hits.n; i++) {
		buf_printf(b, "railgate_rule_hits_total{rule=\"");
		metrics_label_value(b, metrics_rule_hits.v[i].rule);
		buf_printf(b, "\"} %llu\n",
		    (unsigned long long)metrics_rule_hits.v[i].n);
	}
	buf_printf(b, "# HELP railgate_auto_releases_total Green trains this "
	    "daemon released by themselves (auto_release = green).\n"
	    "# TYPE railgate_auto_releases_total counter\n"
	    "railgate_auto_releases_total %llu\n",
	    (unsigned long long)metrics_auto_releases);
	histogram_write(b, "railgate_parse_duration_seconds",
	    "Time to parse a manifest into the train model.", &metrics_parse);
	histogram_write(b, "railgate_evaluate_duration_seconds",
	    "Time to evaluate a train against the rule set.",
	    &metrics_evaluate);
	pthread_mutex_unlock(&metrics_lock);
	process_write(b);
}
