-- Byte-order comparisons for the job keys that every write puts into a B-tree (see README.md, "Write cost").
--
-- Under a libc collation other than C/POSIX (C.UTF-8 and en_US.UTF-8 included), PostgreSQL 15 compares
-- text with strcoll(), about twenty times per index insert or lookup. Job ids (UUIDs) and queue names
-- are ASCII, where the "C" order equals the codepoint order of C.UTF-8, so nothing observable changes.
-- Changing only the collation keeps the table as it is; the indexes on these columns are rebuilt.
ALTER TABLE jobs ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE jobs ALTER COLUMN queue TYPE text COLLATE "C";
