/*
 * wagon.js -- one wagon's panel on the train page: its action, the
 * officer's resolution or a proposed override, its hits, and the
 * resolution form (POST /v1/trains/{id}/wagons/{wagon}/resolution).
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state, LANES = RG.LANES;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, wagonAction = RG.wagonAction;
	var renderHits = RG.renderHits;

	function renderWagonDetail() {
		var panel = $("wagon-detail"), t = state.train.train, w = null, dw,
		    i, sel, reason, msg;

		if (!panel)
			return;
		clear(panel);
		for (i = 0; t.wagons && i < t.wagons.length; i++)
			if (t.wagons[i].position === state.selected)
				w = t.wagons[i];
		if (w === null) {
			panel.appendChild(el("p", { class: "hint",
			    text: "Click a wagon to see its hits and resolve it." }));
			return;
		}
		dw = RG.decisionWagon(state.train.decision, w.position);
		panel.appendChild(el("h3", null, "Wagon " + w.wagon + " at position " +
		    w.position + " ", el("span", { class: "badge lane-" +
		    (LANES[wagonAction(w)] || "unknown"), text: wagonAction(w) })));
		panel.appendChild(el("p", { text: w.containers + " container(s), " +
		    w.items + " item(s); decision: " + w.action +
		    (w.resolution ? "; officer's resolution: " + w.resolution +
			(w.resolved_by ? " by " + w.resolved_by : "") +
			(w.confirmed_by ? ", confirmed by " + w.confirmed_by :
			"") : "") }));
		if (w.override)
			panel.appendChild(el("p", { class: "pending", text:
			    "Override proposed by " + w.override.proposed_by +
			    ": " + w.override.action + " (" + w.override.reason +
			    "). It takes effect when another supervisor " +
			    "confirms it or approves the train." }));
		if (dw && dw.hits && dw.hits.length)
			panel.appendChild(renderHits(dw.hits));
		else
			panel.appendChild(el("p", { class: "hint",
			    text: "No hits on this wagon." }));

		sel = el("select", { id: "resolve-action", name: "action" },
		    el("option", { value: "", text: RG.t("choose an action\u2026") }),
		    ["release", "inspect", "hold", "refuse"].map(function (a) {
			return el("option", { value: a, text: a });
		    }));
		reason = el("input", { id: "resolve-reason", name: "reason",
		    type: "text", size: 50, required: true,
		    placeholder: "reason (the auditor reads it)" });
		msg = el("span", { id: "resolve-result", class: "status" });
		panel.appendChild(el("form", { id: "resolve-form", class: "noprint", hidden: !RG.hasRole(["officer", "supervisor"]),
		    onsubmit: function (ev) {
			ev.preventDefault();
			if (!sel.value) {	/* no default: the officer chooses */
				msg.textContent = RG.t("choose an action");
				return;
			}
			if (!reason.value.trim()) {
				msg.textContent = "a reason is required";
				return;
			}
			msg.textContent = "sending\u2026";
			api("POST", "/v1/trains/" + enc(state.trainId) + "/wagons/" +
			    enc(w.wagon) + "/resolution", { action: sel.value,
			    reason: reason.value.trim() }).then(function (r) {
				msg.textContent = "";
				reason.value = "";
				showError("");
				RG.flash("Wagon " + w.wagon + ": " + (r.proposed ?
				    "override proposed, " + r.previous + " \u2192 " +
				    r.proposed + ": it waits for a second " +
				    "supervisor to confirm it" : r.previous +
				    " \u2192 " + r.action));
				RG.loadTrain(state.trainId);
			}).catch(function (e) {
				msg.textContent = "refused";
				showError(e.message);
			});
		    } },
		    el("label", { for: "resolve-action", text: "Resolve: " }), sel, " ",
		    reason, " ", el("button", { id: "resolve-submit", type: "submit",
		    text: "Resolve wagon" }), " ", msg));
	}

	RG.renderWagonDetail = renderWagonDetail;
})();
