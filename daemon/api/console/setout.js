/*
 * setout.js -- the set-out list for the shunting crew
 * (#/train/ID/setout): the wagons set out, printable.
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state, LANES = RG.LANES, SET_OUT = RG.SET_OUT;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, trainKey = RG.trainKey,
	    clockText = RG.clockText, timeText = RG.timeText,
	    routeText = RG.routeText, countdown = RG.countdown,
	    showView = RG.showView, wagonAction = RG.wagonAction;
	var fetchTrain = RG.fetchTrain, decisionWagon = RG.decisionWagon;

	function openSetout(id) {
		showView("setout");
		state.trainId = id;
		clear($("setout"));
		fetchTrain(id).then(function (data) {
			renderSetout(data);
		}).catch(function (e) { showError(e.message); });
	}

	function renderSetout(data) {
		var t = data.train, d = data.decision, root = $("setout"), rows;

		rows = (t.wagons || []).filter(function (w) {
			return SET_OUT[wagonAction(w)];
		}).sort(function (a, b) { return a.position - b.position; });
		clear(root);
		root.appendChild(el("p", { class: "noprint" },
		    el("a", { href: "#/train/" + enc(data.id), text:
			"\u2190 " + RG.t("train {train}", { train: t.train }) }),
		    " ",
		    el("button", { type: "button", id: "print", text: RG.t("Print"),
			onclick: function () { window.print(); } })));
		root.appendChild(el("h2", { text: RG.t("Set-out list \u2014 train {train} run {run}", { train: t.train, run: t.run }) }));
		root.appendChild(el("p", { text: RG.t("{route} at {station}; decision {decision}; printed {time}", {
			route: routeText(t), station: t.border_station || "?",
			decision: !d ? RG.t("none") : d.final ?
			    RG.t("{decision} (final)", { decision:
			    RG.actionText(d.decision) }) :
			    RG.t("{decision} (provisional)", { decision:
			    RG.actionText(d.decision) }),
			time: RG.timeText(new Date().toISOString())
		    }) }));
		if (rows.length === 0) {
			root.appendChild(el("p", { id: "setout-empty",
			    text: RG.t("No wagon is set out: the whole train goes.")
			}));
			document.body.setAttribute("data-rendered", "setout");
			return;
		}
		root.appendChild(el("table", { id: "setout-table", class: "setout" },
		    el("thead", null, el("tr", null, [RG.t("Position"),
			RG.t("Wagon"), RG.t("Containers"), RG.t("Action"),
			RG.t("Reasons")].map(function (h) {
			    return el("th", { text: h });
			}))),
		    el("tbody", null, rows.map(function (w) {
			var dw = decisionWagon(d, w.position), reasons = [],
			    conts = [];

			((dw && dw.hits) || []).forEach(function (h) {
				reasons.push(RG.reasonText(h) + " [" + h.rule + "]");
				if (h.subject && h.subject.container &&
				    conts.indexOf(h.subject.container) < 0)
					conts.push(h.subject.container);
			});
			if (w.resolution)
				reasons.push(RG.t("officer: {resolution}",
				    { resolution: w.resolution }));
			return el("tr", { class: "lane-" + LANES[wagonAction(w)] },
			    el("td", { class: "num", text: w.position }),
			    el("td", { text: w.wagon }),
			    el("td", { text: w.containers + (conts.length ? " (" +
				conts.join(", ") + ")" : "") }),
			    el("td", { text: RG.actionText(wagonAction(w)) }),
			    el("td", null, el("ul", null, reasons.map(function (r) {
				return el("li", { text: r });
			    }))));
		    }))));
		root.appendChild(el("p", { class: "signature", text:
		    RG.t("Shunting crew: {line}   Officer: {line}", { line:
		    "______________________" }) }));
		document.body.setAttribute("data-rendered", "setout");
	}

	RG.addRoute(/^train\/([^/]+)\/setout$/, function (m) { openSetout(m[1]); });
})();
