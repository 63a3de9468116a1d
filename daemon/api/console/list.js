/*
 * list.js -- the officer console's train list (#/): the trains with their
 * clearance clocks, polled, the countdowns ticked each second.
 */
"use strict";

(function () {
	var RG = window.RG;
	var LIST_POLL_MS = 3000;
	var state = RG.state, LANES = RG.LANES, SET_OUT = RG.SET_OUT;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, trainKey = RG.trainKey,
	    clockText = RG.clockText, timeText = RG.timeText,
	    routeText = RG.routeText, countdown = RG.countdown,
	    showView = RG.showView, wagonAction = RG.wagonAction;

	function openList() {
		showView("list");
		loadList();
		/* Polled only while pushed changes do not arrive (stream.js). */
		state.listTimer = setInterval(function () {
			if (!RG.streamUp || !RG.streamUp())
				loadList();
		}, LIST_POLL_MS);
		state.tickTimer = setInterval(tickList, 1000);
	}

	function loadList() {
		api("GET", "/v1/trains").then(function (trains) {
			state.trains = trains || [];
			state.fetchedAt = Date.now();
			showError("");
			$("list-status").textContent = RG.t("updated {time}",
			    { time: RG.nowText() });
			renderList();
		}).catch(function (e) {
			$("list-status").textContent = RG.t("update failed");
			showError(RG.t("{error} (retrying)", { error: e.message }));
		});
	}

	function renderList() {
		var tbody = $("trains").tBodies[0];

		clear(tbody);
		state.trains.forEach(function (t) {
			var c = t.counts || {}, cd = countdown(t.clock, state.fetchedAt);

			tbody.appendChild(el("tr", { "data-train": trainKey(t),
			    class: t.green_lane ? "green-lane" : null },
			    el("td", null,
				el("a", { href: "#/train/" + enc(trainKey(t)),
				    class: "train-link" }, t.train),
				t.run > 1 ? el("span", { class: "run",
				    text: " " + RG.t("run {run}", { run: t.run }) }) :
				    null,
				t.green_lane ? el("span", { class: "badge lane-green",
				    title: RG.t("green lane"), text:
				    RG.t("green lane") }) : null),
			    el("td", { text: routeText(t) }),
			    el("td", { text: RG.directionText(t.direction) }),
			    el("td", { text: timeText(t.eta) }),
			    el("td", { class: "num", text: c.wagons }),
			    el("td", { class: "num", text: c.containers }),
			    el("td", { class: "num", text: c.items }),
			    el("td", { text: RG.stateText(t.state) }),
			    el("td", null, t.decision ? el("span", { class:
				"badge decision-" + t.decision, text: t.final ?
				RG.t("{decision} (final)", { decision:
				RG.actionText(t.decision) }) :
				RG.actionText(t.decision) }) : "\u2014"),
			    el("td", { class: "clock " + cd.cls, text: cd.text })));
		});
		$("trains-empty").hidden = state.trains.length > 0;
		document.body.setAttribute("data-rendered", "list");
	}

	function tickList() {
		var rows = $("trains").tBodies[0].rows, i, t, cd, cell;

		for (i = 0; i < rows.length && i < state.trains.length; i++) {
			t = state.trains[i];
			cd = countdown(t.clock, state.fetchedAt);
			cell = rows[i].cells[9];
			cell.textContent = cd.text;
			cell.className = "clock " + cd.cls;
		}
	}

	/* Any pushed change may move the list (stream.js). */
	RG.subscribe(function () {
		if (state.view === "list")
			RG.reloadSoon("list", loadList);
	});

	RG.openList = openList;
})();
