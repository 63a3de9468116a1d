/*
 * lang.h -- the compiled form of the rule language, shared by the
 * compiler (lang.c, lang_lex.c, lang_expr.c), the rule set loader
 * (rules.c) and the evaluator (eval.c, eval_expr.c); not for use outside
 * rules/.
 *
 * A compiled rule is an expression tree of typed nodes: field reads are
 * resolved to enum ids, HS chapter sets to bitsets, lists to hash maps,
 * reason texts to literal/expression parts.  Everything lives in the
 * rule set's arena and is never changed after compilation.
 */
#ifndef RULES_LANG_H
#define RULES_LANG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "manifest/arena.h"
#include "manifest/decision.h"
#include "manifest/diag.h"
#include "manifest/strmap.h"

#include "names.h"
#include "rules.h"

enum rules_scope {
	RULES_SCOPE_TRAIN,
	RULES_SCOPE_WAGON,
	RULES_SCOPE_CONTAINER,
	RULES_SCOPE_CONSIGNMENT,
	RULES_SCOPE_ITEM,
};
#define RULES_SCOPE_COUNT (RULES_SCOPE_ITEM + 1)

/* The newest edition of the rule language this railgate knows. */
#define RULES_EDITION_MAX 3

enum rules_type {
	RULES_TYPE_BOOL,
	RULES_TYPE_NUMBER,	/* int64 thousandths, MANIFEST_ABSENT unknown */
	RULES_TYPE_STRING,	/* NULL unknown */
	RULES_TYPE_PARTY,	/* a party: only before `matches` (edition 3) */
};

enum rules_op {
	RULES_OP_NUMBER, RULES_OP_STRING, RULES_OP_BOOL, RULES_OP_FIELD,
	RULES_OP_AND, RULES_OP_OR, RULES_OP_NOT,
	RULES_OP_EQ, RULES_OP_NE, RULES_OP_LT, RULES_OP_LE, RULES_OP_GT,
	RULES_OP_GE,
	RULES_OP_ADD, RULES_OP_SUB, RULES_OP_MUL, RULES_OP_DIV, RULES_OP_NEG,
	RULES_OP_ABS,
	RULES_OP_KNOWN,		/* a is present */
	RULES_OP_CHAPTERS,	/* HS chapter of a in the bitset */
	RULES_OP_STARTS,	/* a starts with str */
	RULES_OP_IN_LIST,	/* a (or, prefix_match, a prefix of a) in list */
	RULES_OP_LOOKUP,	/* list[a] as a number */
	RULES_OP_MATCHES,	/* fuzzy: a matches an entry at >= threshold */
	RULES_OP_HAS_DOC,	/* the item declares document str */
	RULES_OP_DIAGNOSTIC,	/* the train has diagnostic str */
	RULES_OP_SAMPLE,	/* deterministic draw < fraction */
	RULES_OP_DIAG_SEVERITY,	/* the train has a diagnostic of severity num */
	RULES_OP_ROUND,		/* a rounded to a whole number */
	RULES_OP_PARTY,		/* num: enum rules_party (edition 3) */
	RULES_OP_SCREEN,	/* edition 3 `matches`: rules/screen.c */
};

/* The parties a screening test can name (RULES_OP_PARTY's num). */
enum rules_party {
	RULES_PARTY_CONSIGNOR,
	RULES_PARTY_CONSIGNEE,
	RULES_PARTY_DECLARANT,
	RULES_PARTY_ANY,	/* `party`: each of the three */
};

