/*
 * proposals.js -- four eyes in the console.  What waits for a second
 * supervisor (GET /v1/proposals: wagon overrides and the clearings of
 * train hits, across trains) shows on the train list and, for its own
 * train, on a train's page: Confirm and Reject for a proposal someone
 * else made, "waiting" and Withdraw for one's own.  A train's page also
 * names who proposed and who confirmed (or rejected) each override and
 * clearing.  The panel is its own section (#proposals in index.html),
 * redrawn only when what it shows changed, so that a reason being typed
 * survives the polling; it polls every few seconds and at once when a
 * pushed change (RG.subscribe) is about a proposal or its decision.
 * Screening clearances awaiting a supervisor (screening.js) wait here
 * too, on the train list and on the page of the train they were made on.
 */
"use strict";

(function () {
	var RG = window.RG;
	var POLL_MS = 3000;
	var state = RG.state;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc;

	var pending = [];	/* GET /v1/proposals' answer */
	var forbidden = false;	/* the list is not this role's to read */
	var shown = null;	/* what the panel shows, as JSON */
	var busy = false;

	/* The train the page shows ("X8024", "X8024@2"), or null. */
	function pageTrain() {
		return state.view === "train" ? state.trainId : null;
	}

	/* Whether proposal p is of train id ("X8024" names its latest run). */
	function isOfTrain(p, id) {
		var at = id.indexOf("@");

		if (at < 0)
			return p.train === id && (!state.train || !state.train.train ||
			    state.train.train.run === p.run);
		return p.train + "@" + p.run === id;
	}

	/* The goods a proposal or resolution is about, in words. */
	function goodsText(g) {
		return g.item !== null && g.item !== undefined ?
		    RG.t("consignment {consignment} item {item}", { consignment:
		    g.consignment, item: g.item }) :
		    RG.t("consignment {consignment}", { consignment: g.consignment });
	}

	/* What proposal p would do, in words. */
	function whatText(p) {
		if (p.kind === "clearance")
			return p.what;
		if (p.kind === "wagon")
			return RG.t("override wagon {wagon} to {action} (the rules: {rules})",
			    { wagon: p.wagon, action: p.action, rules:
			    p.rules_action || "?" });
		if (p.kind === "goods" && p.resolution === "located")
			return RG.t("goods {goods} located on wagon {wagon}",
			    { goods: goodsText(p), wagon: p.wagon });
		if (p.kind === "goods")
			return RG.t("goods {goods}: manifest corrected",
			    { goods: goodsText(p) });
		return RG.t("clear train hit {rule}", { rule: p.rule || "?" });
	}

	/* A proposal's key for the page (and the tests). */
	function keyOf(p) {
		if (p.kind === "clearance")
			return "clearance:" + p.id;
		return p.kind + ":" + p.train + "@" + p.run + ":" +
		    (p.kind === "wagon" ? p.wagon : p.id);
	}

	/* Whether the signed-in supervisor made proposal p. */
	function isMine(p) {
		return RG.me && RG.me.principal ? RG.me.principal ===
		    p.proposed_by : p.mine === true;
	}

	/* POST path/{verb} with the reason typed (required to reject). */
	function decide(p, verb, input, msg) {
		var reason = input ? input.value.trim() : "";

		if ((verb !== "confirm" || p.kind === "clearance") && !reason) {
			if (verb !== "withdraw") {
				msg.textContent = RG.t("a reason is required");
				return;
			}
			reason = RG.t("withdrawn by the proposer");
		}
		msg.textContent = RG.t("sending\u2026");
		api("POST", p.path + "/" + (verb === "withdraw" ? "reject" : verb),
		    reason ? { reason: reason } : {}).then(function () {
			showError("");
			if (RG.flash)
				RG.flash(verb === "confirm" ? RG.t("Confirmed: {what}",
				    { what: whatText(p) }) : verb === "reject" ?
				    RG.t("Rejected: {what}", { what: whatText(p) }) :
				    RG.t("Withdrawn: {what}", { what: whatText(p) }));
			shown = null;
			if (pageTrain() && RG.loadTrain)
				RG.loadTrain(state.trainId);
			refresh();
		}).catch(function (e) {
			msg.textContent = RG.t("refused");
			showError(e.message);
		});
	}

	/* One waiting proposal, with the controls its reader may use. */
	function renderPending(p) {
		var key = keyOf(p), mine = isMine(p), msg, input = null, controls;

		msg = el("span", { class: "status" });
		if (mine)
			controls = el("span", null, el("span", { class: "waiting",
			    text: RG.t("waiting for a second supervisor") }), " ",
			    el("button", { type: "button", class: "withdraw",
				onclick: function () { decide(p, "withdraw", null,
				msg); }, text: RG.t("Withdraw") }));
		else {
			input = el("input", { type: "text", size: 30, class: "reason",
			    id: "proposal-reason-" + key.replace(/[^A-Za-z0-9]/g, "-"),
			    placeholder: p.kind === "clearance" ?
				RG.t("reason (required)") :
				RG.t("reason (required to reject)") });
			controls = el("span", null, input, " ",
			    el("button", { type: "button", class: "confirm",
				onclick: function () { decide(p, "confirm", input,
				msg); }, text: RG.t("Confirm") }), " ",
			    el("button", { type: "button", class: "reject",
				onclick: function () { decide(p, "reject", input,
				msg); }, text: RG.t("Reject") }));
		}
		return el("li", { class: "proposal", "data-proposal": key,
		    "data-mine": mine ? "true" : "false" },
		    p.train ? el("a", { href: "#/train/" + enc(p.train + "@" +
			p.run), class: "proposal-train", text: RG.t("Train {train} run {run}",
			{ train: p.train, run: p.run }) }) : el("span", {
			class: "proposal-train", text: RG.t("Screening") }), " ",
		    el("strong", { class: "what", text: whatText(p) }), " ",
		    el("span", { class: "who", text: RG.t("proposed by {who} at {at}",
			{ who: p.proposed_by, at: RG.timeText(p.at) }) }),
		    el("p", { class: "proposal-reason", text: p.reason }),
		    el("p", { class: "noprint" }, controls, " ", msg));
	}

	/*
	 * Who proposed and who decided each override and clearing of the
	 * train shown: confirmed wagon overrides (resolved_by, confirmed_by)
	 * and the train's proposals once decided.
	 */
	function history(train) {
		var out = [];

		(train.wagons || []).forEach(function (w) {
			if (!w.confirmed_by)
				return;
			out.push({ key: "wagon:" + w.wagon, text: RG.t("Wagon {wagon}: {action} proposed by {who}, confirmed by {by}",
			    { wagon: w.wagon, action: String(w.resolution || "")
			    .toUpperCase(), who: w.resolved_by, by: w.confirmed_by }) });
		});
		(train.proposals || []).forEach(function (p) {
			var v = { what: whatText(p), who: p.proposed_by,
			    by: p.decided_by, reason: p.decided_reason || "" },
			    text = null;

			if (p.state === "confirmed")
				text = RG.t("{what}: proposed by {who}, confirmed by {by}",
				    v);
			else if (p.state === "rejected")
				text = RG.t("{what}: proposed by {who}, rejected by {by} ({reason})",
				    v);
			else if (p.state === "withdrawn")
				text = RG.t("{what}: proposed by {who}, withdrawn", v);
			else if (p.state === "void")
				text = RG.t("{what}: proposed by {who}, void: {reason}", v);
			if (text !== null)
				out.push({ key: "p:" + p.id, text: text });
		});
		return out;
	}

	/* Draws the panel when what it shows changed. */
	function render() {
		var root = $("proposals"), id = pageTrain(), list, done = [], now;

		if (!root)
			return;
		if (state.view !== "list" && state.view !== "train") {
			forbidden = state.view === "login" ? false : forbidden;
			root.hidden = true;
			shown = null;
			return;
		}
		list = forbidden ? [] : pending.filter(function (p) {
			return !id || (p.train && isOfTrain(p, id));
		});
		if (id && state.train && state.train.train &&
		    state.train.id === id)
			done = history(state.train.train);
		now = JSON.stringify([state.view, id, list, done,
		    RG.me ? RG.me.principal : null]);
		if (now === shown)
			return;
		shown = null;		/* set again once drawn */
		clear(root);
		root.hidden = list.length === 0 && done.length === 0;
		if (list.length > 0) {
			root.appendChild(el("h3", { text:
			    RG.t("Waiting for a second supervisor ({n})",
			    { n: list.length }) }));
			root.appendChild(el("ul", { id: "proposals-list",
			    class: "proposals" }, list.map(renderPending)));
		}
		if (done.length > 0) {
			root.appendChild(el("h3", {
			    text: RG.t("Four eyes on this train") }));
			root.appendChild(el("ul", { id: "four-eyes-history",
			    class: "four-eyes" }, done.map(function (d) {
				return el("li", { "data-key": d.key, text: d.text });
			    })));
		}
		shown = now;
	}

	/* Reads the list again (supervisors), then draws. */
	function refresh() {
		if (state.view !== "list" && state.view !== "train") {
			render();
			return;
		}
		if (busy || forbidden || !RG.hasRole(["supervisor"])) {
			render();
			return;
		}
		busy = true;
		api("GET", "/v1/proposals").then(function (a) {
			return (RG.pendingClearances ? RG.pendingClearances() :
			    Promise.resolve([])).then(function (c) {
				return (a || []).concat(c);
			});
		}).then(function (a) {
			busy = false;
			pending = a;
			render();
		}).catch(function (e) {
			busy = false;
			if (e.status === 403)
				forbidden = true;	/* not a supervisor */
			render();
		});
	}

	/* A pushed change about a proposal or its decision: read again. */
	RG.subscribe(function (msg) {
		var a = msg && msg.action ? String(msg.action) : "";

		if (/override|clearing|proposal|^goods\.|^wagon\.|^train_hit\.|^screening_clearance\./.test(a))
			refresh();
	});

	RG.refreshProposals = refresh;
	RG.proposalText = whatText;

	document.addEventListener("DOMContentLoaded", function () {
		window.addEventListener("hashchange", function () {
			forbidden = false;	/* another sign-in may follow */
			setTimeout(refresh, 0);
		});
		setInterval(refresh, POLL_MS);
		setTimeout(refresh, 0);
	});
})();
