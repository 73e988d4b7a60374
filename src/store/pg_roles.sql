-- pg_roles.sql -- the roles of a team over the schema pelorus
-- (pg_schema.sql; issue 15), loaded after it by its owner:
--
--   psql -d ais -v ON_ERROR_STOP=1 -f src/store/pg_roles.sql
--
-- Two group roles (NOLOGIN), made when missing (roles belong to the whole
-- cluster, so a second database reuses them):
--   pelorus_ingest   writes what ingest, the track build and scan write:
--                    every table but reviews (which it reads), and makes
--                    chunks' monthly partitions (chunk_months)
--   pelorus_analyst  reads everything and adds reviews; changes nothing
--                    else, and no one changes or removes a review
-- A person is given one with GRANT, e.g.
--   CREATE ROLE alice LOGIN IN ROLE pelorus_analyst;
-- Detaching and archiving a month, and migrations, are the schema owner's.

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pelorus_ingest') THEN
        CREATE ROLE pelorus_ingest NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pelorus_analyst') THEN
        CREATE ROLE pelorus_analyst NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA pelorus FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA pelorus FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pelorus FROM PUBLIC;
GRANT USAGE ON SCHEMA pelorus TO pelorus_ingest, pelorus_analyst;

-- both read everything
GRANT SELECT ON ALL TABLES IN SCHEMA pelorus TO pelorus_ingest, pelorus_analyst;
GRANT EXECUTE ON FUNCTION pelorus.month_start(bigint) TO pelorus_ingest, pelorus_analyst;
-- and the monthly partitions made later, read directly (chunks_y2024m03)
ALTER DEFAULT PRIVILEGES IN SCHEMA pelorus GRANT SELECT ON TABLES TO pelorus_ingest, pelorus_analyst;

-- ingest writes all but reviews
GRANT INSERT, UPDATE, DELETE ON
    pelorus.meta, pelorus.inputs, pelorus.sources, pelorus.chunks, pelorus.staging,
    pelorus.vessels, pelorus.segments, pelorus.identities, pelorus.voyages, pelorus.coverage,
    pelorus.watchlists, pelorus.watch_entries, pelorus.case_imports, pelorus.case_findings,
    pelorus.track_days, pelorus.findings, pelorus.live_state, pelorus.live_alerts
    TO pelorus_ingest;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA pelorus TO pelorus_ingest;
-- a partition is made by the owner of chunks: chunk_months runs as its owner
ALTER FUNCTION pelorus.chunk_months(bigint, bigint) SECURITY DEFINER;
GRANT EXECUTE ON FUNCTION pelorus.chunk_months(bigint, bigint) TO pelorus_ingest;

-- analysts add reviews, and only that
GRANT INSERT ON pelorus.reviews TO pelorus_analyst;

COMMIT;
