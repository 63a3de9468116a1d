/*
 * trainhits.js -- the hits on the train as a whole (train_hits), with the
 * ways out for goods on no wagon (located on a wagon, manifest corrected:
 * POST /v1/trains/{id}/goods/resolution) and for a hit naming no goods, a
 * blocking diagnostic (checked: POST /v1/trains/{id}/train-hits/clearance).  A train hit holds the whole
 * train, so clearing one takes two supervisors: a supervisor proposes it
 * here with a reason, another confirms or rejects it in the panel of
 * proposals.js.  Each hit says what was proposed, confirmed or done, and
 * by whom; the form shows only to supervisors.
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state;
	var el = RG.el, showError = RG.showError, api = RG.api, enc = RG.enc;
	var RANK = RG.RANK, renderHits = RG.renderHits;

	/* Whether a train hit (h) is about the goods of resolution g. */
	function hitIsAbout(h, g) {
		var s = h.subject || {};

		return s.consignment === g.consignment && (g.item === null ||
		    g.item === undefined || s.item === undefined ||
		    s.item === g.item);
	}

	/* The goods resolution in force that takes hit h, or null. */
	function goodsResolutionOf(h, t) {
		var i, g;

		for (i = 0; t.goods_resolutions && i < t.goods_resolutions.length;
		    i++) {
			g = t.goods_resolutions[i];
			if (g.in_force && hitIsAbout(h, g) && (g.resolution ===
			    "located" || RANK[h.action] <= RANK.DOC_CHECK))
				return g;
		}
		return null;
	}

	/* Whether hit h names goods (else a blocking diagnostic, a rule on
	 * the whole train). */
	function namesGoods(h) {
		return !!(h.subject && h.subject.consignment);
	}

	/* The clearing proposed for hit h awaiting confirmation, or null. */
	function proposalOf(h, t) {
		var i, p;

		for (i = 0; t.proposals && i < t.proposals.length; i++) {
			p = t.proposals[i];
			if (p.state !== "pending")
				continue;
			if (namesGoods(h) ? p.kind === "goods" && hitIsAbout(h, p) :
			    p.kind === "hit" && p.rule === h.rule)
				return p;
		}
		return null;
	}

	/* The clearance in force of hit h (naming no goods), or null. */
	function clearanceOf(h, t) {
		var i, c;

		for (i = 0; t.hit_clearances && i < t.hit_clearances.length; i++) {
			c = t.hit_clearances[i];
			if (c.in_force && c.rule === h.rule)
				return c;
		}
		return null;
	}

	/* What resolution g did, and who did it. */
	function resolvedText(g) {
		var v = { wagon: g.wagon, by: g.by, second: g.confirmed_by,
		    reason: g.reason };

		if (g.resolution === "located")
			return g.confirmed_by ? RG.t("Goods located on wagon {wagon}: proposed by {by}, confirmed by {second}: {reason}",
			    v) : RG.t("Goods located on wagon {wagon} by {by}: {reason}", v);
		return g.confirmed_by ? RG.t("Manifest corrected: proposed by {by}, confirmed by {second}: {reason}",
		    v) : RG.t("Manifest corrected by {by}: {reason}", v);
	}

	/*
	 * The train's hits; one about goods on no wagon says how it was
	 * resolved or what waits for a second supervisor, else offers a
	 * supervisor its two ways out: the goods located on a wagon (picked
	 * from the train's), or the manifest corrected, with a reason.
	 */
	function renderTrainHits(hits, t) {
		var list;

		/* In the order renderHits draws them (most severe first), so
		 * that hits[i] is the hit of the i-th item. */
		hits = RG.sortHits(hits);
		list = renderHits(hits);

		Array.prototype.forEach.call(list.children, function (li, i) {
			var h = hits[i], g, p;

			if (!namesGoods(h)) {
				li.appendChild(clearancePart(h, i, t));
				return;
			}
			g = goodsResolutionOf(h, t);
			if (g) {
				li.appendChild(el("p", { class: "resolved", text:
				    resolvedText(g) + " " +
				    RG.t("(applied when the decision is made final)") }));
				return;
			}
			p = proposalOf(h, t);
			if (p) {
				li.appendChild(el("p", { class: "pending",
				    "data-proposal": p.id, text: RG.t("Proposed by {who}: {what} ({reason}). Waiting for a second supervisor to confirm it.",
				    { who: p.proposed_by, what: RG.proposalText ?
				    RG.proposalText(p) : p.what, reason: p.reason }) }));
				return;
			}
			if (RG.hasRole(["supervisor"]))
				li.appendChild(goodsForm(h, i, t));
			else
				li.appendChild(el("p", { class: "hint", text:
				    RG.t("A supervisor proposes how these goods are resolved; a second supervisor confirms it.") }));
		});
		return list;
	}

	/*
	 * A hit naming no goods (a blocking diagnostic): cleared, waiting, or
	 * a supervisor's form to propose that what it reports was checked.
	 */
	function clearancePart(h, i, t) {
		var c = clearanceOf(h, t), p = proposalOf(h, t), reason, msg;

		if (c)
			return el("p", { class: "resolved", text: RG.t("Checked and cleared: proposed by {by}, confirmed by {second}: {reason} (applied when the decision is made final)",
			    { by: c.by, second: c.confirmed_by, reason: c.reason }) });
		if (p)
			return el("p", { class: "pending", "data-proposal": p.id,
			    text: RG.t("Proposed by {who}: checked, clear this hit ({reason}). Waiting for a second supervisor to confirm it.",
			    { who: p.proposed_by, reason: p.reason }) });
		if (!RG.hasRole(["supervisor"]))
			return el("p", { class: "hint", text: RG.t("A supervisor may state that this was checked; a second supervisor confirms it.") });
		reason = el("input", { id: "clear-reason-" + i, "data-kept": true,
		    name: "reason", type: "text", size: 40, required: true,
		    placeholder: RG.t("what was checked (the auditor reads it)") });
		msg = el("span", { id: "clear-result-" + i, class: "status" });
		return el("form", { id: "clear-form-" + i, class: "clear noprint",
		    onsubmit: function (ev) {
			ev.preventDefault();
			if (!reason.value.trim()) {
				msg.textContent = RG.t("a reason is required");
				return;
			}
			msg.textContent = RG.t("sending\u2026");
			api("POST", "/v1/trains/" + enc(state.trainId) +
			    "/train-hits/clearance", { rule: h.rule,
			    reason: reason.value.trim() }).then(function () {
				msg.textContent = "";
				reason.value = "";
				showError("");
				RG.flash(RG.t("Proposed: clear {rule}. It waits for a second supervisor to confirm it.",
				    { rule: h.rule }));
				RG.loadTrain(state.trainId);
				if (RG.refreshProposals)
					RG.refreshProposals();
			}).catch(function (e) {
				msg.textContent = RG.t("refused");
				showError(e.message);
			});
		    } }, reason, " ", el("button", { id: "clear-submit-" + i,
			type: "submit", text: RG.t("Propose: checked, clear this hit") }),
		    " ", msg);
	}

	function goodsForm(h, i, t) {
		var wagon, reason, msg;

		wagon = el("select", { id: "goods-wagon-" + i, "data-kept": true,
		    name: "wagon" }, (t.wagons || []).map(function (w) {
			return el("option", { value: w.wagon, text: w.position +
			    ": " + w.wagon });
		    }));
		reason = el("input", { id: "goods-reason-" + i, "data-kept": true,
		    name: "reason", type: "text", size: 40, required: true,
		    placeholder: RG.t("reason (the auditor reads it)") });
		msg = el("span", { id: "goods-result-" + i, class: "status" });

		function send(resolution) {
			var body = { consignment: h.subject.consignment,
			    resolution: resolution, reason: reason.value.trim() };

			if (h.subject.item)
				body.item = h.subject.item;
			if (resolution === "located")
				body.wagon = wagon.value;
			if (!body.reason) {
				msg.textContent = RG.t("a reason is required");
				return;
			}
			msg.textContent = RG.t("sending\u2026");
			api("POST", "/v1/trains/" + enc(state.trainId) +
			    "/goods/resolution", body).then(function (r) {
				msg.textContent = "";
				reason.value = "";
				showError("");
				RG.flash(RG.t("Proposed: {what}. It waits for a second supervisor to confirm it.",
				    { what: RG.proposalText ? RG.proposalText({ kind: "goods", resolution:
				    r.resolution, consignment: r.consignment, item:
				    r.item, wagon: r.wagon }) : r.resolution }));
				RG.loadTrain(state.trainId);
				if (RG.refreshProposals)
					RG.refreshProposals();
			}).catch(function (e) {
				msg.textContent = RG.t("refused");
				showError(e.message);
			});
		}

		return el("form", { id: "goods-form-" + i, class: "goods noprint", hidden: !RG.hasRole(["officer", "supervisor"]),
		    onsubmit: function (ev) { ev.preventDefault(); } },
		    el("button", { id: "goods-located-" + i, type: "button",
			onclick: function () { send("located"); },
			text: RG.t("Propose: goods located on wagon") }), " ", wagon,
		    " ", el("button", { id: "goods-corrected-" + i, type: "button",
			disabled: RANK[h.action] > RANK.DOC_CHECK,
			title: RANK[h.action] > RANK.DOC_CHECK ?
			RG.t("goods at {action} must be located on a wagon",
			{ action: h.action }) : null, onclick: function () { send("corrected"); },
			text: RG.t("Propose: manifest corrected") }), " ", reason, " ",
		    msg);
	}

	RG.renderTrainHits = renderTrainHits;
})();
