/*
 * edi_parse.c -- EDIFACT reading speed: the file is loaded once, then
 * read into the train model (edi_read) several times, on one thread and
 * with the lexer on a second thread (edi_read_options.threads 1 and 2,
 * runs alternating); prints the best time of each, MB/s, the model's
 * memory, and the ratio to a memchr scan for the
 * segment terminator over the same bytes (the physical floor), and the
 * part of a read the tracking-number checks take (run again on the
 * finished train: the same work manifest_train_finish() did), and the
 * CPU the best two-thread read took on the mapping thread (this one)
 * and on all of them: the mapper sets the pace, and both cores are
 * what there is.  Each figure with issue 23's target for it (a
 * 1,000,000-item train's).
 *
 *   edi_parse FILE [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edi/reader.h"
#include "manifest/util.h"

static double
clock_s(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU seconds of this thread ([0]) and of the whole process ([1]). */
static void
cpu_s(double cpu[2])
{
	cpu[0] = clock_s(CLOCK_THREAD_CPUTIME_ID);
	cpu[1] = clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* Counts terminators with memchr: what any reader must at least do. */
static size_t
memchr_scan(const char *p, size_t len)
{
	const char	*end = p + len, *q;
	size_t		 n = 0;

	while ((q = memchr(p, '\'', (size_t)(end - p))) != NULL) {
		n++;
		p = q + 1;
	}
	return n;
}

/*
 * One read of data on threads threads: seconds; items and arena bytes
 * out, and the CPU seconds the read took on this thread and in all.
 */
static double
read_once(const char *name, const char *data, size_t len, unsigned threads,
    size_t *items, size_t *arena, double *track, double cpu[2])
{
	struct edi_read_options	 ro = { NULL, NULL, threads };
	struct manifest_train	*t = manifest_train_new();
	double			 t0 = now_s(), took, c0[2];

	cpu_s(c0);
	if (edi_read_with(data, len, &ro, t) != 0) {
		fprintf(stderr, "edi_parse: %s is not readable\n", name);
		exit(65);
	}
	took = now_s() - t0;
	cpu_s(cpu);
	cpu[0] -= c0[0];
	cpu[1] -= c0[1];
	t0 = now_s();
	manifest_train_check_tracking(t);
	t0 = now_s() - t0;
	if (t0 < *track)
		*track = t0;
	*items = t->nitems;
	*arena = arena_bytes(t->arena);
	manifest_train_free(t);
	return took;
}

int
main(int argc, char **argv)
{
	char		*data;
	size_t		 len, segments = 0, items = 0, arena = 0;
	uint64_t	 huge_ns, small_ns;
	double		 best = 1e9, best1 = 1e9, scan = 1e9, track = 1e9, t0;
	double		 cpu[2], cpu_best[2] = { 0, 0 };
	int		 runs = argc > 2 ? atoi(argv[2]) : 5, i;

	if (argc < 2 || file_read_all(argv[1], &data, &len) < 0) {
		fprintf(stderr, "usage: edi_parse FILE [RUNS]\n");
		return 64;
	}
	for (i = 0; i < runs; i++) {
		t0 = read_once(argv[1], data, len, 1, &items, &arena, &track,
		    cpu);
		if (t0 < best1)
			best1 = t0;
		t0 = read_once(argv[1], data, len, 0, &items, &arena, &track,
		    cpu);
		if (t0 < best) {
			best = t0;
			memcpy(cpu_best, cpu, sizeof cpu_best);
		}
	}
	for (i = 0; i < runs; i++) {
		t0 = now_s();
		segments = memchr_scan(data, len);
		t0 = now_s() - t0;
		if (t0 < scan)
			scan = t0;
	}
	printf("%s: %.1f MB, %zu items, %zu segments\n", argv[1], len / 1e6,
	    items, segments);
	printf("  edi_read        %8.3f s  %7.0f MB/s  (best of %d; target >= "
	    "1000 MB/s; %s)\n", best, len / 1e6 / best, runs,
	    len >= EDI_PIPE_MIN_BYTES ? "lexer on a second thread" : "one thread");
	printf("  its CPU         %8.3f s  on the mapping thread, %.3f s on all "
	    "(%.2f cores)\n", cpu_best[0], cpu_best[1], cpu_best[1] / best);
	printf("  one thread      %8.3f s  %7.0f MB/s  (best of %d)\n", best1,
	    len / 1e6 / best1, runs);
	printf("  tracking check  %8.3f s  (%.1f%% of edi_read)\n", track,
	    100 * track / best);
	printf("  memchr scan     %8.3f s  %7.0f MB/s\n", scan, len / 1e6 / scan);
	printf("  ratio to memchr %8.1fx  (target <= 3.5x)\n", best / scan);
	printf("  model memory    %8.1f MB  (%.2fx the file; target <= 1.0x)\n",
	    arena / 1e6, (double)arena / (double)len);
	arena_pages_costs(&huge_ns, &small_ns);
	if (huge_ns != 0 && small_ns != 0)
		printf("  fresh pages     %8.2f ms huge, %.2f ms small per 4 MiB "
		    "chunk (the last filled; chunks come in the cheaper)\n",
		    huge_ns / 1e6, small_ns / 1e6);
	free(data);
	return 0;
}
