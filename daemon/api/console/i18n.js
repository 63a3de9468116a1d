/*
 * i18n.js -- the console's own text in the officer's language.  Every
 * string the console shows goes through RG.t("English text", {name: v}):
 * the English text is the key (as gettext's msgid), looked up in the
 * catalogue of the page's language, with {name} replaced by params.name.
 * A string missing from a catalogue shows in English.  Loaded first: the
 * other scripts call RG.t as they load.
 */
"use strict";

(function () {
	var RG = window.RG = window.RG || {};
	var catalogues = {};		/* language -> { english: text } */

	RG.lang = "en";

	/* The text for english in the current language, params filled in. */
	RG.t = function (english, params) {
		var cat = catalogues[RG.lang], s = cat && cat[english];

		if (typeof s !== "string" || s === "")
			s = english;
		return s.replace(/\{([a-z_0-9]+)\}/g, function (m, k) {
			return params && Object.prototype.hasOwnProperty.call(params,
			    k) ? String(params[k]) : m;
		});
	};

	/* Adds a language's catalogue (its own file, catalogue-LANG.js). */
	RG.addCatalogue = function (lang, table) { catalogues[lang] = table; };
})();
