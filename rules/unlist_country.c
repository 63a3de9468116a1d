/*
 * unlist_country.c -- the country names of the UN Consolidated List as
 * ISO 3166-1 alpha-2 codes, for `railgate lists import`.
 *
 * The list names countries in full, in the UN's own style ("Iran
 * (Islamic Republic of)", "Viet Nam", "Türkiye"), in NATIONALITY,
 * *_ADDRESS/COUNTRY and ISSUING_COUNTRY.  This table holds the names
 * that occur in the list and the countries railgate's stations trade
 * with; a name not here gives no country line (the importer says so in a
 * comment) rather than a guess.  Adding a country is one line.  Names
 * are compared case-insensitively with white space collapsed; the table
 * is kept sorted by name (a test checks) and searched by bisection.
 */
#include <string.h>

#include "rules/unlist.h"

struct country {
	const char	*name;	/* lower case, single spaces */
	const char	*code;
};

/* Sorted by name (strcmp order). */
static const struct country countries[] = {
	{ "afghanistan", "AF" },
	{ "albania", "AL" },
	{ "algeria", "DZ" },
	{ "armenia", "AM" },
	{ "australia", "AU" },
	{ "austria", "AT" },
	{ "azerbaijan", "AZ" },
	{ "bahrain", "BH" },
	{ "bangladesh", "BD" },
	{ "belarus", "BY" },
	{ "belgium", "BE" },
	{ "bosnia and herzegovina", "BA" },
	{ "bulgaria", "BG" },
	{ "burkina faso", "BF" },
	{ "cambodia", "KH" },
	{ "cameroon", "CM" },
	{ "canada", "CA" },
	{ "central african republic", "CF" },
	{ "chad", "TD" },
	{ "china", "CN" },
	{ "czechia", "CZ" },
	{ "democratic people's republic of korea", "KP" },
	{ "democratic republic of the congo", "CD" },
	{ "denmark", "DK" },
	{ "egypt", "EG" },
	{ "eritrea", "ER" },
	{ "estonia", "EE" },
	{ "ethiopia", "ET" },
	{ "finland", "FI" },
	{ "france", "FR" },
	{ "georgia", "GE" },
	{ "germany", "DE" },
	{ "greece", "GR" },
	{ "guinea", "GN" },
	{ "guinea-bissau", "GW" },
	{ "haiti", "HT" },
	{ "hong kong", "HK" },
	{ "hungary", "HU" },
	{ "india", "IN" },
	{ "indonesia", "ID" },
	{ "iran", "IR" },
	{ "iran (islamic republic of)", "IR" },
	{ "iraq", "IQ" },
	{ "ireland", "IE" },
	{ "israel", "IL" },
	{ "italy", "IT" },
	{ "japan", "JP" },
	{ "jordan", "JO" },
	{ "kazakhstan", "KZ" },
	{ "kenya", "KE" },
	{ "kuwait", "KW" },
	{ "kyrgyzstan", "KG" },
	{ "lao people's democratic republic", "LA" },
	{ "latvia", "LV" },
	{ "lebanon", "LB" },
	{ "libya", "LY" },
	{ "lithuania", "LT" },
	{ "malaysia", "MY" },
	{ "maldives", "MV" },
	{ "mali", "ML" },
	{ "mauritania", "MR" },
	{ "mongolia", "MN" },
	{ "morocco", "MA" },
	{ "myanmar", "MM" },
	{ "netherlands", "NL" },
	{ "netherlands (kingdom of the)", "NL" },
	{ "niger", "NE" },
	{ "nigeria", "NG" },
	{ "norway", "NO" },
	{ "oman", "OM" },
	{ "pakistan", "PK" },
	{ "philippines", "PH" },
	{ "poland", "PL" },
	{ "qatar", "QA" },
	{ "republic of korea", "KR" },
	{ "republic of moldova", "MD" },
	{ "romania", "RO" },
	{ "russia", "RU" },
	{ "russian federation", "RU" },
	{ "saudi arabia", "SA" },
	{ "senegal", "SN" },
	{ "serbia", "RS" },
	{ "singapore", "SG" },
	{ "slovakia", "SK" },
	{ "somalia", "SO" },
	{ "south sudan", "SS" },
	{ "spain", "ES" },
	{ "sri lanka", "LK" },
	{ "sudan", "SD" },
	{ "sweden", "SE" },
	{ "switzerland", "CH" },
	{ "syria", "SY" },
	{ "syrian arab republic", "SY" },
	{ "tajikistan", "TJ" },
	{ "thailand", "TH" },
	{ "trinidad and tobago", "TT" },
	{ "tunisia", "TN" },
	{ "turkey", "TR" },
	{ "turkmenistan", "TM" },
	{ "türkiye", "TR" },
	{ "uganda", "UG" },
	{ "ukraine", "UA" },
	{ "united arab emirates", "AE" },
	{ "united kingdom", "GB" },
	{ "united kingdom of great britain and northern ireland", "GB" },
	{ "united republic of tanzania", "TZ" },
	{ "united states", "US" },
	{ "united states of america", "US" },
	{ "uzbekistan", "UZ" },
	{ "viet nam", "VN" },
	{ "yemen", "YE" },
};

const char *
unlist_country_code(const char *name)
{
	char	key[96];
	size_t	n = 0, lo = 0, hi = sizeof(countries) / sizeof(countries[0]), mid;
	int	space = 0, cmp;

	for (; *name != '\0'; name++) {
		char	ch = *name;

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = n > 0;
			continue;
		}
		if (n + 2 >= sizeof(key))
			return NULL;	/* longer than any name in the table */
		if (space)
			key[n++] = ' ';
		space = 0;
		key[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	key[n] = '\0';
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((cmp = strcmp(key, countries[mid].name)) == 0)
			return countries[mid].code;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
