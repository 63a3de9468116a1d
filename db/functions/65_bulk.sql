-- 65_bulk.sql -- several wagons of one train resolved at once with one
-- reason (POST /v1/trains/{id}/wagons/resolution, docs/console.md).
--
-- Each wagon goes through resolve_wagon() (60_officers.sql), the very
-- function one wagon's resolution calls: the same role rules, the same
-- four-eyes proposals, the same audit record per wagon.  All or nothing:
-- the wagons are resolved inside a subtransaction, and when any of them
-- is refused the subtransaction is rolled back and the refusals, each
-- naming its wagon, are the answer.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- The outcome: done (every wagon resolved or, for an override, proposed;
-- proposed when every one was an override), else the refusal's outcome
-- (forbidden before conflict before not_found) with nothing changed.
-- p_wagons holds no duplicates (the daemon refuses them first).
CREATE OR REPLACE FUNCTION resolve_wagons(p_id text, p_wagons text[],
    p_action text, p_reason text, p_principal text, p_role text,
    p_ruleset text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	wn	text;
	r	record;
	done	jsonb := '[]';
	refused	jsonb := '[]';
	ndone	integer := 0;
	worst	text;
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	IF cur.decision IS NULL OR cur.state = 'cancelled' THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Nothing to resolve', 'detail',
		    'train ' || cur.train_no || ' has ' || CASE WHEN cur.state =
		    'cancelled' THEN 'been cancelled' ELSE 'no decision yet' END);
		RETURN;
	END IF;
	BEGIN
		-- Train order; wagons the train does not have first.
		FOR wn IN SELECT x.n FROM unnest(p_wagons) AS x(n)
		    LEFT JOIN wagons w ON w.train_id = cur.id AND w.number = x.n
		    ORDER BY w.position NULLS FIRST, x.n LOOP
			SELECT * INTO r FROM resolve_wagon(cur.train_no || '@' ||
			    cur.run, wn, p_action, p_reason, p_principal, p_role,
			    p_ruleset);
			IF r.outcome IN ('done', 'proposed') THEN
				done := done || jsonb_build_array(r.reply::jsonb ||
				    jsonb_build_object('outcome', r.outcome));
				ndone := ndone + (r.outcome = 'done')::integer;
			ELSE
				refused := refused || jsonb_build_array(
				    jsonb_build_object('wagon', wn, 'outcome',
				    r.outcome, 'title', r.reply->>'title',
				    'detail', r.reply->>'detail'));
				worst := CASE WHEN worst = 'forbidden' OR
				    r.outcome = 'forbidden' THEN 'forbidden'
				    WHEN worst = 'conflict' OR r.outcome =
				    'conflict' THEN 'conflict' ELSE r.outcome END;
			END IF;
		END LOOP;
		IF jsonb_array_length(refused) > 0 THEN
			RAISE EXCEPTION 'railgate: bulk resolution refused';
		END IF;
	EXCEPTION WHEN raise_exception THEN
		IF SQLERRM <> 'railgate: bulk resolution refused' THEN
			RAISE;
		END IF;
		outcome := worst;
		reply := json_build_object('title', 'Wagons refused', 'detail',
		    jsonb_array_length(refused) || ' of ' ||
		    cardinality(p_wagons) || ' wagons refused, nothing changed: '
		    || (SELECT string_agg(x->>'wagon' || ' (' || (x->>'detail') ||
		    ')', '; ') FROM jsonb_array_elements(refused) AS x),
		    'refused', refused);
		RETURN;
	END;
	outcome := CASE WHEN ndone > 0 THEN 'done' ELSE 'proposed' END;
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'action', upper(p_action), 'reason', p_reason, 'count',
	    jsonb_array_length(done), 'resolved', ndone, 'proposed',
	    jsonb_array_length(done) - ndone, 'final', cur.decision_final,
	    'wagons', done);
END
$$;
GRANT EXECUTE ON FUNCTION resolve_wagons(text, text[], text, text, text, text, text) TO railgate_app;
