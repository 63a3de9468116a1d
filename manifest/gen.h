/*
 * gen.h -- deterministic synthetic trains for tests, benchmarks and demos.
 *
 * The same options give the same train, byte for byte, on every machine:
 * the generator draws from its own PRNG (xoshiro256**, seeded by
 * splitmix64), never from rand() or the clock.  Trains are realistic for
 * China-Kazakhstan, China-Mongolia and China-Vietnam border stations
 * (docs/generator.md).  The caller owns the returned train.  Any thread.
 */
#ifndef MANIFEST_GEN_H
#define MANIFEST_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct gen_options {
	unsigned	wagons;		/* at least 1 */
	uint64_t	items;		/* goods items over the whole train */
	uint64_t	seed;
	bool		ecommerce;	/* small parcels, procedure ecommerce */
	/* E-commerce: this many distinct consignees, persons, in
	 * consignments of about items/consignees parcels; 0: trading
	 * companies in consignments of 50 to 400 parcels. */
	uint64_t	consignees;
};

/* A finished train (manifest_train_finish() done); never NULL. */
struct manifest_train *gen_train(const struct gen_options *opt);

#endif