/* Field ids: what a field read returns, resolved at compile time. */
enum rules_field {
	RULES_F_TRAIN_ID, RULES_F_TRAIN_DIRECTION, RULES_F_TRAIN_FUNCTION,
	RULES_F_TRAIN_BORDER_STATION, RULES_F_TRAIN_MANIFEST_REF,
	RULES_F_TRAIN_WAGONS, RULES_F_TRAIN_ITEMS, RULES_F_TRAIN_CARRIER_NAME,
	RULES_F_TRAIN_ARRIVED,
	RULES_F_WAGON_NUMBER, RULES_F_WAGON_POSITION, RULES_F_WAGON_TYPE,
	RULES_F_WAGON_TARE, RULES_F_WAGON_NUMBER_VALID,
	RULES_F_WAGON_DECLARED_MASS, RULES_F_WAGON_WEIGHBRIDGE,
	RULES_F_WAGON_VARIANCE, RULES_F_WAGON_CONTAINERS, RULES_F_WAGON_ITEMS,
	RULES_F_WAGON_ALL_CONSIGNEES_AEO, RULES_F_WAGON_SEALS_DAMAGED,
	RULES_F_WAGON_SEALS_MATCH_NEIGHBOUR, RULES_F_WAGON_NEIGHBOUR_CLEARED,
	RULES_F_CONTAINER_NUMBER, RULES_F_CONTAINER_SIZE_TYPE,
	RULES_F_CONTAINER_FULL, RULES_F_CONTAINER_EMPTY,
	RULES_F_CONTAINER_GROSS, RULES_F_CONTAINER_NUMBER_VALID,
	RULES_F_CONTAINER_SEALS_DAMAGED,
	RULES_F_CONTAINER_SEALS_MATCH_NEIGHBOUR, RULES_F_CONTAINER_SCAN,
	RULES_F_CONTAINER_NEIGHBOUR_CONTROL,
	RULES_F_CONSIGNMENT_REF, RULES_F_CONSIGNMENT_PROCEDURE,
	RULES_F_CONSIGNMENT_VALUE, RULES_F_CONSIGNMENT_CURRENCY,
	RULES_F_CONSIGNOR_ID, RULES_F_CONSIGNOR_NAME, RULES_F_CONSIGNOR_COUNTRY,
	RULES_F_CONSIGNOR_AEO,
	RULES_F_CONSIGNEE_ID, RULES_F_CONSIGNEE_NAME, RULES_F_CONSIGNEE_COUNTRY,
	RULES_F_CONSIGNEE_AEO,
	RULES_F_DECLARANT_ID, RULES_F_DECLARANT_NAME, RULES_F_DECLARANT_COUNTRY,
	RULES_F_DECLARANT_AEO,
	RULES_F_ITEM_SEQ, RULES_F_ITEM_HS, RULES_F_ITEM_DESCRIPTION,
	RULES_F_ITEM_PACKAGES, RULES_F_ITEM_GROSS, RULES_F_ITEM_NET,
	RULES_F_ITEM_VALUE, RULES_F_ITEM_CURRENCY, RULES_F_ITEM_ORIGIN,
	RULES_F_ITEM_UN_NUMBER, RULES_F_ITEM_UN,
	RULES_F_MATCH,
	RULES_F_ITEM_PLACED, RULES_F_TRAIN_UNPLACED_ITEMS,
	RULES_F_DIAGNOSTIC,	/* the diagnostic a `diagnostic` test found */
	/* Evidence (issue 17): scans, seal checks, weighings, the neighbour. */
	RULES_F_WAGON_SCAN, RULES_F_WAGON_SCAN_SUSPECT,
	RULES_F_CONTAINER_SCAN_SUSPECT,
	RULES_F_WAGON_SEAL_CHECK_DIFFERS, RULES_F_CONTAINER_SEAL_CHECK_DIFFERS,
	RULES_F_WAGON_SEAL_REPORTED, RULES_F_CONTAINER_SEAL_REPORTED,
	RULES_F_WAGON_SEALS_DECLARED, RULES_F_CONTAINER_SEALS_DECLARED,
	RULES_F_WAGON_WEIGHBRIDGE_SOURCE,
	RULES_F_WAGON_NEIGHBOUR_SUSPECT, RULES_F_CONTAINER_NEIGHBOUR_SUSPECT,
	RULES_F_WAGON_NEIGHBOUR_HELD,
	RULES_F_TRAIN_NEIGHBOUR_SERVICE,
	RULES_F_WAGON_NEIGHBOUR_RESULT, RULES_F_CONTAINER_NEIGHBOUR_RESULT,
	RULES_F_WAGON_SEALS_NEIGHBOUR, RULES_F_CONTAINER_SEALS_NEIGHBOUR,
	RULES_F_TRAIN_TRANSPORT_MODE,	/* as given; missing when absent */
	/* Parcels (docs/parcels.md). */
	RULES_F_ITEM_TRACKING, RULES_F_ITEM_SCAN, RULES_F_ITEM_SCAN_SUSPECT,
};

/* An identifier of a list entry (edition 3, docs/screening.md). */
struct rules_ident {
	const char	*scheme;	/* "uscc", "kz-bin", ... */
	const char	*value;		/* normalised (rules/ident.h) */
};

/* An entry of an edition-3 list with its attributes. */
struct rules_entry {
	const char		 *name;		/* its own name, as listed */
	const char		**aka;		/* aliases, in file order */
	size_t			  naka;
	size_t			  aka_cap;
	const char		 *country;	/* NULL: none given */
	struct rules_ident	 *ids;
	size_t			  nids;
	size_t			  ids_cap;
	uint32_t		  line;
};

/* One name a party is screened against: an entry's own or an alias. */
struct rules_screen_name {
	size_t			 entry;		/* index in entries */
	long			 alias;		/* index in aka, -1: own name */
	struct names_keys	 keys;		/* heap (names.h), freed with the set */
};

