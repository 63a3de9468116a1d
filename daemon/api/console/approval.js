/*
 * approval.js -- approving a train from its page, in two steps.  "Approve
 * train..." asks the daemon what approval would do now (GET
 * /v1/trains/{id}/approval: the outcome, the wagons released and set
 * out, those still waiting for a document check, the overrides it would
 * confirm, the operators notified, or why it would be refused) and shows
 * it in a dialog in the page; only "Approve: make final" there approves,
 * naming the version it showed, so that a decision that changed since is
 * refused (409) rather than approved unseen.  The controls show only to
 * the roles that may approve (RG.hasRole).
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state;
	var $ = RG.$, el = RG.el, clear = RG.clear, api = RG.api, enc = RG.enc,
	    showError = RG.showError;

	/* The page's dialog, made once and kept outside the redrawn view. */
	function dialog() {
		var d = $("approve-dialog");

		if (!d) {
			d = el("dialog", { id: "approve-dialog", class: "approve-dialog",
			    "aria-labelledby": "approve-title" });
			document.body.appendChild(d);
		}
		return d;
	}

	/* "12: positions 3-8, 12" for a preview's list of wagons. */
	function wagonsText(list) {
		return list.length === 0 ? RG.t("none") :
		    RG.t("{n}: positions {positions}", { n: list.length,
			positions: RG.runsText(list.map(function (w) {
			    return w.position;
			})) });
	}

	/* The preview p in the dialog, and the buttons that act on it. */
	function renderPreview(dlg, p, reason) {
		var msg = el("p", { id: "approve-dialog-result", class: "status" }),
		    confirm, setOut = p.set_out.map(function (w) {
			return RG.t("{pos} ({action})", { pos: w.position,
			    action: w.action });
		    });

		confirm = el("button", { id: "approve-confirm", type: "button",
		    class: "primary", disabled: !p.may_approve,
		    onclick: function () { approve(dlg, p, reason, msg, confirm); } },
		    RG.t("Approve: make final"));
		clear(dlg);
		dlg.appendChild(el("h3", { id: "approve-title", text:
		    RG.t("Approve train {train}?", { train: p.train }) }));
		dlg.appendChild(el("p", { class: "hint", text:
		    RG.t("Approval makes this decision final and notifies the operators. Check what will happen:") }));
		dlg.appendChild(el("dl", { class: "facts preview" },
		    el("dt", { text: RG.t("Final decision") }),
		    el("dd", null, el("span", { id: "preview-outcome",
			class: "badge decision-" + p.outcome, text: p.outcome })),
		    el("dt", { text: RG.t("Wagons released") }),
		    el("dd", { id: "preview-released",
			"data-count": p.released.length,
			text: wagonsText(p.released) }),
		    el("dt", { text: RG.t("Wagons set out") }),
		    el("dd", { id: "preview-setout", "data-count": p.set_out.length,
			text: p.set_out.length === 0 ? RG.t("none") :
			RG.t("{n}: positions {positions}", { n: p.set_out.length,
			positions: setOut.join(", ") }) }),
		    el("dt", { text: RG.t("Still waiting for a document check") }),
		    el("dd", { id: "preview-pending", "data-count": p.pending.length,
			text: wagonsText(p.pending) }),
		    el("dt", { text: RG.t("Train-level hits") }),
		    el("dd", { id: "preview-train-hits", text: p.train_hits }),
		    p.overrides.length > 0 ? el("dt", {
			text: RG.t("Overrides awaiting confirmation") }) : null,
		    p.overrides.length > 0 ? el("dd", { id: "preview-overrides",
			text: p.overrides.map(function (o) {
			    return RG.t("wagon {wagon}: {action}, proposed by {by}",
				{ wagon: o.wagon, action: o.action, by: o.by });
			}).join("; ") + (p.confirms_overrides ? " " +
			RG.t("(approving confirms them)") : "") }) : null,
		    el("dt", { text: RG.t("Operators notified") }),
		    el("dd", { id: "preview-notices", "data-count": p.notices.length,
			text: p.notices.length === 0 ? RG.t("none (no subscription)") :
			p.notices.map(function (n) {
			    return RG.t("{operator} ({format})", {
				operator: n.subscription, format: n.format });
			}).join(", ") })));
		if (p.refusal)
			dlg.appendChild(el("p", { id: "preview-refusal", class: "error",
			    text: RG.t("Approval would be refused: {title}. {detail}",
				{ title: p.refusal.title, detail: p.refusal.detail }) }));
		dlg.appendChild(el("p", { class: "buttons" }, confirm, " ",
		    el("button", { id: "approve-cancel", type: "button",
			onclick: function () { dlg.close(); } }, RG.t("Cancel")),
		    " ", msg));
		dlg.setAttribute("data-state", "ready");
	}

	/* The second step: approve the version the dialog shows. */
	function approve(dlg, p, reason, msg, button) {
		button.disabled = true;
		msg.textContent = RG.t("sending\u2026");
		api("POST", "/v1/trains/" + enc(state.trainId) + "/approve",
		    { reason: reason || "approved", version: p.version }).then(
		    function () {
			dlg.close();
			dlg.setAttribute("data-state", "done");
			if ($("approve-reason"))
				$("approve-reason").value = "";
			showError("");
			RG.flash(RG.t("Decision approved: final."));
			RG.loadTrain(state.trainId);
		}).catch(function (e) {
			msg.textContent = e.status === 409 ?
			    RG.t("refused: the decision changed or is not ready; close and review it again") :
			    RG.t("refused");
			dlg.setAttribute("data-state", "refused");
			showError(e.message);
		});
	}

	/* The first step: what approval would do, in the dialog. */
	function openPreview(reason) {
		var dlg = dialog();

		clear(dlg);
		dlg.setAttribute("data-state", "loading");
		dlg.appendChild(el("p", { class: "hint",
		    text: RG.t("Asking what approval would do\u2026") }));
		if (!dlg.open)
			dlg.showModal();
		api("GET", "/v1/trains/" + enc(state.trainId) + "/approval").then(
		    function (p) {
			renderPreview(dlg, p, reason);
		}).catch(function (e) {
			clear(dlg);
			dlg.setAttribute("data-state", "refused");
			dlg.appendChild(el("p", { id: "preview-refusal", class: "error",
			    text: e.message }));
			dlg.appendChild(el("p", { class: "buttons" },
			    el("button", { id: "approve-cancel", type: "button",
				onclick: function () { dlg.close(); } },
				RG.t("Close"))));
		});
	}

	/* The page's actions: approval (for the roles that may) and links. */
	function renderApprove(t, d) {
		var reason = el("input", { id: "approve-reason", type: "text",
		    size: 50, placeholder: RG.t("reason (optional)") });
		var mayApprove = RG.hasRole(["officer", "supervisor"]);

		return el("div", { class: "panel actions noprint" },
		    el("h3", { text: RG.t("Actions") }),
		    el("p", { id: "flash", class: "flash", text: RG.flashText() }),
		    mayApprove ? el("form", { id: "approve-form",
			onsubmit: function (ev) {
			    ev.preventDefault();
			    openPreview(reason.value.trim());
			} }, reason, " ", el("button", { id: "approve-submit",
			type: "submit", disabled: !d || d.final,
			text: d && d.final ? RG.t("Approved") :
			RG.t("Approve train\u2026") })) :
			el("p", { id: "approve-role", class: "hint",
			text: RG.t("Approval is for officers and supervisors.") }),
		    el("p", null, el("a", { id: "setout-link", href: "#/train/" +
			enc(state.trainId) + "/setout", text:
			RG.t("Set-out list for the shunting crew (printable)") })));
	}

	RG.renderApprove = renderApprove;
	RG.openApprovalPreview = openPreview;
})();
