/*
 * screening.js -- clearing a false screening match, once (docs/
 * screening.md "Clearing a false match").  A hit whose reason says a
 * party "is listed" on a list shows the clearances recorded for that
 * party and entry (proposed by, confirmed by, until) and, to officers, a
 * button "Not this party" that opens a small form: a reason (required),
 * the party's country and identifier when known, and POST
 * /v1/screening/clearances proposes it.  A supervisor other than the
 * proposer confirms or rejects it in the panel of proposals.js
 * (RG.pendingClearances gives it the pending ones).  A train's page lists
 * the clearances its decision applied (RG.renderCleared), as stored with
 * the decision.
 */
"use strict";

(function () {
	var RG = window.RG;
	var el = RG.el, api = RG.api, enc = RG.enc, showError = RG.showError;
	var CACHE_MS = 5000;

	var cache = {};		/* "list\nparty" -> { at, list } */
	var open = {};		/* forms open, by formKey: drawn again */

	/*
	 * The party, list and entry of a screening match in a hit's reason
	 * ("consignor 'Eastern Star Foods LLP' is listed 'sanctioned' entry
	 * 'Eastern Star Shipping LLP' as written: 0.89 (possible match)"), or
	 * null.  The English reason is read: a translated one may reorder it.
	 */
	function matchOf(h) {
		var re = /(?:(consignor|consignee|declarant) )?'(.+?)' is listed '([^']+)' entry '(.+?)'(?= \(as '| by identifier | as written:| in [^:']+:)/,
		    m = h && typeof h.reason === "string" ? re.exec(h.reason) : null;

		if (!m)
			return null;
		return { role: m[1] || null, name: m[2], list: m[3], entry: m[4] };
	}

	/* A name as the daemon compares it, near enough for the console. */
	function fold(s) {
		return String(s || "").normalize("NFKC").toLowerCase()
		    .replace(/\s+/g, " ").trim();
	}

	/*
	 * The clearances of m's party and entry, newest first.  Cached for
	 * the hits of one train fetch only: a page loaded again (a stream
	 * message, a supervisor's confirmation) asks again.
	 */
	function clearancesOf(m) {
		var key = m.list + "\n" + m.name, c = cache[key],
		    since = RG.state && RG.state.train ?
		    RG.state.train.fetchedAt || 0 : 0;

		if (c && c.at >= since && Date.now() - c.at < CACHE_MS)
			return Promise.resolve(c.list);
		return api("GET", "/v1/screening/clearances?list=" + enc(m.list) +
		    "&party=" + enc(m.name) + "&limit=50").then(function (a) {
			var list = (a || []).filter(function (x) {
				return x.entry === m.entry && x.party &&
				    fold(x.party.name) === fold(m.name);
			});

			cache[key] = { at: Date.now(), list: list };
			return list;
		});
	}

	/* A clearance's state in words: who proposed, confirmed, until. */
	function stateText(c) {
		var v = { id: c.id, who: c.proposed_by, by: c.decided_by ||
		    c.revoked_by || "", until: RG.timeText(c.expires_at),
		    reason: c.decided_reason || c.revoked_reason || "" };

		if (c.state === "pending")
			return RG.t("Clearance #{id} proposed by {who}, waiting for a supervisor", v);
		if (c.state === "confirmed" && c.in_force)
			return RG.t("Clearance #{id} proposed by {who}, confirmed by {by}, until {until}", v);
		if (c.state === "confirmed")
			return RG.t("Clearance #{id} proposed by {who}, confirmed by {by}, expired {until}", v);
		if (c.state === "rejected")
			return RG.t("Clearance #{id} proposed by {who}, rejected by {by} ({reason})", v);
		return RG.t("Clearance #{id} proposed by {who}, confirmed, revoked by {by} ({reason})",
		    { id: c.id, who: c.proposed_by, by: c.revoked_by || "",
		    reason: c.revoked_reason || "" });
	}

	/* The train the page shows, as the API names it, or null. */
	function pageTrain() {
		return RG.state.view === "train" ? RG.state.trainId : null;
	}

	/*
	 * A stable name for the form of hit h's match m: the page is drawn
	 * again while an officer types, and its inputs (data-kept, by id) are
	 * kept across.
	 */
	function formKey(h, m) {
		var s = h.subject || {}, k = [m.list, m.entry, m.name, h.rule,
		    s.consignment || "", s.item || ""].join("\n"), x = 5381, i;

		for (i = 0; i < k.length; i++)
			x = ((x * 33) ^ k.charCodeAt(i)) >>> 0;
		return "clr-" + x.toString(16);
	}

	/* The form proposing that m's party is not m's entry. */
	function proposeForm(h, m, box, refresh) {
		var reason, country, ident, msg, form, key = formKey(h, m);

		open[key] = true;
		reason = el("input", { type: "text", size: 40, class: "reason",
		    id: key + "-reason", "data-kept": true,
		    placeholder: RG.t("why this party is not the listed one (required)") });
		country = el("input", { type: "text", size: 3, maxlength: 2,
		    class: "country", id: key + "-country", "data-kept": true,
		    placeholder: RG.t("country") });
		ident = el("input", { type: "text", size: 18, class: "party-id",
		    id: key + "-id", "data-kept": true,
		    placeholder: RG.t("identifier (optional)") });
		msg = el("span", { class: "status" });
		form = el("form", { class: "clearance-form" },
		    el("p", { class: "hint", text: RG.t("Party {name} is not {list} entry {entry}",
			{ name: m.name, list: m.list, entry: m.entry }) }),
		    reason, " ", country, " ", ident, " ",
		    el("button", { type: "submit", class: "propose",
			text: RG.t("Propose clearance") }), " ",
		    el("button", { type: "button", class: "cancel",
			onclick: function () {
				delete open[key];
				box.removeChild(form);
			},
			text: RG.t("Cancel") }), " ", msg);
		form.onsubmit = function (ev) {
			var body, train = pageTrain(), s = h.subject || {};

			ev.preventDefault();
			if (!reason.value.trim()) {
				msg.textContent = RG.t("a reason is required");
				return;
			}
			body = { list: m.list, entry: m.entry, party: {
			    name: m.name,
			    country: country.value.trim() ?
				country.value.trim().toUpperCase() : null,
			    id: ident.value.trim() || null },
			    reason: reason.value.trim() };
			if (train) {
				body.train = train;
				body.hit = { rule: h.rule, consignment: s.consignment ||
				    null, item: s.item === undefined ? null : s.item,
				    role: m.role };
			}
			msg.textContent = RG.t("sending\u2026");
			api("POST", "/v1/screening/clearances", body).then(function (c) {
				showError("");
				delete cache[m.list + "\n" + m.name];
				delete open[key];
				if (RG.flash)
					RG.flash(RG.t("Proposed: clearance #{id}", { id: c.id }));
				if (form.parentNode)
					form.parentNode.removeChild(form);
				refresh();
				if (RG.refreshProposals)
					RG.refreshProposals();
			}).catch(function (e) {
				msg.textContent = RG.t("refused");
				showError(e.message);
			});
		};
		return form;
	}

	/*
	 * Under a hit: its screening match's clearances and, for officers
	 * while none waits or is in force, "Not this party".  null for a hit
	 * that is no screening match.
	 */
	function screeningBox(h) {
		var m = matchOf(h), box, states, button;

		if (!m)
			return null;
		states = el("ul", { class: "clearances" });
		button = el("button", { type: "button", class: "not-this-party",
		    hidden: true, text: RG.t("Not this party") });
		box = el("div", { class: "screening", "data-list": m.list,
		    "data-entry": m.entry, "data-party": m.name }, states, button);
		function refresh() {
			clearancesOf(m).then(function (list) {
				var open = list.some(function (c) {
					return c.state === "pending" || c.in_force;
				});

				RG.clear(states);
				list.slice(0, 3).forEach(function (c) {
					states.appendChild(el("li", { class: "clearance",
					    "data-state": c.state, "data-id": String(c.id),
					    text: stateText(c) }));
				});
				button.hidden = open ||
				    !RG.hasRole(["officer", "supervisor"]);
			}).catch(function () {
				button.hidden = !RG.hasRole(["officer", "supervisor"]);
			});
		}
		button.onclick = function () {
			if (!box.querySelector("form"))
				box.appendChild(proposeForm(h, m, box, refresh));
		};
		refresh();
		if (open[formKey(h, m)])
			box.appendChild(proposeForm(h, m, box, refresh));
		return box;
	}

	/* Pending clearances as the panel of proposals.js lists them. */
	function pendingClearances() {
		return api("GET", "/v1/screening/clearances?state=pending")
		    .then(function (a) {
			return (a || []).map(function (c) {
				var t = c.train ? c.train.split("@") : [];

				return { kind: "clearance", id: c.id,
				    train: t[0] || null, run: t[1] ? Number(t[1]) : null,
				    what: RG.t("party {name} is not {list} entry {entry}",
					{ name: c.party.name, list: c.list,
					entry: c.entry }),
				    proposed_by: c.proposed_by, reason: c.reason,
				    at: c.proposed_at, path: c.path, mine: c.mine };
			});
		}).catch(function () { return []; });
	}

	/* The clearances the train's decision applied, or null for none. */
	function renderCleared(t) {
		var a = t && t.screening_cleared;

		if (!a || a.length === 0)
			return null;
		return el("div", { id: "screening-cleared", class: "panel" },
		    el("h3", { text: RG.t("Screening clearances this decision applied ({n})",
			{ n: a.length }) }),
		    el("ul", null, a.map(function (c) {
			var v = { name: c.party ? c.party.name : "", list: c.list,
			    entry: c.entry, id: c.id, who: c.proposed_by || "?",
			    by: c.confirmed_by || "?",
			    until: RG.timeText(c.expires_at) };

			return el("li", { class: "cleared", "data-id": String(c.id),
			    "data-state-now": c.state_now || "" },
			    RG.t("cleared: party {name} is not {list} entry {entry}, #{id}, proposed by {who}, confirmed by {by}, until {until}", v),
			    c.state_now && c.state_now !== "in_force" ?
				el("span", { class: "state-now", text: " (" +
				    RG.t("now: {state}", { state: c.state_now }) +
				    ")" }) : null);
		    })));
	}

	RG.screeningMatch = matchOf;
	RG.screeningBox = screeningBox;
	RG.pendingClearances = pendingClearances;
	RG.renderCleared = renderCleared;
})();
