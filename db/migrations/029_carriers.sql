-- 029_carriers.sql -- railway operators see their own trains only
-- (issue 20, item 1).
--
-- A train run belongs to the carrier its manifest names (model.md
-- train.carrier.id: NAD+CA in EDIFACT, <Carrier><ID> in XML), kept here
-- at ingest so that an operator's reads are one indexed comparison.  A
-- manifest without a carrier identifier belongs to no carrier: no
-- operator sees it (fail closed), officers and auditors do.
--
-- An operator token is bound to one or more carrier identifiers
-- (railgate token create --carrier ID, repeatable); a token of another
-- role has none.  An operator token bound to none reads nothing.

ALTER TABLE trains ADD COLUMN carrier_id text;
UPDATE trains t SET carrier_id = p.party_id
FROM search_parties p
WHERE p.train_id = t.id AND p.role = 'carrier' AND p.party_id IS NOT NULL;
CREATE INDEX trains_carrier_idx ON trains (carrier_id, id)
    WHERE carrier_id IS NOT NULL;

ALTER TABLE tokens ADD COLUMN carriers text[] NOT NULL DEFAULT '{}';
-- Identifiers a token may name: what a carrier id looks like in practice
-- (KZ-KTZE, CN-CRCT), nothing that needs quoting in an array literal.
ALTER TABLE tokens ADD CONSTRAINT tokens_carriers_check CHECK
    (array_to_string(carriers, ',') ~
    '^([A-Za-z0-9._:/-]{1,35}(,[A-Za-z0-9._:/-]{1,35})*)?$');
