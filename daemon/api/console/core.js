/*
 * core.js -- the officer console's shared core: the RG namespace every
 * other console file reads (state, the element helper, the API call,
 * the views and the router), the login form and the start-up.  Page
 * files (list.js, train.js, setout.js, parcels.js) register their routes with
 * RG.addRoute and export what another page needs on RG.
 *
 * Every text from the API goes into the page through textContent (the
 * el() helper): nothing from a manifest is ever parsed as HTML.
 *
 * Signing in: an officer gives a name and a password (POST /v1/session);
 * the daemon answers with an HttpOnly session cookie, which the browser
 * sends with every call from then on -- in every tab, since the script
 * never sees it.  RG.me is GET /v1/session's answer (who, which role,
 * which language), asked at page load: a tab opened later is signed in
 * already.  Machines and tests may still give a bearer token ("use a
 * token"): it lives in sessionStorage (this tab only) and goes with each
 * call as Authorization, the cookie then not sent (credentials "omit":
 * the daemon refuses both at once).  A 401 shows the sign-in form.
 */
"use strict";

(function () {
	var RG = window.RG = window.RG || {};
	var TOKEN_KEY = "railgate.token";
	var LANES = RG.LANES = {
		RELEASE: "green", AUDIT: "blue", DOC_CHECK: "yellow",
		INSPECT: "red", HOLD: "held", REFUSE: "refused"
	};
	var SET_OUT = RG.SET_OUT = { INSPECT: true, HOLD: true, REFUSE: true };

	var state = RG.state = {
		view: null,		/* "list", "train", "setout" */
		trainId: null,
		listTimer: null,
		trainTimer: null,
		tickTimer: null,
		trains: [],
		fetchedAt: 0,
		train: null,		/* the loaded train page's data */
		rulesets: {},		/* sha256 -> its files, once fetched */
		selected: null		/* position of the opened wagon */
	};

	function $(id) { return document.getElementById(id); }

	/* An element with attributes and children (strings become text nodes). */
	function el(tag, attrs) {
		var e = document.createElement(tag), k, i, c;

		for (k in attrs || {}) {
			if (!Object.prototype.hasOwnProperty.call(attrs, k) ||
			    attrs[k] === null || attrs[k] === undefined ||
			    attrs[k] === false)
				continue;
			if (k === "text")
				e.textContent = String(attrs[k]);
			else if (k === "onclick" || k === "onsubmit" ||
			    k === "onchange")
				e.addEventListener(k.slice(2), attrs[k]);
			else
				e.setAttribute(k, attrs[k] === true ? "" :
				    String(attrs[k]));
		}
		for (i = 2; i < arguments.length; i++) {
			c = arguments[i];
			if (c === null || c === undefined)
				continue;
			if (Array.isArray(c))
				c.forEach(function (x) { if (x) e.appendChild(x); });
			else
				e.appendChild(typeof c === "object" ? c :
				    document.createTextNode(String(c)));
		}
		return e;
	}

	function clear(node) {
		while (node.firstChild)
			node.removeChild(node.firstChild);
	}

	function token() { return sessionStorage.getItem(TOKEN_KEY); }

	function showError(msg) {
		var e = $("error");

		e.textContent = msg;
		e.hidden = !msg;
	}

	/*
	 * One API call: resolves with the parsed JSON, rejects with an Error
	 * whose message is the problem document's title and detail.
	 */
	function api(method, path, body) {
		var opts = {
			method: method,
			headers: {},
			cache: "no-store",
			credentials: token() ? "omit" : "same-origin"
		};

		if (token())
			opts.headers["Authorization"] = "Bearer " + token();

		if (body !== undefined) {
			opts.headers["Content-Type"] = "application/json";
			opts.body = JSON.stringify(body);
		}
		return fetch(path, opts).then(function (r) {
			return r.text().then(function (text) {
				var j = null, msg;

				try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
				if (r.ok)
					return j;
				msg = RG.t("{method} {path}: {status}", { method:
				    method, path: path, status: r.status });
				if (j && j.title)
					msg += " " + j.title;
				if (j && j.detail)
					msg += ": " + j.detail;
				var err = new Error(msg);
				err.status = r.status;
				if (r.status === 401 && path !== "/v1/session")
					signedOut(token() ?
					    RG.t("The token was refused (401): sign in again.") :
					    RG.t("Your session has ended (401): sign in again."));
				throw err;
			});
		});
	}

	function enc(s) { return encodeURIComponent(s); }

	function trainKey(t) { return t.train + "@" + t.run; }

	/* "12:05", "-3:10" for seconds. */
	function clockText(s) {
		var neg = s < 0, a = Math.abs(Math.floor(s)), m = Math.floor(a / 60),
		    r = a % 60;

		return (neg ? "-" : "") + m + ":" + (r < 10 ? "0" : "") + r;
	}

	/* An API time in the station's time zone (i18n.js). */
	var timeText = RG.timeText;

	/* An action or outcome code ("RELEASE") as the officer reads it. */
	function actionText(code) {
		var names = {
			RELEASE: RG.t("RELEASE"), AUDIT: RG.t("AUDIT"),
			DOC_CHECK: RG.t("DOC_CHECK"), INSPECT: RG.t("INSPECT"),
			HOLD: RG.t("HOLD"), REFUSE: RG.t("REFUSE"),
			PARTIAL_RELEASE: RG.t("PARTIAL_RELEASE")
		};

		return Object.prototype.hasOwnProperty.call(names, code) ?
		    names[code] : String(code);
	}

	/* A train's direction ("import") as the officer reads it. */
	function directionText(d) {
		var names = {
			"import": RG.t("import"), "export": RG.t("export"),
			transit: RG.t("transit")
		};

		return Object.prototype.hasOwnProperty.call(names, d) ?
		    names[d] : String(d || "");
	}

	/* A train's state ("evaluated") as the officer reads it. */
	function stateText(st) {
		var names = {
			announced: RG.t("announced"), received: RG.t("received"),
			evaluated: RG.t("evaluated"),
			approaching: RG.t("approaching"), arrived: RG.t("arrived"),
			released: RG.t("released"),
			partially_released: RG.t("partially released"),
			held: RG.t("held"), cancelled: RG.t("cancelled")
		};

		return Object.prototype.hasOwnProperty.call(names, st) ?
		    names[st] : String(st || "");
	}

	function routeText(t) {
		return (t.departure_station || "?") + " \u2192 " +
		    (t.destination_station || "?");
	}

	/* The countdown cell's text and class, as of now. */
	function countdown(clock, fetchedAt) {
		var rem, flag;

		if (!clock || !clock.started)
			return { text: RG.t("not started (target {target})", {
			    target: clockText(clock ? clock.target_s : 0) }),
			    cls: "clock-none" };
		if (clock.flag === "done")
			return { text: RG.t("done in {time}", {
			    time: clockText(clock.elapsed_s) }), cls: "clock-done" };
		rem = clock.remaining_s - (Date.now() - fetchedAt) / 1000;
		flag = RG.clockFlag ? RG.clockFlag(clock, rem) : clock.flag;
		return { text: rem > 0 ? RG.t("{time} left", { time:
		    clockText(rem) }) : RG.t("{time} over target", { time:
		    clockText(-rem) }), cls: "clock-" + flag };
	}

	/* ---- signing in ---- */

	/* Forgets who was signed in and shows the sign-in form with msg. */
	function signedOut(msg) {
		sessionStorage.removeItem(TOKEN_KEY);
		RG.me = null;
		stopTimers();
		showView("login");
		showError(msg || "");
	}

	/* Sign out: the session ends on the daemon (a token is just forgotten). */
	function logout(msg) {
		var done = function () {
			signedOut(msg || RG.t("Signed out."));
		};

		if (RG.me && RG.me.auth === "session" && !token())
			api("DELETE", "/v1/session").then(done, done);
		else
			done();
	}

	/* Who is signed in, from the daemon: RG.me, the bar, the language. */
	function whoAmI() {
		return api("GET", "/v1/session").then(function (me) {
			RG.me = me;	/* i18n.js applies its language */
			return me;
		});
	}

	/*
	 * Stores the signed-in officer's language (null: the browser's) with
	 * PUT /v1/session/language; resolves with the new RG.me.  A token
	 * has no session to store it in (409): the language then changes in
	 * this page only.
	 */
	RG.saveLanguage = function (lang) {
		if (!RG.me || RG.me.auth !== "session" || token()) {
			if (RG.me)
				RG.me.language = lang || RG.me.language;
			if (lang && RG.setLanguage)
				RG.setLanguage(lang);
			return Promise.resolve(RG.me);
		}
		return api("PUT", "/v1/session/language", { language: lang }).then(
		    function (me) {
			RG.me = me;	/* i18n.js applies its language */
			return me;
		});
	};

	/* A name and a password: POST /v1/session sets the cookie. */
	function signIn(name, password) {
		sessionStorage.removeItem(TOKEN_KEY);
		return fetch("/v1/session", {
			method: "POST", cache: "no-store", credentials: "same-origin",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ name: name, password: password })
		}).then(function (r) {
			return r.text().then(function (text) {
				var j = null;

				try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
				if (r.ok)
					return j;
				throw new Error(r.status === 429 ?
				    RG.t("Too many failed sign-ins: wait a few minutes and try again.") :
				    r.status === 401 ?
				    RG.t("The name or the password is wrong.") :
				    RG.t("Sign-in refused ({status}).", { status: r.status }));
			});
		});
	}

	function login(ev) {
		var useToken = ev.submitter && ev.submitter.id === "login-submit",
		    t = $("token").value.trim(), name = $("signin-name").value.trim(),
		    pw = $("signin-password").value, p;

		ev.preventDefault();
		showError("");
		if (useToken) {
			if (!t)
				return;
			sessionStorage.setItem(TOKEN_KEY, t);
			$("token").value = "";
			p = whoAmI();
		} else {
			if (!name || !pw) {
				showError(RG.t("Give your name and your password."));
				return;
			}
			p = signIn(name, pw).then(function (me) {
				$("signin-password").value = "";
				RG.me = me;	/* i18n.js applies its language */
				return me;
			});
		}
		p.then(function () {
			route();
		}).catch(function (e) {
			if (useToken && e.status === 401)
				signedOut(RG.t("The token was refused (401): sign in again."));
			else
				showError(e.message);
		});
	}

	/* ---- views ---- */

	function stopTimers() {
		clearInterval(state.listTimer);
		clearInterval(state.trainTimer);
		clearInterval(state.tickTimer);
		state.listTimer = state.trainTimer = state.tickTimer = null;
	}

	function showView(name) {
		["login", "list", "train", "setout", "wagon", "search",
		    "parcels"].forEach(function (v) {
			$(v).hidden = v !== name;
		});
		state.view = name;
		$("logout").hidden = name === "login";
		$("who").textContent = name === "login" || !RG.me ? "" :
		    RG.t("{name} ({role})", { name: RG.me.name,
		    role: RG.word ? RG.word(RG.me.role) : RG.me.role });
		document.body.setAttribute("data-view", name);
	}

	/*
	 * Who is signed in: GET /v1/session's answer ({principal, role,
	 * ...}), or null while unknown -- then every control shows and the
	 * API refuses what the role may not do.
	 */
	RG.me = null;

	/* True when the signed-in role is one of roles (or still unknown). */
	RG.hasRole = function (roles) {
		return !RG.me || roles.indexOf(RG.me.role) >= 0;
	};

	/*
	 * fn(message) for each change the daemon pushes (stream.js: one
	 * message per audit record, {seq, action, train, run, actor, at});
	 * until the stream is up, pages poll.
	 */
	var listeners = [];
	RG.subscribe = function (fn) { listeners.push(fn); };
	RG.publish = function (msg) {
		listeners.forEach(function (fn) { fn(msg); });
	};

	var routes = [];

	/* A page's route: fn(match) opens it when the hash matches re. */
	RG.addRoute = function (re, fn) { routes.push({ re: re, fn: fn }); };

	function route() {
		var h = decodeURIComponent(location.hash.replace(/^#\/?/, "")),
		    i, m;

		stopTimers();
		document.body.removeAttribute("data-rendered");
		if (!RG.me) {
			/* A cookie from another tab, or a token of this one. */
			whoAmI().then(function () {
				route();
			}).catch(function (e) {
				signedOut(e.status === 401 ? "" : e.message);
			});
			return;
		}
		RG.loadStation();
		for (i = 0; i < routes.length; i++)
			if ((m = routes[i].re.exec(h)) !== null) {
				routes[i].fn(m);
				return;
			}
		RG.openList();
	}

	/* What a wagon's action is now: an officer's resolution, else the decision. */
	function wagonAction(w) {
		return w.resolution ? String(w.resolution).toUpperCase() : w.action;
	}

	RG.$ = $;
	RG.el = el;
	RG.clear = clear;
	RG.token = token;
	RG.showError = showError;
	RG.api = api;
	RG.enc = enc;
	RG.trainKey = trainKey;
	RG.clockText = clockText;
	RG.actionText = actionText;
	RG.stateText = stateText;
	RG.directionText = directionText;
	RG.routeText = routeText;
	RG.countdown = countdown;
	RG.stopTimers = stopTimers;
	RG.showView = showView;
	RG.route = route;
	RG.logout = logout;
	RG.wagonAction = wagonAction;

	document.addEventListener("DOMContentLoaded", function () {
		$("login-form").addEventListener("submit", login);
		$("logout").addEventListener("click", function () {
			logout();
		});
		window.addEventListener("hashchange", route);
		route();
	});
})();
