/*
 * growth.c -- how the cost of reading and deciding grows with the train
 * (issue 23, target 5): for each manifest file given, the best of RUNS
 * times of input_parse (the reader every entry point uses) and of
 * rules_evaluate with the default rule set on 2 threads, printed as one
 * table row per file.  bench/growth.sh adds the daemon's column and the
 * ratios between rows.
 *
 *   growth RUNS FILE...     (run from the repository root)
 *
 * Prints "items parse_s evaluate_s" per file, nothing else on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/input.h"
#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/rules.h"

#define RULES_DIR "etc/rules/default"

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best parse and evaluate times of runs rounds over one file's bytes;
 * -1 when the file cannot be read as a manifest. */
static int
measure(const struct rules_ruleset *rs, const char *data, size_t len,
    int runs, size_t *items, double *parse, double *eval)
{
	struct rules_eval_options	 opt = { .threads = 2 };
	struct manifest_train		*t;
	struct decision			*d;
	double				 t0;
	int				 k;

	*parse = *eval = 1e9;
	for (k = 0; k < runs; k++) {
		t0 = now_s();
		if (input_parse(data, len, NULL, &t) != 0) {
			manifest_train_free(t);
			return -1;
		}
		t0 = now_s() - t0;
		*parse = t0 < *parse ? t0 : *parse;
		t0 = now_s();
		rules_evaluate(rs, t, NULL, &opt, &d);
		t0 = now_s() - t0;
		*eval = t0 < *eval ? t0 : *eval;
		*items = t->nitems;
		decision_free(d);
		manifest_train_free(t);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	size_t			 len, items;
	double			 parse, eval;
	char			*data;
	int			 i, runs;

	if (argc < 3 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: growth RUNS FILE...\n");
		return 64;
	}
	diag_list_init(&l, 0);
	rs = rules_ruleset_load(RULES_DIR, &l);
	diag_list_clear(&l);
	if (rs == NULL) {
		fprintf(stderr, "growth: %s does not compile\n", RULES_DIR);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (file_read_all(argv[i], &data, &len) == -1 ||
		    measure(rs, data, len, runs, &items, &parse, &eval) == -1) {
			fprintf(stderr, "growth: %s is not readable\n", argv[i]);
			return 65;
		}
		free(data);
		printf("%zu %.4f %.4f\n", items, parse, eval);
	}
	rules_ruleset_unref(rs);
	return 0;
}
