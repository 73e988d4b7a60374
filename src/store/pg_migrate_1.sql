-- pg_migrate_1.sql -- the PostgreSQL schema from version 1 to 2 (issue 15;
-- docs/schema.md, "PostgreSQL"): the coverage map made compact.
--
-- Run by the first writing open of a version 1 database by the schema's
-- owner (pg_open.c, embedded at build time), or by hand, as that owner:
--
--   psql -d ais -v ON_ERROR_STOP=1 -f src/store/pg_migrate_1.sql
--
-- One transaction with the version update: the version row is updated
-- first (its lock makes a second run at the same time wait, then refuse),
-- and any failure leaves the database at version 1, untouched.  A database
-- of another version is refused.
--
-- coverage: positions bigint to integer, slots integer to smallint.  With
-- positions an integer the bigint seen follows four integers and needs no
-- padding: 26 bytes of columns instead of 36, a row of 56 bytes with its
-- header instead of 64 (docs/deployment.md, "Figures").  The ranges:
-- positions counts receptions of one cell, station and hour, at most what
-- AIS carries in an hour (2 channels x 2,250 slots a minute: 270,000),
-- and Pelorus reads it as a 32-bit count; slots is six bits.  A database
-- with a count past 2,147,483,647 is refused ("integer out of range") and
-- left at version 1.  The table is rewritten in one pass and its primary
-- key rebuilt: it holds an exclusive lock on coverage for that time
-- (seconds for a million rows), so stop pelorus watch and the ingests
-- first.  Grants, the table's name and its columns' order stay: the
-- result is what pg_schema.sql sets up as version 2.

BEGIN;

DO $$
BEGIN
    UPDATE pelorus.meta SET value = '2' WHERE key = 'schema_version' AND value = '1';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pelorus: pg_migrate_1.sql takes schema version 1 to 2, and this database is at version %',
            (SELECT value FROM pelorus.meta WHERE key = 'schema_version');
    END IF;
END
$$;

ALTER TABLE pelorus.coverage
    ALTER COLUMN positions TYPE integer,
    ALTER COLUMN slots TYPE smallint;

COMMIT;