/* A named list loaded from a file: a set of strings or key -> number. */
struct rules_list {
	const char	 *name;
	const char	 *file;		/* as shown in errors */
	size_t		  file_index;	/* in the compiled rule set's files */
	/* Edition 3: entries with attributes and the names to screen. */
	struct rules_entry	 *ent;
	size_t			  nent;
	size_t			  ent_cap;
	struct rules_screen_name *sn;
	size_t			  nsn;
	struct names_index	 *index;	/* over sn (an "entry" each); heap */
	struct strmap		 *by_id;	/* normalised id -> size_t * entry */
	struct strmap	 *entries;	/* entry -> int64_t * (value or ABSENT) */
	const char	**names;	/* entries in file order */
	int32_t		**folded;	/* normalised names (fuzzy matching) */
	size_t		 *nfolded;
	size_t		  n;
	uint8_t		  lengths[33];	/* lengths[k]: an entry of k bytes exists */
};

struct rules_node {
	enum rules_op		 op;
	enum rules_type		 type;
	struct rules_node	*a, *b;
	enum rules_field	 field;
	enum rules_scope	 field_scope;	/* whose field (unknown without it) */
	int64_t			 num;
	const char		*str;
	size_t			 len;
	const struct rules_list	*list;
	bool			 prefix_match;
	double			 fraction;	/* threshold or sample rate */
	double			 possible;	/* screening: possible threshold,
						   > 1 when none */
	bool			 unless_cleared;
	uint64_t		 chapters[2];	/* bitset of HS chapters 0..99 */
};

/* A reason text: literal runs and interpolated expressions. */
struct rules_part {
	const char		*text;		/* literal; NULL for expr */
	size_t			 len;
	const struct rules_node	*expr;
	bool			 grouped;	/* {expr|grouped}: 24,100 */
};

struct rules_text {
	struct rules_part	*parts;
	size_t			 n;
};

/*
 * The languages a reason may be translated into (`reason.zh "..."`,
 * docs/rules.md "Reasons in other languages"), by the console's tag.
 */
#define RULES_LANG_COUNT 4
extern const char *const rules_lang_tags[RULES_LANG_COUNT];

struct rules_rule {
	const char		*name;
	enum rules_scope	 scope;
	enum decision_action	 action;
	struct rules_node	*when;
	struct rules_node	*unless;	/* NULL: no exception */
	struct rules_text	 reason;
	struct rules_text	 reason_tr[RULES_LANG_COUNT]; /* n 0: none */
	bool			 translated;	/* some reason_tr[] is set */
	struct rules_text	 would_pass_if;
	int64_t			 valid_from;	/* MANIFEST_ABSENT: open */
	int64_t			 valid_until;	/* inclusive end of day */
	bool			 scoped_diagnostic; /* a `diagnostic` test below train scope */
	bool			 only_unplaced;	/* `when` needs `not placed` (lang.c) */
	bool			 possible;	/* a screening test with `possible at` */
};

struct rules_ruleset {
	atomic_uint		 refs;
	struct arena		*arena;		/* owns everything below */
	const char		*name;
	char			 hash[65];
	struct rules_rule	*rules;		/* in rule set order */
	size_t			 nrules;
	size_t			 rules_cap;
	struct rules_list	**lists;
	size_t			 nlists;
	size_t			 lists_cap;
	int			 edition;	/* 1..3: docs/rules.md "Editions" */
	struct names_forms	*forms;		/* `legal forms from`; heap */
	const char		*forms_file;
	struct names_generic	*generic;	/* `generic words from`; heap */
	const char		*generic_file;
	/* Where edition-3 syntax was first used, to refuse it in a rule set
	 * of an older edition once every file is read (lang.c). */
	const char		*e3_what;
	struct diag_loc		 e3_at;
	bool			 e3_used;
};

/*
 * Compiles one .rules file into rs (rules, lists and name appended);
 * files gives the list files by name.  Errors are added to diags;
 * returns the number of errors.
 */
size_t rules_lang_compile(struct rules_ruleset *rs, const struct rules_file *f,
    const struct rules_file *files, size_t nfiles, struct diag_list *diags);

/*
 * After every file is compiled: the edition settled (1 when none), a rule
 * set using edition-3 syntax in an older edition refused, the legal forms
 * and every list file read for the edition (docs/rules.md "Lists",
 * docs/screening.md).  Errors go to diags; returns their number.
 */
size_t rules_lang_finish(struct rules_ruleset *rs,
    const struct rules_file *files, size_t nfiles, struct diag_list *diags);

#endif
