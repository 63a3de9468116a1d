-- 009_client_certs.sql -- an operator may require a client certificate:
-- the subscription names the certificate and key files (PEM, on the
-- daemon's host) to present on its https:// endpoint.

ALTER TABLE subscriptions ADD COLUMN client_cert text, ADD COLUMN client_key text;

DROP FUNCTION claim_notices(text, integer, integer);
CREATE FUNCTION claim_notices(p_owner text, p_n integer, p_lease_s integer)
RETURNS TABLE (id text, format text, follow_up_of text, body bytea,
    attempts integer, url text, secret text, recipient text,
    subscription text, train_no text, decision json, created_at bigint,
    client_cert text, client_key text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	RETURN QUERY
	WITH claimed AS (
		UPDATE notices n SET lease_owner = p_owner,
		    lease_until = now() + make_interval(secs => p_lease_s)
		WHERE n.id IN (
			SELECT x.id FROM notices x
			WHERE x.state = 'pending' AND x.next_at <= now()
			  AND (x.lease_until IS NULL OR x.lease_until < now())
			ORDER BY x.next_at, x.id
			LIMIT p_n FOR UPDATE SKIP LOCKED)
		RETURNING n.*)
	SELECT c.id, c.format, c.follow_up_of, c.body, c.attempts, s.url,
	    s.secret, s.recipient, s.name, t.train_no, d.document,
	    extract(epoch FROM c.created_at)::bigint, s.client_cert, s.client_key
	FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id
	JOIN trains t ON t.id = c.train_id JOIN decisions d ON d.id = c.decision_id;
END
$$;

DROP FUNCTION subscription_put(text, text, text[], text, text, boolean, text);
CREATE FUNCTION subscription_put(p_name text, p_url text, p_formats text[],
    p_secret text, p_recipient text, p_enabled boolean, p_principal text,
    p_client_cert text, p_client_key text)
RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	r	subscriptions%ROWTYPE;
BEGIN
	INSERT INTO subscriptions (name, url, formats, secret, recipient, enabled,
	    client_cert, client_key)
	VALUES (p_name, p_url, p_formats, p_secret, p_recipient, p_enabled,
	    p_client_cert, p_client_key)
	ON CONFLICT (name) DO UPDATE SET url = excluded.url,
	    formats = excluded.formats, secret = excluded.secret,
	    recipient = excluded.recipient, enabled = excluded.enabled,
	    client_cert = excluded.client_cert, client_key = excluded.client_key
	RETURNING * INTO r;
	PERFORM audit_append(p_principal, 'subscription.put', NULL,
	    json_build_object('name', p_name, 'url', p_url, 'formats',
	    p_formats, 'enabled', p_enabled, 'client_cert',
	    p_client_cert)::text, NULL);
	RETURN json_build_object('name', r.name, 'url', r.url, 'formats',
	    r.formats, 'recipient', r.recipient, 'enabled', r.enabled,
	    'client_cert', r.client_cert);
END
$$;

GRANT EXECUTE ON FUNCTION claim_notices(text, integer, integer),
    subscription_put(text, text, text[], text, text, boolean, text, text,
    text) TO railgate_app;
