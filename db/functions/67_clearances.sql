-- 67_clearances.sql -- screening clearances (028_screening_clearances.sql,
-- docs/screening.md "Clearing a false match"): an officer proposes that
-- a party is not a list entry, another person -- a supervisor --
-- confirms or rejects it, a supervisor revokes a confirmed one; the
-- evaluator reads the ones in force.  Every move is audited.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- The trigger of 028: what a clearance says never changes, its state
-- moves forward only, and every move takes a new `changed`.
CREATE OR REPLACE FUNCTION screening_clearance_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'UPDATE' THEN
		RAISE EXCEPTION 'screening clearances are never deleted';
	END IF;
	IF (NEW.list, NEW.entry, NEW.party_name, NEW.party_key,
	    NEW.party_country, NEW.party_id, NEW.reason, NEW.train_id,
	    NEW.hit::text, NEW.ruleset_sha256, NEW.proposed_by,
	    NEW.proposed_role, NEW.proposed_at) IS DISTINCT FROM (OLD.list,
	    OLD.entry, OLD.party_name, OLD.party_key, OLD.party_country,
	    OLD.party_id, OLD.reason, OLD.train_id, OLD.hit::text,
	    OLD.ruleset_sha256, OLD.proposed_by, OLD.proposed_role,
	    OLD.proposed_at) OR NOT ((OLD.state = 'pending' AND NEW.state IN
	    ('confirmed', 'rejected')) OR (OLD.state = 'confirmed' AND
	    NEW.state = 'revoked' AND NEW.decided_at = OLD.decided_at AND
	    NEW.expires_at = OLD.expires_at)) THEN
		RAISE EXCEPTION 'screening clearance %: only its state moves '
		    '(pending to confirmed or rejected, confirmed to revoked)',
		    OLD.id;
	END IF;
	NEW.changed := nextval('screening_clearances_changed');
	RETURN NEW;
END
$$;

-- In force: confirmed, not revoked, not expired (now, the database's
-- clock).
CREATE OR REPLACE FUNCTION screening_clearance_in_force(c screening_clearances)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT c.state = 'confirmed' AND c.expires_at > now()
$$;

-- What identifies the set in force: the last change and the next expiry.
-- The evaluator fetches the set again when this moves.
-- PL/pgSQL, not SQL: asked at every claim (three times a train), and a
-- SQL function that is not inlined (SECURITY DEFINER, SET) is planned
-- again at every call: 0.39 ms a claim (issue 23).
CREATE OR REPLACE FUNCTION screening_clearances_key() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
	RETURN coalesce((SELECT max(changed) FROM screening_clearances), 0) ||
	    ':' || coalesce((SELECT extract(epoch FROM min(expires_at))::text
	    FROM screening_clearances WHERE state = 'confirmed' AND
	    expires_at > now()), '-');
END
$$;

-- The clearances in force as the engine reads them (docs/screening.md),
-- oldest first.
CREATE OR REPLACE FUNCTION screening_clearances_in_force() RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object('id', c.id, 'list', c.list,
	    'entry', c.entry, 'party', json_build_object('name', c.party_name,
	    'country', c.party_country, 'id', c.party_id)) ORDER BY c.id),
	    '[]')
	FROM screening_clearances c
	WHERE c.state = 'confirmed' AND c.expires_at > now()
$$;

-- One clearance for the API.
CREATE OR REPLACE FUNCTION screening_clearance_json(c screening_clearances)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('id', c.id,
	    'list', c.list, 'entry', c.entry, 'party', jsonb_build_object(
		'name', c.party_name, 'country', c.party_country,
		'id', c.party_id),
	    'reason', c.reason,
	    'train', (SELECT t.train_no || '@' || t.run FROM trains t
		WHERE t.id = c.train_id), 'hit', c.hit::jsonb,
	    'proposed_by', c.proposed_by, 'proposed_at',
		api_time(c.proposed_at),
	    'state', c.state, 'in_force', screening_clearance_in_force(c),
	    'expired', c.state = 'confirmed' AND c.expires_at <= now(),
	    'decided_by', c.decided_by, 'decided_at', api_time(c.decided_at),
	    'decided_reason', c.decided_reason,
	    'confirmed_by', CASE WHEN c.state IN ('confirmed', 'revoked')
		THEN c.decided_by END,
	    'expires_at', api_time(c.expires_at),
	    'revoked_by', c.revoked_by, 'revoked_at', api_time(c.revoked_at),
	    'revoked_reason', c.revoked_reason,
	    'path', '/v1/screening/clearances/' || c.id))
