"""Name search that finds Arabic names however they were typed.

`normalise()` folds the spellings one name is written with: alef forms (أ إ آ ٱ -> ا), taa
marbuta (ة -> ه), alef maqsura (ى -> ي), diacritics and tatweel removed, "عبد ال..." written
together ("عبد الله" -> "عبدالله"), Latin letters lower-cased, runs of spaces collapsed.

The employee's normalised full name is stored (`Employee.name_normalised`, written by this
function on every save and by the bulk loaders) and carries a pg_trgm GIN index on PostgreSQL,
so `LIKE '%term%'` is an index search that rechecks a stored string. The database also has the
same function, `masar_normalise(text)`, used by migrations to backfill in one UPDATE:
- on PostgreSQL an IMMUTABLE SQL function (created by a migration, `NORMALISE_SQL`);
- on SQLite (`make run`, tests) the Python function registered on every connection
  (`register_sqlite_function`, connected in CoreConfig.ready).
The tests check the two give the same text for every pair they must match.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
# Harakat, tanwin, shadda, sukun, maddah/hamza marks (U+064B-U+065F), superscript alef
# (U+0670) and tatweel (U+0640).
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ABD = re.compile(r"عبد\s+ال")
_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    if not text:
        return ""
    text = _MARKS.sub("", text.translate(_FOLD))
    text = _ABD.sub("عبدال", text)
    return _SPACES.sub(" ", text).strip().lower()


# The PostgreSQL twin of normalise() (keep the two in step: core/tests/test_search.py runs
# the same table of pairs on both databases).
NORMALISE_SQL = r"""
CREATE OR REPLACE FUNCTION masar_normalise(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(btrim(regexp_replace(regexp_replace(regexp_replace(
    translate(t, 'أإآٱةى', 'اااههي'),
    '[\u064B-\u065F\u0670\u0640]', '', 'g'),
    'عبد\s+ال', 'عبدال', 'g'),
    '\s+', ' ', 'g')))
$$;
"""
DROP_NORMALISE_SQL = "DROP FUNCTION IF EXISTS masar_normalise(text);"


def index_sql(*, table: str, columns: tuple[str, ...], name: str) -> str:
    joined = " || ' ' || ".join(f'"{column}"' for column in columns)
    return (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
        f"USING gin (masar_normalise({joined}) gin_trgm_ops);"
    )


def name_terms(query: str) -> list[str]:
    """The normalised words of a typed query (each must appear in the name)."""
    return [word for word in normalise(query).split(" ") if word]


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created receiver: masar_normalise() on SQLite."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("masar_normalise", 1, normalise, deterministic=True)
