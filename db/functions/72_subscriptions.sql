-- 72_subscriptions.sql -- an admin lists, reads and deletes the
-- subscriptions release notices go to (issue 21, item 6; migration 036;
-- docs/notices.md "Managing subscriptions").  subscription_put() is in
-- 70_notices.sql.  No answer here ever holds a secret, sealed or not.

-- A subscription as the API shows it: never its secret; with the notices
-- still to deliver to it.
CREATE OR REPLACE FUNCTION subscription_json(s subscriptions)
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('name', s.name, 'url', s.url,
	    'formats', s.formats, 'carriers', s.carriers,
	    'recipient', s.recipient, 'client_cert', s.client_cert,
	    'state', CASE WHEN s.enabled THEN 'enabled' ELSE 'disabled' END,
	    'created_at', to_char(s.created_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'pending', (SELECT count(*) FROM notices n
		WHERE n.subscription_id = s.id AND n.state = 'pending'));
$$;

-- Every subscription not deleted, by name.
CREATE OR REPLACE FUNCTION subscriptions_list()
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('subscriptions',
	    coalesce(json_agg(subscription_json(s) ORDER BY s.name), '[]'))
	FROM subscriptions s WHERE s.deleted_at IS NULL;
$$;
GRANT EXECUTE ON FUNCTION subscriptions_list() TO railgate_app;

-- One subscription not deleted; NULL when there is none of that name.
CREATE OR REPLACE FUNCTION subscription_get(p_name text)
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT subscription_json(s) FROM subscriptions s
	WHERE s.name = p_name AND s.deleted_at IS NULL;
$$;
GRANT EXECUTE ON FUNCTION subscription_get(text) TO railgate_app;

-- An admin deletes a subscription.  Fail closed and visible: while
-- notices are still to deliver to it the delete is refused (conflict,
-- naming how many) unless p_force, which abandons them -- each 'abandoned'
-- with the reason in last_error, shown by GET /v1/trains/{id}/notices --
-- and records their ids in the audit record.  The row stays (its notices
-- name it), disabled, its sealed secret destroyed.  A notice leased by a
-- dispatcher keeps its lease: its request may be in flight, and what the
-- endpoint answers is still recorded (notice_attempted()).
-- The outcome (docs/storage.md): done, not_found, conflict.
CREATE OR REPLACE FUNCTION subscription_delete(p_name text, p_force boolean,
    p_principal text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	s		subscriptions%ROWTYPE;
	pending		integer;
	abandoned	text[];
	why		text;
BEGIN
	-- FOR UPDATE: a notice being queued for it waits (the foreign key's
	-- lock), and then sees it deleted (notice_of_deleted() below).
	SELECT * INTO s FROM subscriptions
	WHERE name = p_name AND deleted_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no subscription ' || p_name);
		RETURN;
	END IF;
	SELECT count(*) INTO pending FROM notices
	WHERE subscription_id = s.id AND state = 'pending';
	IF pending > 0 AND NOT p_force THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Notices pending',
		    'detail', format('subscription %s has %s notice(s) still to '
		    'deliver; deliver them first, or delete with ?force=1 to '
		    'abandon them (each then shows state abandoned in GET '
		    '/v1/trains/{id}/notices)', p_name, pending),
		    'pending', pending);
		RETURN;
	END IF;
	why := format('abandoned: subscription %s deleted by %s at %s', p_name,
	    p_principal, to_char(now() AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
	WITH a AS (
		UPDATE notices SET state = 'abandoned', last_error = why
		WHERE subscription_id = s.id AND state = 'pending'
		RETURNING id)
	SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO abandoned FROM a;
	UPDATE subscriptions SET deleted_at = now(), deleted_by = p_principal,
	    enabled = false, secret = 'destroyed'
	WHERE id = s.id;
	PERFORM audit_append(p_principal, 'subscription.delete', NULL,
	    json_build_object('name', p_name, 'url', s.url, 'formats',
	    s.formats, 'carriers', s.carriers, 'force', p_force,
	    'abandoned', abandoned)::text, NULL);
	outcome := 'done';
	reply := json_build_object('name', p_name, 'deleted', true,
	    'abandoned', cardinality(abandoned));
END
$$;
GRANT EXECUTE ON FUNCTION subscription_delete(text, boolean, text) TO railgate_app;

-- A notice queued for a subscription deleted meanwhile (its decision's
-- transaction read the subscription before the delete committed) is
-- abandoned as it is inserted, never left pending for nobody.  FOR KEY
-- SHARE waits for a delete in progress and then reads the row it left.
CREATE OR REPLACE FUNCTION notice_of_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	s	subscriptions%ROWTYPE;
BEGIN
	SELECT * INTO s FROM subscriptions WHERE id = NEW.subscription_id
	FOR KEY SHARE;
	IF FOUND AND s.deleted_at IS NOT NULL AND NEW.state = 'pending' THEN
		NEW.state := 'abandoned';
		NEW.last_error := format('abandoned: subscription %s deleted by '
		    '%s at %s', s.name, s.deleted_by, to_char(s.deleted_at
		    AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS notices_of_deleted ON notices;
CREATE TRIGGER notices_of_deleted BEFORE INSERT ON notices
	FOR EACH ROW EXECUTE FUNCTION notice_of_deleted();
