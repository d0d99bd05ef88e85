-- fieldvisit's PostgreSQL schema 2, as `create_schema` made it before schema 3 (frozen for
-- tests/test_register_postgres.py, which upgrades it with `fieldvisit office init-db`).
CREATE TABLE IF NOT EXISTS fv_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS fv_meta (id smallint PRIMARY KEY CHECK (id = 1), doc jsonb NOT NULL);
INSERT INTO fv_meta (id, doc) VALUES (1, '{}') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS fv_clock (actor text PRIMARY KEY, clock text COLLATE "C" NOT NULL);
CREATE TABLE IF NOT EXISTS fv_records (
    tbl text NOT NULL,
    id text NOT NULL,
    doc jsonb NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    changed_by text NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL DEFAULT now(),
    status text GENERATED ALWAYS AS ((doc #>> '{fields,status,value}')) STORED,
    category text GENERATED ALWAYS AS ((doc #>> '{fields,category,value}')) STORED,
    visit_id text GENERATED ALWAYS AS ((doc #>> '{fields,visit_id,value}')) STORED,
    site text GENERATED ALWAYS AS ((doc #>> '{fields,site,value}')) STORED,
    device text GENERATED ALWAYS AS (coalesce((doc #>> '{fields,device,value}'), doc ->> 'device_id')) STORED,
    ref text GENERATED ALWAYS AS ((doc #>> '{fields,ref,value}')) STORED,
    raised_at text GENERATED ALWAYS AS ((doc #>> '{fields,raised_at,value}')) STORED,
    registered_at text GENERATED ALWAYS AS ((doc #>> '{fields,registered_at,value}')) STORED,
    accepted_at text GENERATED ALWAYS AS ((doc #>> '{fields,accepted_at,value}')) STORED,
    replied_at text GENERATED ALWAYS AS ((doc #>> '{fields,replied_at,value}')) STORED,
    closed_at text GENERATED ALWAYS AS ((doc #>> '{fields,closed_at,value}')) STORED,
    flags text[] GENERATED ALWAYS AS (array_remove(ARRAY[CASE WHEN (doc #>> '{fields,safety_hazard,value}') = 'true' THEN 'safety_hazard' END, CASE WHEN (doc #>> '{fields,repeat,value}') = 'true' THEN 'repeat' END, CASE WHEN (doc #>> '{fields,skip_level,value}') = 'true' THEN 'skip_level' END, CASE WHEN (doc #>> '{fields,collective,value}') = 'true' THEN 'collective' END, CASE WHEN (doc #>> '{fields,vulnerable,value}') = 'true' THEN 'vulnerable' END, CASE WHEN (doc #>> '{fields,legacy,value}') = 'true' THEN 'legacy' END, CASE WHEN (doc #>> '{fields,latent_risk,value}') = 'true' THEN 'latent_risk' END]::text[], NULL)) STORED,
    conflicts integer GENERATED ALWAYS AS (jsonb_array_length(coalesce(doc -> 'conflicts', '[]'::jsonb))) STORED,
    search text GENERATED ALWAYS AS (lower(coalesce((doc #>> '{fields,ref,value}'), '') || E'\n' || coalesce((doc #>> '{fields,title,value}'), '') || E'\n' || coalesce((doc #>> '{fields,detail,value}'), '') || E'\n' || coalesce((doc #>> '{fields,demand,value}'), '') || E'\n' || coalesce((doc #>> '{fields,onsite_answer,value}'), '') || E'\n' || coalesce((doc #>> '{fields,commitment,value}'), '') || E'\n' || coalesce((doc #>> '{fields,petitioner_name,value}'), '') || E'\n' || coalesce((doc #>> '{fields,employee_no,value}'), '') || E'\n' || coalesce((doc #>> '{fields,unit,value}'), '') || E'\n' || coalesce((doc #>> '{fields,phone,value}'), '') || E'\n' || coalesce((doc #>> '{fields,department,value}'), '') || E'\n' || coalesce((doc #>> '{fields,first_owner,value}'), ''))) STORED,
    grams bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tbl, id)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE fv_records ALTER COLUMN grams SET STATISTICS 1000;
DROP INDEX IF EXISTS fv_records_search;
DROP INDEX IF EXISTS fv_records_status;
DROP INDEX IF EXISTS fv_records_category;
DROP INDEX IF EXISTS fv_records_ref;
DROP INDEX IF EXISTS fv_records_raised_at;
DROP INDEX IF EXISTS fv_records_registered_at;
DROP INDEX IF EXISTS fv_records_accepted_at;
CREATE INDEX IF NOT EXISTS fv_records_by_raised_at ON fv_records (tbl, raised_at, id);
CREATE INDEX IF NOT EXISTS fv_records_by_ref ON fv_records (tbl, ref, id);
CREATE INDEX IF NOT EXISTS fv_records_by_status ON fv_records (tbl, status, id);
CREATE INDEX IF NOT EXISTS fv_records_by_category ON fv_records (tbl, category, id);
CREATE INDEX IF NOT EXISTS fv_records_by_accepted_at ON fv_records (tbl, accepted_at, id);
CREATE INDEX IF NOT EXISTS fv_records_by_registered_at ON fv_records (tbl, registered_at, id);
CREATE INDEX IF NOT EXISTS fv_records_visit_id ON fv_records (tbl, visit_id);
CREATE INDEX IF NOT EXISTS fv_records_site ON fv_records (tbl, site);
CREATE INDEX IF NOT EXISTS fv_records_device ON fv_records (tbl, device);
CREATE INDEX IF NOT EXISTS fv_records_replied_at ON fv_records (tbl, replied_at);
CREATE INDEX IF NOT EXISTS fv_records_closed_at ON fv_records (tbl, closed_at);
CREATE INDEX IF NOT EXISTS fv_records_flags ON fv_records USING gin (flags);
CREATE INDEX IF NOT EXISTS fv_records_grams ON fv_records USING gin (grams);
CREATE INDEX IF NOT EXISTS fv_records_conflicts ON fv_records (tbl) WHERE conflicts > 0;
CREATE OR REPLACE FUNCTION fv_conflict(p_tbl text, p_id text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    changed record;
BEGIN
    SELECT r.changed_by, r.changed_at, r.ref INTO changed FROM fv_records AS r WHERE r.tbl = p_tbl AND r.id = p_id;
    RAISE EXCEPTION USING ERRCODE = 'FV409', MESSAGE = 'fieldvisit: a record changed since it was read',
        DETAIL = json_build_object('table', p_tbl, 'id', p_id, 'by', changed.changed_by, 'at', changed.changed_at, 'ref', changed.ref)::text;
END
$fn$;

CREATE OR REPLACE FUNCTION fv_write(
    p_actor text, p_tbl text[], p_id text[], p_doc text[], p_grams text[], p_expected bigint[],
    p_meta jsonb, p_clock text, p_notes text[]
) RETURNS TABLE (w_tbl text, w_id text, w_version bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    s_tbl text[];
    s_id text[];
    s_version bigint[];
    lost record;
    note text;
BEGIN
    -- read with a version: saved only if the row still has it
    WITH v AS (
        SELECT * FROM unnest(p_tbl, p_id, p_doc, p_grams, p_expected) AS v(tbl, id, doc, grams, expected) WHERE v.expected > 0
    ), saved AS (
        -- grams unchanged are kept as stored (their bytes the same): the update can then stay on
        -- its page without touching an index (HOT), as a step that adds feedback does
        UPDATE fv_records AS r SET doc = v.doc::jsonb, version = r.version + 1,
            grams = CASE WHEN r.grams = v.grams::bigint[] THEN r.grams ELSE v.grams::bigint[] END,
            changed_by = p_actor, changed_at = now()
        FROM v WHERE r.tbl = v.tbl AND r.id = v.id AND r.version = v.expected
        RETURNING r.tbl, r.id, r.version
    )
    SELECT coalesce(array_agg(saved.tbl), '{}'), coalesce(array_agg(saved.id), '{}'), coalesce(array_agg(saved.version), '{}')
        INTO s_tbl, s_id, s_version FROM saved;
    -- read as absent: saved only if still absent
    WITH v AS (
        SELECT * FROM unnest(p_tbl, p_id, p_doc, p_grams, p_expected) AS v(tbl, id, doc, grams, expected) WHERE v.expected = 0
    ), saved AS (
        INSERT INTO fv_records AS r (tbl, id, doc, grams, changed_by)
        SELECT v.tbl, v.id, v.doc::jsonb, v.grams::bigint[], p_actor FROM v
        ON CONFLICT (tbl, id) DO NOTHING
        RETURNING r.tbl, r.id, r.version
    )
    SELECT s_tbl || coalesce(array_agg(saved.tbl), '{}'), s_id || coalesce(array_agg(saved.id), '{}'), s_version || coalesce(array_agg(saved.version), '{}')
        INTO s_tbl, s_id, s_version FROM saved;
    IF cardinality(s_id) < (SELECT count(*) FROM unnest(p_expected) AS e WHERE e >= 0) THEN
        SELECT v.tbl, v.id INTO lost FROM unnest(p_tbl, p_id, p_expected) WITH ORDINALITY AS v(tbl, id, expected, n)
        WHERE v.expected >= 0 AND NOT EXISTS (SELECT 1 FROM unnest(s_tbl, s_id) AS s(tbl, id) WHERE s.tbl = v.tbl AND s.id = v.id)
        ORDER BY v.n LIMIT 1;
        PERFORM fv_conflict(lost.tbl, lost.id);
    END IF;
    -- written without being read: as is
    WITH v AS (
        SELECT * FROM unnest(p_tbl, p_id, p_doc, p_grams, p_expected) AS v(tbl, id, doc, grams, expected) WHERE v.expected IS NULL
    ), saved AS (
        INSERT INTO fv_records AS r (tbl, id, doc, grams, changed_by)
        SELECT v.tbl, v.id, v.doc::jsonb, v.grams::bigint[], p_actor FROM v
        ON CONFLICT (tbl, id) DO UPDATE SET doc = EXCLUDED.doc, version = r.version + 1,
            grams = CASE WHEN r.grams = EXCLUDED.grams THEN r.grams ELSE EXCLUDED.grams END,
            changed_by = EXCLUDED.changed_by, changed_at = now()
        RETURNING r.tbl, r.id, r.version
    )
    SELECT s_tbl || coalesce(array_agg(saved.tbl), '{}'), s_id || coalesce(array_agg(saved.id), '{}'), s_version || coalesce(array_agg(saved.version), '{}')
        INTO s_tbl, s_id, s_version FROM saved;
    IF p_meta IS NOT NULL THEN  -- key by key; a clock kept here by schema 1 keeps the greater stamp
        UPDATE fv_meta SET doc = doc || p_meta || CASE WHEN jsonb_typeof(doc -> 'clock') = 'string'
            AND jsonb_typeof(p_meta -> 'clock') = 'string' AND (doc ->> 'clock') COLLATE "C" > (p_meta ->> 'clock') COLLATE "C"
            THEN jsonb_build_object('clock', doc -> 'clock') ELSE '{}'::jsonb END WHERE id = 1;
    END IF;
    IF p_clock IS NOT NULL THEN  -- this actor's own row: officers' steps never wait on one another's
        INSERT INTO fv_clock AS c (actor, clock) VALUES (p_actor, p_clock)
        ON CONFLICT (actor) DO UPDATE SET clock = greatest(c.clock, EXCLUDED.clock);
    END IF;
    FOREACH note IN ARRAY coalesce(p_notes, '{}') LOOP
        PERFORM pg_notify('fieldvisit', note);
    END LOOP;
    RETURN QUERY SELECT * FROM unnest(s_tbl, s_id, s_version);
END
$fn$;
INSERT INTO fv_schema (version) VALUES (2);
