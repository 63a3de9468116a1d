/*
 * gen_int.h -- what the train generator's two files share: the random
 * streams, a goods line, and the draw of a kind of risk.  Internal to
 * manifest/gen.c and manifest/gen_risk.c.
 *
 * A train draws from two streams seeded from the same --seed: the main
 * one builds the train, the risk stream decides which consignments and
 * equipment carry a defect.  The risk stream is drawn the same number of
 * times whatever the shares (a consignment's defects come from a stream
 * of its own, seeded by one draw), so changing --risk changes only the
 * defects, not the wagons, containers, parties or goods around them; and
 * a consignment defective at a share stays so at any higher share.
 */
#ifndef MANIFEST_GEN_INT_H
#define MANIFEST_GEN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "gen.h"

struct rng {
	uint64_t	s[4];
};

/* splitmix64: seeds the generator state from one number. */
static inline uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seeds the state from one number, as xoshiro's authors advise. */
static inline void
rng_seed(struct rng *r, uint64_t seed)
{
	int	i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

/* Rotates x left by k bits. */
static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: the next 64 random bits. */
static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t	result = rng_rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rng_rotl(r->s[3], 45);
	return result;
}

/* Uniform in [0, n). */
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return n == 0 ? 0 : rng_next(r) % n;
}

/* True with probability pct percent. */
static inline bool
rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

struct goods {
	const char	*hs;
	const char	*description;
	unsigned	 weight;	/* share, out of the table's total */
	unsigned	 kg_min, kg_max;	/* gross per item */
	unsigned	 usd_per_kg;	/* 0: a parcel, priced on its own */
	const char	*package;
	const char	*doc;		/* document it normally carries */
	const char	*un;		/* dangerous goods */
};

/* The risk stream and the shares it draws against. */
struct gen_draw {
	struct rng		 rng;
	const struct gen_risk	*risk;
};

/* One draw of the risk stream: true with kind k's share. */
static inline bool
gen_draw(struct gen_draw *d, enum gen_risk_kind k)
{
	return rng_below(&d->rng, GEN_RISK_ONE) < d->risk->share[k];
}

/* Thousandths of currency per USD (fixed rates: the train must not drift). */
static inline int64_t
gen_rate_of(const char *currency)
{
	if (currency[0] == 'E')		/* EUR */
		return 920;
	if (currency[0] == 'C')		/* CNY */
		return 7100;
	return 1000;
}

/*
 * Gives consignment k (its items made) the goods and party defects the
 * risk stream draws for it: a missing certificate, an expensive parcel,
 * undeclared dangerous goods, a listed party, licensed or prohibited
 * goods.  Draws once from d, whatever it gives.
 */
void gen_risk_consignment(struct manifest_train *t, struct gen_draw *d,
    struct manifest_consignment *k);

#endif
