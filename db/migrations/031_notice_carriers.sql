-- 031_notice_carriers.sql -- a railway operator hears of its own trains
-- only, learns its set-out list before the train arrives, and its
-- webhook secret is no longer readable in the database (issue 20, items
-- 1, 2 and 5).
--
-- A subscription is bound to carrier identifiers (trains.carrier_id,
-- 029): its release and provisional notices are those of its carriers'
-- trains only.  Fail closed: a subscription bound to none receives no
-- notice of any train.  Subscriptions that exist when this migration runs
-- are bound to none -- a station that had one subscription per railway
-- cannot be told apart from one where every railway heard of every train,
-- which is what this issue closes -- so the daemon warns at every start,
-- per subscription, until an admin binds it (docs/notices.md "Carriers").
-- The duty endpoint's alerts (format "duty", 022) are customs-internal:
-- not a carrier's, and unchanged.
--
-- A provisional notice (format 'provisional' in notices, sent as a JSON
-- webhook to a subscription listing "json") carries its set-out list in
-- set_out, fixed when queued; the next one is queued only when the list
-- differs from the last one sent to that subscription for that run
-- (set_out_sha256).
--
-- secret holds "v1:<key id>:<base64 nonce||ciphertext||tag>" (AES-256-GCM
-- under the station's notice key, sealed and opened by the daemon only);
-- rows in clear are sealed by the daemon at its next start.

ALTER TABLE subscriptions ADD COLUMN carriers text[] NOT NULL DEFAULT '{}';
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_carriers_check CHECK
    (array_to_string(carriers, ',') ~
    '^([A-Za-z0-9._:/-]{1,35}(,[A-Za-z0-9._:/-]{1,35})*)?$');
-- The one lookup of the hot path (store_decision): this carrier's
-- subscriptions.
CREATE INDEX subscriptions_carriers_idx ON subscriptions USING gin (carriers);

ALTER TABLE notices ADD COLUMN set_out json;
ALTER TABLE notices ADD COLUMN set_out_sha256 text;
ALTER TABLE notices DROP CONSTRAINT notices_decision_or_alert;
ALTER TABLE notices ADD CONSTRAINT notices_decision_or_alert
    CHECK (num_nonnulls(decision_id, alert, set_out) = 1);
CREATE INDEX notices_provisional_idx ON notices
    (train_id, subscription_id, created_at) WHERE format = 'provisional';
