/*
 * take.js -- who took the train (GET /v1/trains/{id} "taken") and an
 * officer's button to take it (POST /v1/trains/{id}/take), so that the
 * automatic release of green trains leaves it to them.  train.js places
 * it; a final or cancelled train shows only who took it, if anyone.
 */
"use strict";

(function () {
	var RG = window.RG;
	var el = RG.el, api = RG.api, enc = RG.enc, showError = RG.showError;

	/* Who took it, how. */
	function takenText(k) {
		return RG.t("Taken by {by} ({how}), {at}", { by: k.by, how: k.how,
		    at: RG.timeText(k.at) });
	}

	function take(t, button) {
		button.disabled = true;
		api("POST", "/v1/trains/" + enc(RG.trainKey(t)) + "/take").then(
		    function () {
			showError("");
			RG.loadTrain(RG.state.trainId);
		}).catch(function (e) {
			button.disabled = false;
			showError(e.message);
		});
	}

	function renderTake(t) {
		var box = el("div", { id: "take", class: "take noprint" }), b;

		if (t.taken) {
			box.appendChild(el("p", { id: "taken-by",
			    text: takenText(t.taken) }));
			return box;
		}
		if (t.final || t.state === "cancelled" ||
		    !RG.hasRole(["officer", "supervisor"])) {
			box.hidden = true;
			return box;
		}
		b = el("button", { id: "take-train", type: "button", title: RG.t(
		    "An officer looks at this train: not released by itself") },
		    RG.t("Take this train"));
		b.addEventListener("click", function () { take(t, b); });
		box.appendChild(b);
		return box;
	}

	RG.renderTake = renderTake;
})();