$$;

-- The audit record of a move of c by p_by.
CREATE OR REPLACE FUNCTION screening_clearance_audit(c screening_clearances,
    p_action text, p_by text, p_role text, p_reason text, p_ruleset text)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	SELECT audit_append(p_by, p_action, c.train_id, json_build_object(
	    'clearance', c.id, 'list', c.list, 'entry', c.entry, 'party',
	    json_build_object('name', c.party_name, 'country',
	    c.party_country, 'id', c.party_id), 'hit', c.hit,
	    'proposed_by', c.proposed_by, 'proposal_reason', c.reason,
	    'role', p_role, 'reason', p_reason, 'state', c.state,
	    'expires_at', api_time(c.expires_at))::text, p_ruleset)
$$;

-- An officer's proposal that party p_name (folded: p_key) is not entry
-- p_entry of list p_list (the daemon checked both against the rule set
-- in force, p_ruleset), made from a hit of train p_train (NULL: none).
-- The outcome: proposed, not_found (no such train), conflict (the same
-- clearance waits or is in force already).
CREATE OR REPLACE FUNCTION screening_clearance_propose(p_list text,
    p_entry text, p_name text, p_key text, p_country text, p_party_id text,
    p_reason text, p_train text, p_hit json, p_principal text, p_role text,
    p_ruleset text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	tid	bigint;
	other	screening_clearances%ROWTYPE;
	c	screening_clearances%ROWTYPE;
BEGIN
	IF p_train IS NOT NULL THEN
		SELECT f.id INTO tid FROM train_find(p_train) f;
		IF tid IS NULL THEN
			outcome := 'not_found';
			reply := json_build_object('title', 'Not Found',
			    'detail', 'no train ' || p_train);
			RETURN;
		END IF;
	END IF;
	-- One at a time for a party and entry: a second officer's proposal
	-- for the same waits on the first (the lock is the transaction's).
	PERFORM pg_advisory_xact_lock(hashtext('screening_clearance'),
	    hashtext(p_list || E'\n' || p_entry || E'\n' || p_key));
	SELECT * INTO other FROM screening_clearances x WHERE x.list = p_list
	    AND x.entry = p_entry AND x.party_key = p_key AND
	    x.party_country IS NOT DISTINCT FROM p_country AND
	    x.party_id IS NOT DISTINCT FROM p_party_id AND (x.state =
	    'pending' OR screening_clearance_in_force(x))
	ORDER BY x.id LIMIT 1;
	IF FOUND THEN
		outcome := 'conflict';
		reply := json_build_object('title', CASE other.state WHEN
		    'pending' THEN 'Clearance awaiting confirmation' ELSE
		    'Cleared already' END, 'detail', 'clearance ' || other.id ||
		    ' (proposed by ' || other.proposed_by || ') says ''' ||
		    other.party_name || ''' is not ' || p_list || ' entry ''' ||
		    p_entry || ''' already: it is ' || CASE other.state WHEN
		    'pending' THEN 'awaiting a supervisor' ELSE
		    'in force until ' || api_time(other.expires_at) END,
		    'clearance', other.id);
		RETURN;
	END IF;
	INSERT INTO screening_clearances (list, entry, party_name, party_key,
	    party_country, party_id, reason, train_id, hit, ruleset_sha256,
	    proposed_by, proposed_role)
	VALUES (p_list, p_entry, p_name, p_key, p_country, p_party_id,
	    p_reason, tid, p_hit, p_ruleset, p_principal, p_role)
	RETURNING * INTO c;
	PERFORM screening_clearance_audit(c, 'screening_clearance.proposed',
	    p_principal, p_role, p_reason, p_ruleset);
	outcome := 'proposed';
	reply := (screening_clearance_json(c) || jsonb_build_object('detail',
	    'the clearance waits for a supervisor (not ' || p_principal ||
	    ') to confirm it'))::json;
END
$$;
GRANT EXECUTE ON FUNCTION screening_clearance_propose(text, text, text,
    text, text, text, text, text, json, text, text, text) TO railgate_app;

-- A supervisor confirms (p_verb 'confirm', in force for p_days days from
-- now), rejects ('reject') a pending clearance, or revokes ('revoke') a
-- confirmed one.  The proposer never confirms their own (four eyes: the
-- principal, whatever token they use).  The outcome: done, not_found,
-- conflict (not pending, not in force), forbidden (not a supervisor, the
-- proposer), invalid (no reason, an unknown verb).  Nothing changes
-- unless done.
CREATE OR REPLACE FUNCTION screening_clearance_decide(p_id bigint,
    p_verb text, p_reason text, p_principal text, p_role text,
    p_days integer, p_ruleset text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	c	screening_clearances%ROWTYPE;
	what	text;
BEGIN
	IF p_verb NOT IN ('confirm', 'reject', 'revoke') OR p_reason IS NULL OR
	    btrim(p_reason) = '' OR p_days IS NULL OR p_days < 1 THEN
		outcome := 'invalid';
		reply := json_build_object('title', 'Invalid decision',
		    'detail', 'a clearance is confirmed, rejected or revoked, '
		    'with a reason');
		RETURN;
	END IF;
	SELECT * INTO c FROM screening_clearances WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Unknown clearance',
		    'detail', 'there is no screening clearance ' || p_id);
		RETURN;
	END IF;
	what := 'clearance ' || c.id || ' (''' || c.party_name || ''' is not ' ||
	    c.list || ' entry ''' || c.entry || ''')';
	IF p_role IS DISTINCT FROM 'supervisor' THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Supervisor needed',
		    'detail', 'only a supervisor may ' || p_verb || ' ' || what);
		RETURN;
	END IF;
	IF p_verb = 'revoke' THEN
		IF NOT screening_clearance_in_force(c) THEN
			outcome := 'conflict';
			reply := json_build_object('title',
			    'No clearance to revoke', 'detail', what || ' is ' ||
			    CASE WHEN c.state = 'confirmed' THEN 'expired (' ||
			    api_time(c.expires_at) || ')' ELSE c.state ||
			    coalesce(' by ' || coalesce(c.revoked_by,
			    c.decided_by), '') END || ', not in force');
			RETURN;
		END IF;
		UPDATE screening_clearances SET state = 'revoked',
		    revoked_by = p_principal, revoked_at = now(),
		    revoked_reason = p_reason
		WHERE id = c.id RETURNING * INTO c;
		PERFORM screening_clearance_audit(c,
		    'screening_clearance.revoked', p_principal, p_role, p_reason,
		    p_ruleset);
		outcome := 'done';
		reply := screening_clearance_json(c)::json;
		RETURN;
	END IF;
	IF c.state <> 'pending' THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'No clearance to ' || p_verb,
		    'detail', what || ' was ' || c.state || ' by ' ||
		    coalesce(c.revoked_by, c.decided_by) || ' already');
		RETURN;
	END IF;
	IF p_verb = 'confirm' AND p_principal = c.proposed_by THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Four eyes', 'detail',
		    p_principal || ' proposed ' || what || '; another '
		    'supervisor must confirm it');
		RETURN;
	END IF;
	UPDATE screening_clearances SET state = CASE p_verb WHEN 'confirm'
	    THEN 'confirmed' ELSE 'rejected' END, decided_by = p_principal,
	    decided_at = now(), decided_reason = p_reason,
	    expires_at = CASE p_verb WHEN 'confirm' THEN now() +
		make_interval(days => p_days) END
	WHERE id = c.id RETURNING * INTO c;
	PERFORM screening_clearance_audit(c, 'screening_clearance.' || c.state,
	    p_principal, p_role, p_reason, p_ruleset);
	outcome := 'done';
	reply := screening_clearance_json(c)::json;
END
$$;
GRANT EXECUTE ON FUNCTION screening_clearance_decide(bigint, text, text,
    text, text, integer, text) TO railgate_app;

-- The clearances, newest first, filtered: p_state (pending, confirmed,
-- rejected, revoked; 'in_force', 'expired'), p_list, p_party (part of
-- the party's name, any case), p_train (made from a hit of it); at most
-- p_limit.  "mine" when p_principal proposed it.
CREATE OR REPLACE FUNCTION screening_clearances_list(p_state text,
    p_list text, p_party text, p_train text, p_principal text,
    p_limit integer) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(x.j ORDER BY x.id DESC), '[]')
	FROM (SELECT c.id, screening_clearance_json(c) ||
	    jsonb_build_object('mine', c.proposed_by = p_principal) AS j
	    FROM screening_clearances c
	    WHERE (p_state IS NULL OR CASE p_state
		WHEN 'in_force' THEN screening_clearance_in_force(c)
		WHEN 'expired' THEN c.state = 'confirmed' AND
		    c.expires_at <= now()
		ELSE c.state = p_state END)
	      AND (p_list IS NULL OR c.list = p_list)
	      AND (p_party IS NULL OR strpos(lower(c.party_name),
		  lower(p_party)) > 0)
	      AND (p_train IS NULL OR c.train_id = (SELECT f.id FROM
		  train_find(p_train) f))
	    ORDER BY c.id DESC LIMIT p_limit) x
$$;
GRANT EXECUTE ON FUNCTION screening_clearances_list(text, text, text, text,
    text, integer) TO railgate_app;

-- One clearance, NULL when there is none.
CREATE OR REPLACE FUNCTION screening_clearance_get(p_id bigint,
    p_principal text) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT (screening_clearance_json(c) || jsonb_build_object('mine',
	    c.proposed_by = p_principal))::json
	FROM screening_clearances c WHERE c.id = p_id
$$;
GRANT EXECUTE ON FUNCTION screening_clearance_get(bigint, text) TO
    railgate_app;

-- The clearances the latest evaluation of p_train applied (stored with
-- its decision), each as stored -- what the decision was made on -- with
-- who proposed and confirmed it and its state now; [] for none.
CREATE OR REPLACE FUNCTION screening_clearances_applied_view(p_train bigint)
RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(jsonb_strip_nulls(a.obj::jsonb ||
	    jsonb_build_object('proposed_by', c.proposed_by,
	    'confirmed_by', CASE WHEN c.state IN ('confirmed', 'revoked')
		THEN c.decided_by END,
	    'reason', c.reason, 'expires_at', api_time(c.expires_at),
	    'state_now', CASE WHEN c.id IS NULL THEN NULL WHEN
		screening_clearance_in_force(c) THEN 'in_force' WHEN c.state =
		'confirmed' THEN 'expired' ELSE c.state END,
	    'path', '/v1/screening/clearances/' || (a.obj->>'id'))) ORDER BY
	    a.n), '[]')
	FROM (SELECT d.clearances FROM decisions d WHERE d.train_id = p_train
	    AND NOT d.final ORDER BY d.id DESC LIMIT 1) d
	CROSS JOIN LATERAL json_array_elements(CASE WHEN
	    json_typeof(d.clearances) = 'array' THEN d.clearances ELSE '[]'
	    END) WITH ORDINALITY AS a(obj, n)
	LEFT JOIN screening_clearances c ON c.id::text = a.obj->>'id'
$$;
GRANT EXECUTE ON FUNCTION screening_clearances_applied_view(bigint) TO
    railgate_app;
