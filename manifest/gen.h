/*
 * gen.h -- deterministic synthetic trains for tests, benchmarks and demos.
 *
 * The same options give the same train, byte for byte, on every machine:
 * the generator draws from its own PRNG (xoshiro256**, seeded by
 * splitmix64), never from rand() or the clock.  Trains are realistic for
 * China-Kazakhstan, China-Mongolia and China-Vietnam border stations
 * (docs/generator.md): most consignments declare everything the default
 * rule set asks for, and a few carry a defect of a kind of risk (a
 * missing certificate, a listed party, a damaged seal ...) at the rates
 * of a struct gen_risk.  The caller owns the returned train.  Any thread.
 */
#ifndef MANIFEST_GEN_H
#define MANIFEST_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/*
 * The kinds of risk a generated train can carry, each named after what
 * the default rule set (etc/rules/default) checks; docs/generator.md
 * says which rule each draws and on what the share is counted.
 */
enum gen_risk_kind {
	GEN_RISK_DOC,		/* phyto/veterinary certificate missing: DOC_CHECK */
	GEN_RISK_VALUE,		/* e-commerce parcel over 5,000 CNY: DOC_CHECK */
	GEN_RISK_SEAL,		/* a damaged seal: INSPECT */
	GEN_RISK_EMPTY,		/* an empty container weighing over 5 t: INSPECT */
	GEN_RISK_DANGEROUS,	/* dangerous goods without declaration: INSPECT */
	GEN_RISK_SANCTION,	/* a party on the sanctions list: HOLD */
	GEN_RISK_LICENCE,	/* licensed goods without licence: HOLD */
	GEN_RISK_PROHIBITED,	/* prohibited goods: REFUSE */
	GEN_RISK_CHECK_DIGIT,	/* a mistyped number: the train HOLDs */
};
#define GEN_RISK_COUNT (GEN_RISK_CHECK_DIGIT + 1)
#define GEN_RISK_ONE	1000000u	/* a share of 1, in millionths */

/* The share of each kind, in millionths (integers: no float drift). */
struct gen_risk {
	uint32_t	share[GEN_RISK_COUNT];
};

struct gen_options {
	unsigned	wagons;		/* at least 1 */
	uint64_t	items;		/* goods items over the whole train */
	uint64_t	seed;
	bool		ecommerce;	/* small parcels, procedure ecommerce */
	/* E-commerce: this many distinct consignees, persons, in
	 * consignments of about items/consignees parcels; 0: trading
	 * companies in consignments of 50 to 400 parcels. */
	uint64_t	consignees;
	/* Borrowed; NULL: the default rates (gen_risk_default). */
	const struct gen_risk *risk;
};

/* A finished train (manifest_train_finish() done); never NULL. */
struct manifest_train *gen_train(const struct gen_options *opt);

/* The default rates: a station's ordinary traffic (docs/generator.md). */
void gen_risk_default(struct gen_risk *r);
/* Every share 0: a train the default rule set releases but for sampling. */
void gen_risk_clean(struct gen_risk *r);
/* "doc", "value", ... (static); NULL past the last kind. */
const char *gen_risk_name(enum gen_risk_kind k);
/* One line: the rule a kind draws, its lane and what the share counts. */
const char *gen_risk_about(enum gen_risk_kind k);

/*
 * Applies one --risk argument to r: comma-separated KIND=SHARE, or a
 * bare SHARE for every kind ("0": all clean), shares from 0 to 1.  0, or
 * -1 with r unchanged and *cause (owned by the caller) saying which part
 * is wrong and why, in one line.
 */
int gen_risk_parse(struct gen_risk *r, const char *arg, char **cause);

#endif
