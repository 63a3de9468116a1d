/*
 * i18n.js -- the console's own text in the officer's language.  Every
 * string the console shows goes through RG.t("English text", {name: v}):
 * the English text is the key (as gettext's msgid), looked up in the
 * catalogue of the page's language, with {name} replaced by params.name.
 * A string missing from a catalogue shows in English.  Loaded first: the
 * other scripts call RG.t as they load; the catalogues (catalogue-*.js)
 * load right after it.
 *
 * The language: the officer's own (GET /v1/session's "language", which
 * the daemon answers from the officer's stored choice, else from the
 * browser's Accept-Language), else one chosen in this browser
 * (localStorage), else the best match of navigator.languages.  The
 * picker in the bar changes it (and stores it for the officer when
 * signed in with a session).  docs/console.md "Languages".
 *
 * Times: RG.timeText writes an API time (UTC, ISO 8601) in the station's
 * time zone (RG.timeZone, from GET /v1/station's "time_zone"; UTC, as
 * the API writes them, until then).
 */
"use strict";

(function () {
	var RG = window.RG = window.RG || {};
	var catalogues = {};		/* language -> { english: text } */
	var LANG_KEY = "railgate.language";

	/* The languages offered, by tag, each named in itself. */
	RG.LANGUAGES = [
		{ tag: "en", name: "English" },
		{ tag: "zh-Hans", name: "\u4e2d\u6587" },
		{ tag: "ru", name: "\u0420\u0443\u0441\u0441\u043a\u0438\u0439" },
		{ tag: "kk", name: "\u049a\u0430\u0437\u0430\u049b\u0448\u0430" },
		{ tag: "vi", name: "Ti\u1ebfng Vi\u1ec7t" }
	];
	RG.lang = "en";
	RG.timeZone = "UTC";		/* IANA name: the station's, once known */

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

	/*
	 * The offered language best matching a BCP 47 tag, or null: "zh",
	 * "zh-CN", "zh-Hans-CN", "zh-SG" are zh-Hans; "ru-RU" is ru.
	 */
	RG.matchLanguage = function (tag) {
		var t = String(tag || "").toLowerCase(), i, base, m = null;

		base = t.split(/[-_]/)[0];
		if (base === "zh")
			m = /hant|-tw|-hk|-mo/.test(t) ? null : "zh-Hans";
		for (i = 0; i < RG.LANGUAGES.length && m === null; i++)
			if (RG.LANGUAGES[i].tag.toLowerCase() === base)
				m = RG.LANGUAGES[i].tag;
		return m !== null && spoken(m) ? m : null;
	};

	/* English, or a language whose catalogue has text (kk, vi: not yet). */
	function spoken(tag) {
		return tag === "en" || (catalogues[tag] !== undefined &&
		    Object.keys(catalogues[tag]).length > 0);
	}

	/* The browser's best: the first of navigator.languages offered. */
	function browserLanguage() {
		var l = navigator.languages || [navigator.language], i, m;

		for (i = 0; i < l.length; i++)
			if ((m = RG.matchLanguage(l[i])) !== null)
				return m;
		return "en";
	}

	/* The language chosen in this browser, or null. */
	function storedLanguage() {
		try {
			return RG.matchLanguage(localStorage.getItem(LANG_KEY));
		} catch (e) {
			return null;
		}
	}

	/* Translates the page's static text: data-i18n holds the English. */
	RG.translatePage = function () {
		var nodes = document.querySelectorAll("[data-i18n]"), i;

		for (i = 0; i < nodes.length; i++)
			nodes[i].textContent = RG.t(nodes[i].getAttribute(
			    "data-i18n"));
		nodes = document.querySelectorAll("[data-i18n-title]");
		for (i = 0; i < nodes.length; i++)
			nodes[i].title = RG.t(nodes[i].getAttribute(
			    "data-i18n-title"));
		document.documentElement.lang = RG.lang;
		document.title = RG.t("railgate officer console");
		var pick = document.getElementById("language");
		if (pick)
			pick.value = RG.lang;
	};

	/*
	 * Switches to language lang (an offered tag) and redraws: the static
	 * text at once, the page by its route.
	 */
	RG.setLanguage = function (lang) {
		var m = RG.matchLanguage(lang) || "en";

		if (m === RG.lang)
			return;
		RG.lang = m;
		RG.translatePage();
		if (RG.route && document.readyState !== "loading")
			RG.route();
	};

	/*
	 * What GET /v1/session answered (RG.me): the officer's language and
	 * the station's time zone.  A language chosen in this browser's
	 * picker wins over Accept-Language only for bearer tokens (no stored
	 * choice for them).
	 */
	RG.applySession = function (me) {
		if (me && me.time_zone)
			RG.timeZone = me.time_zone;
		if (me && me.language && (me.auth === "session" ||
		    storedLanguage() === null))
			RG.setLanguage(me.language);
	};

	/*
	 * RG.me (core.js: GET /v1/session's answer, null until known): each
	 * assignment applies the officer's language and the station's zone,
	 * whoever makes it, so the sign-in code needs no call into this file.
	 */
	var me = null;
	Object.defineProperty(RG, "me", {
		enumerable: true,
		get: function () { return me; },
		set: function (v) {
			me = v;
			if (v && document.readyState !== "loading")
				RG.applySession(v);
		}
	});

	/* The picker's choice: stored for the officer, else in this browser. */
	function pick(ev) {
		var lang = ev.target.value;

		try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode */ }
		RG.setLanguage(lang);
		if (RG.me && RG.me.auth === "session" && RG.api)
			RG.api("PUT", "/v1/session/language", { language: lang })
			    .then(function () { RG.me.language = lang; })
			    .catch(function () { /* kept in this browser */ });
	}

	/* A hit's reason in the page's language when the rule has one. */
	RG.reasonText = function (hit) {
		var r = hit && hit.reasons;

		if (r && typeof r[RG.lang] === "string" && r[RG.lang] !== "")
			return r[RG.lang];
		return hit ? hit.reason : "";
	};

	var stationAsked = false;

	/*
	 * GET /v1/station once signed in: the station's time zone; the page
	 * is drawn again in it when it differs from the browser's.
	 */
	RG.loadStation = function () {
		if (stationAsked)
			return;
		stationAsked = true;
		RG.api("GET", "/v1/station").then(function (st) {
			if (!st || !st.time_zone || st.time_zone === RG.timeZone)
				return;
			RG.timeZone = st.time_zone;
			RG.route();
		}).catch(function () { stationAsked = false; });
	};

	/* Intl options for a time in the station's zone. */
	function zoneOptions(o) {
		if (RG.timeZone)
			o.timeZone = RG.timeZone;
		return o;
	}

	/*
	 * "2026-12-06 18:05:09 GMT+6" for an API time, in the station's time
	 * zone with its name ("UTC" under the default); "" for none.
	 */
	RG.timeText = function (iso) {
		var d, parts, v = {};

		if (!iso)
			return "";
		d = new Date(iso);
		if (isNaN(d.getTime()))
			return String(iso);
		try {
			parts = new Intl.DateTimeFormat("en-CA", zoneOptions({
			    year: "numeric", month: "2-digit", day: "2-digit",
			    hour: "2-digit", minute: "2-digit", second: "2-digit",
			    hourCycle: "h23", timeZoneName: "short" }))
			    .formatToParts(d);
		} catch (e) {
			return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
		}
		parts.forEach(function (p) { v[p.type] = p.value; });
		return v.year + "-" + v.month + "-" + v.day + " " + v.hour + ":" +
		    v.minute + ":" + v.second + " " + v.timeZoneName;
	};

	/* "18:05:09": now, in the station's time zone (status lines). */
	RG.nowText = function () {
		try {
			return new Intl.DateTimeFormat("en-GB", zoneOptions({
			    hour: "2-digit", minute: "2-digit", second: "2-digit",
			    hourCycle: "h23" })).format(new Date());
		} catch (e) {
			return new Date().toLocaleTimeString();
		}
	};

	/* Once every catalogue has loaded (they are deferred scripts too). */
	document.addEventListener("DOMContentLoaded", function () {
		var sel = document.getElementById("language");

		RG.lang = storedLanguage() || browserLanguage();
		if (me)
			RG.applySession(me);
		if (sel) {
			RG.LANGUAGES.filter(function (l) {
				return spoken(l.tag);
			}).forEach(function (l) {
				var o = document.createElement("option");

				o.value = l.tag;
				o.textContent = l.name;
				sel.appendChild(o);
			});
			sel.addEventListener("change", pick);
		}
		RG.translatePage();
	});
})();
