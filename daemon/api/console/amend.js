/*
 * amend.js -- the replacement manifests a train took (GET /v1/trains/{id}
 * "amendments", newest last): the wagons each one added, removed, changed
 * or moved, and what officers had done that it kept or dropped, and why.
 * train.js places the panel; an empty list draws nothing.
 */
"use strict";

(function () {
	var RG = window.RG;
	var el = RG.el, timeText = RG.timeText;

	/* One wagon of a diff list. */
	function wagonText(w) {
		if (w.from !== undefined && w.from !== w.position)
			return RG.t("wagon {wagon} (position {position}, was {from})",
			    { wagon: w.wagon, position: w.position, from: w.from });
		return RG.t("wagon {wagon} (position {position})",
		    { wagon: w.wagon, position: w.position });
	}

	/* What an officer had done, kept or dropped. */
	function workText(r) {
		var what = r.goods ? RG.t("goods {consignment} {item}",
		    { consignment: r.goods.consignment, item: r.goods.item === null ||
		    r.goods.item === undefined ? "" : r.goods.item }) :
		    RG.t("wagon {wagon} (position {position})",
		    { wagon: r.wagon, position: r.position });
		var done = r.resolution ? RG.t("{resolution} by {by}",
		    { resolution: r.resolution, by: r.resolved_by || "?" }) :
		    RG.t("override to {action} proposed by {by}",
		    { action: r.proposed, by: r.proposed_by || "?" });

		return RG.t("{what}: {done} ({why})", { what: what, done: done,
		    why: r.why || "" });
	}

	/* A labelled list, or nothing when it is empty. */
	function section(label, cls, items, text) {
		if (!items || !items.length)
			return null;
		return el("div", { class: "amend-" + cls },
		    el("h4", { text: label }),
		    el("ul", null, items.map(function (x) {
			return el("li", { text: text(x) });
		    })));
	}

	function renderOne(a) {
		var nothing = !a.added.length && !a.removed.length &&
		    !a.changed.length && !(a.moved || []).length;

		return el("li", { class: "amendment", "data-manifest": a.manifest },
		    el("p", { class: "amend-head", text: RG.t(
			"Replacement received {at}, manifest {sha}",
			{ at: timeText(a.at), sha: String(a.manifest).slice(0,
			12) }) }),
		    nothing ? el("p", { class: "hint", text: a.final_kept ?
			RG.t("Nothing changed: the final decision stands.") :
			RG.t("Nothing changed on the wagons.") }) : null,
		    section(RG.t("Wagons added"), "added", a.added, wagonText),
		    section(RG.t("Wagons removed"), "removed", a.removed,
			wagonText),
		    section(RG.t("Wagons changed"), "changed", a.changed,
			wagonText),
		    section(RG.t("Wagons moved"), "moved", a.moved, wagonText),
		    section(RG.t("Resolutions kept"), "kept", a.resolutions_kept,
			workText),
		    section(RG.t("Resolutions dropped"), "dropped",
			a.resolutions_dropped, workText));
	}

	/* The panel of a train's amendments (hidden when there are none). */
	function renderAmendments(t) {
		var list = t.amendments || [];
		var box = el("div", { id: "amendments", class: "panel amendments" });

		if (!list.length) {
			box.hidden = true;
			return box;
		}
		box.appendChild(el("h3", { text: RG.t("Replacement manifests") }));
		box.appendChild(el("ol", null, list.map(renderOne)));
		return box;
	}

	RG.renderAmendments = renderAmendments;
})();
