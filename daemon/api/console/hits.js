/*
 * hits.js -- a decision's hits as the officer reads them: each with its
 * action, plain-language reason, rule, subject, what would make it pass,
 * and the rule's text from the rule set that made the decision (fetched
 * once per rule set), most severe first.  Shared by a wagon's panel and
 * page and the train-level hits.
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state, LANES = RG.LANES;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, wagonAction = RG.wagonAction;

	/*
	 * The files of the rule set that made the decision, fetched once per
	 * rule set: a hit shows the text of its rule.  A failure only leaves
	 * the rule text out.
	 */
	function fetchRuleset(d) {
		var sha = d && d.ruleset ? d.ruleset.sha256 : null;

		if (!sha || state.rulesets[sha])
			return Promise.resolve();
		return api("GET", "/v1/rulesets/" + enc(sha)).then(function (rs) {
			state.rulesets[sha] = rs.files || [];
		}).catch(function () {
			state.rulesets[sha] = [];
		});
	}

	/* The source text of every rule named name in the decision's rule set. */
	function ruleText(name) {
		var d = state.train ? state.train.decision : null,
		    files = d && d.ruleset ? state.rulesets[d.ruleset.sha256] : null,
		    out = [], lines, i, k, start;

		(files || []).forEach(function (f) {
			if (!/\.rules$/.test(f.name))
				return;
			lines = f.text.split("\n");
			for (i = 0; i < lines.length; i++) {
				if (!/^rule\s/.test(lines[i]) ||
				    lines[i].replace(/^rule\s+/, "").trim() !== name)
					continue;
				start = i;
				for (k = i; k < lines.length && !/^end\s*$/.test(lines[k]); k++)
					;
				out.push(f.name + ":" + (start + 1) + "\n" +
				    lines.slice(start, k + 1).join("\n"));
			}
		});
		return out.join("\n\n");
	}

	function subjectText(s) {
		if (!s || Object.keys(s).length === 0)
			return RG.t("train");
		return Object.keys(s).map(function (k) {
			return k + " " + s[k];
		}).join(", ");
	}

	/* Most severe first: REFUSE, HOLD, INSPECT, DOC_CHECK, AUDIT, RELEASE. */
	var RANK = { RELEASE: 0, AUDIT: 1, DOC_CHECK: 2, INSPECT: 3, HOLD: 4,
	    REFUSE: 5 };

	function rankOf(action) {
		return Object.prototype.hasOwnProperty.call(RANK, action) ?
		    RANK[action] : 6;	/* an action this console does not know: first */
	}

	/* A copy of hits, most severe first; equal ones keep their order. */
	function sortHits(hits) {
		return (hits || []).map(function (h, i) {
			return { h: h, i: i };
		}).sort(function (a, b) {
			return rankOf(b.h.action) - rankOf(a.h.action) || a.i - b.i;
		}).map(function (x) { return x.h; });
	}

	function renderHits(hits) {
		return el("ul", { class: "hits" }, sortHits(hits).map(function (h) {
			return el("li", { class: "hit", "data-action": h.action },
			    el("span", { class: "badge lane-" + (LANES[h.action] ||
				"unknown"), text: h.action }),
			    el("p", { class: "reason", text: RG.reasonText(h) }),
			    el("dl", { class: "hit-facts" },
				el("dt", { text: RG.t("rule") }), el("dd", {
				    class: "rule", text: h.rule }),
				el("dt", { text: RG.t("subject") }), el("dd", {
				    text: subjectText(h.subject) }),
				h.would_pass_if ? el("dt", {
				    text: RG.t("would pass if") }) : null,
				h.would_pass_if ? el("dd", { text: h.would_pass_if }) :
				    null),
			    ruleText(h.rule) ? el("details", { class: "rule-text" },
				el("summary", { text: RG.t("rule text") }),
				el("pre", { text: ruleText(h.rule) })) : null,
			    /* screening.js: a listed party's clearances */
			    RG.screeningBox ? RG.screeningBox(h) : null,
			    /* documents.js: the railway's documents */
			    RG.documentsBox ? RG.documentsBox(h) : null);
		}));
	}

	RG.RANK = RANK;
	RG.fetchRuleset = fetchRuleset;
	RG.ruleText = ruleText;
	RG.subjectText = subjectText;
	RG.sortHits = sortHits;
	RG.renderHits = renderHits;
})();
