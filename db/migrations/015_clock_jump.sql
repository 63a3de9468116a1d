-- 015_clock_jump.sql -- the clearance clock counts elapsed time, not the
-- database server's wall clock.
--
-- A train's clock is now() - clock_start, both from the server's wall
-- clock.  When that clock is stepped (an NTP correction, an operator's
-- `date -s`), a daemon sees the server's time move by more than its own
-- monotonic clock did, and calls clock_jump() with the difference: every
-- clock still running moves by the same amount, so the time left is what
-- elapsed time says.  Several daemons see the same jump: the first one
-- to report it shifts the clocks, the others find it already done.
-- Events and the audit chain are ordered by their sequence numbers, never
-- by time, so a jump reorders nothing.

CREATE TABLE clock_jumps (
	id		bigserial PRIMARY KEY,
	observed_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	jump_ms		bigint NOT NULL,	-- server time minus elapsed time
	observed_by	text NOT NULL,
	trains		integer NOT NULL	-- clocks shifted
);

-- Shifts the running clearance clocks by p_jump_ms; returns how many, or
-- -1 when another daemon already reported the same jump (within 2 s of
-- it, in the last minute).
CREATE FUNCTION clock_jump(p_jump_ms bigint, p_by text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer;
BEGIN
	LOCK TABLE clock_jumps IN SHARE ROW EXCLUSIVE MODE;
	IF EXISTS (SELECT FROM clock_jumps
	    WHERE observed_at > clock_timestamp() - interval '60 seconds'
	      AND abs(jump_ms - p_jump_ms) < 2000) THEN
		RETURN -1;
	END IF;
	UPDATE trains SET clock_start = clock_start +
	    make_interval(secs => p_jump_ms / 1000.0)
	WHERE clock_start IS NOT NULL AND NOT decision_final
	  AND state <> 'cancelled';
	GET DIAGNOSTICS n = ROW_COUNT;
	INSERT INTO clock_jumps (jump_ms, observed_by, trains)
	VALUES (p_jump_ms, p_by, n);
	PERFORM audit_append(p_by, 'clock.jump', NULL,
	    json_build_object('jump_ms', p_jump_ms, 'clocks_shifted', n)::text,
	    NULL);
	RETURN n;
END
$$;

GRANT EXECUTE ON FUNCTION clock_jump(bigint, text) TO railgate_app;
GRANT SELECT ON clock_jumps TO railgate_app;
