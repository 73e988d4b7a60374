-- downgrade_2.sql -- takes a PostgreSQL database of schema version 2 back
-- to version 1, data kept, for tests/pg_migrate_test.sh: the reverse of
-- src/store/pg_migrate_1.sql, so that a database written by today's
-- pelorus becomes the version 1 database an older one would have written.
-- The test checks that its schema is then exactly schema_v1.sql's (the
-- version 1 pg_schema.sql, kept here as it was).  Not for production use.

BEGIN;

DO $$
BEGIN
    UPDATE pelorus.meta SET value = '1' WHERE key = 'schema_version' AND value = '2';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'downgrade_2.sql takes schema version 2 to 1 only';
    END IF;
END
$$;

ALTER TABLE pelorus.coverage
    ALTER COLUMN positions TYPE bigint,
    ALTER COLUMN slots TYPE integer;

COMMIT;
