/*
 * trainhits.js -- the hits on the train as a whole (train_hits), with the
 * officer's ways out for goods on no wagon (located on a wagon, manifest
 * corrected: POST /v1/trains/{id}/goods/resolution).
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state, LANES = RG.LANES;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, wagonAction = RG.wagonAction;
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

	/*
	 * The train's hits; one about goods on no wagon offers its two ways
	 * out: the goods located on a wagon (picked from the train's), or the
	 * manifest corrected, with a reason.
	 */
	function renderTrainHits(hits, t) {
		var list = renderHits(hits);

		Array.prototype.forEach.call(list.children, function (li, i) {
			var h = hits[i], g;

			if (!h.subject || !h.subject.consignment)
				return;
			g = goodsResolutionOf(h, t);
			if (g) {
				li.appendChild(el("p", { class: "resolved", text:
				    (g.resolution === "located" ? "Goods located on " +
				    "wagon " + g.wagon : "Manifest corrected") +
				    " by " + g.by + ": " + g.reason +
				    " (applied when the decision is made final)" }));
				return;
			}
			li.appendChild(goodsForm(h, i, t));
		});
		return list;
	}

	function goodsForm(h, i, t) {
		var wagon, reason, msg, goods = "consignment " +
		    h.subject.consignment + (h.subject.item ? " item " +
		    h.subject.item : "");

		wagon = el("select", { id: "goods-wagon-" + i, "data-kept": true,
		    name: "wagon" }, (t.wagons || []).map(function (w) {
			return el("option", { value: w.wagon, text: w.position +
			    ": " + w.wagon });
		    }));
		reason = el("input", { id: "goods-reason-" + i, "data-kept": true,
		    name: "reason", type: "text", size: 40, required: true,
		    placeholder: "reason (the auditor reads it)" });
		msg = el("span", { id: "goods-result-" + i, class: "status" });

		function send(resolution) {
			var body = { consignment: h.subject.consignment,
			    resolution: resolution, reason: reason.value.trim() };

			if (h.subject.item)
				body.item = h.subject.item;
			if (resolution === "located")
				body.wagon = wagon.value;
			if (!body.reason) {
				msg.textContent = "a reason is required";
				return;
			}
			msg.textContent = "sending\u2026";
			api("POST", "/v1/trains/" + enc(state.trainId) +
			    "/goods/resolution", body).then(function (r) {
				msg.textContent = "";
				reason.value = "";
				showError("");
				RG.flash("Goods " + goods + ": " + (resolution ===
				    "located" ? "located on wagon " + r.wagon :
				    "manifest corrected"));
				RG.loadTrain(state.trainId);
			}).catch(function (e) {
				msg.textContent = "refused";
				showError(e.message);
			});
		}

		return el("form", { id: "goods-form-" + i, class: "goods noprint", hidden: !RG.hasRole(["officer", "supervisor"]),
		    onsubmit: function (ev) { ev.preventDefault(); } },
		    el("button", { id: "goods-located-" + i, type: "button",
			onclick: function () { send("located"); },
			text: "Goods located on wagon" }), " ", wagon, " ",
		    el("button", { id: "goods-corrected-" + i, type: "button",
			disabled: RANK[h.action] > RANK.DOC_CHECK,
			title: RANK[h.action] > RANK.DOC_CHECK ? "goods at " +
			h.action + " must be located on a wagon" : null,
			onclick: function () { send("corrected"); },
			text: "Manifest corrected" }), " ", reason, " ", msg);
	}

	RG.renderTrainHits = renderTrainHits;
})();
