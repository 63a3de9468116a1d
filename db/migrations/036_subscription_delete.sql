-- 036_subscription_delete.sql -- subscriptions listed and deleted by an
-- admin (issue 21, item 6; docs/notices.md "Managing subscriptions").
--
-- A deleted subscription stays as a row, disabled, with who deleted it
-- and when, and its sealed secret destroyed: the notices it was sent
-- (delivered, dead, abandoned) keep naming it in GET
-- /v1/trains/{id}/notices, and the audit log says who deleted it.  Its
-- name is free again: only the subscriptions not deleted have unique
-- names.  Notices of a deleted subscription that were still to deliver
-- are 'abandoned' (a state of notices, beside pending, delivered and
-- dead), with the reason in last_error (db/functions/72_subscriptions.sql).

ALTER TABLE subscriptions ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_by text;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_name_key;
CREATE UNIQUE INDEX subscriptions_live_name_idx ON subscriptions (name)
    WHERE deleted_at IS NULL;
