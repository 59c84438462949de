"""Name search that finds Arabic names however they were typed.

`normalise()` folds the spellings one name is written with: alef forms (أ إ آ ٱ -> ا), taa
marbuta (ة -> ه), alef maqsura (ى -> ي), diacritics and tatweel removed, "عبد ال..." written
together ("عبد الله" -> "عبدالله"), Latin letters lower-cased, runs of spaces collapsed.

The database computes the same function, `masar_normalise(text)`, over the stored names:
- on PostgreSQL it is an IMMUTABLE SQL function (created by a migration, `NORMALISE_SQL`) and
  the name expression carries a pg_trgm GIN index, so `LIKE '%term%'` is an index search;
- on SQLite (`make run`, tests) the Python function is registered on every connection
  (`register_sqlite_function`, connected in CoreConfig.ready): the same results, a plain scan.
"""

from __future__ import annotations

import re

from django.db.models import CharField, F, Func

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


class Normalised(Func):
    """`masar_normalise(a || ' ' || b || ...)` over non-null text columns: the very expression
    the trigram index is built on (PostgreSQL matches an index expression by its shape)."""

    function = "masar_normalise"
    arg_joiner = " || ' ' || "
    output_field = CharField()

    def __init__(self, *fields: str):
        super().__init__(*(F(name) for name in fields))


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
