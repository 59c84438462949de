"""Every catalogue is complete: Arabic is the default language, so an untranslated string is a
bug a person sees. Parses the .po files directly (no gettext needed on the machine)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path for path in ROOT.glob("**/locale/ar/LC_MESSAGES/django.po") if ".venv" not in path.parts
)


def entries(path: Path, with_context=False):
    """(msgid, [msgstr...], flags) for each entry but the header; with_context puts the msgctxt
    first."""
    context, msgid, msgstrs, flags, current = None, None, [], set(), None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if msgid:
                yield (context, msgid, msgstrs, flags) if with_context else (msgid, msgstrs, flags)
            context, msgid, msgstrs, flags, current = None, None, [], set(), None
        elif line.startswith("#~"):
            continue  # obsolete entries are not loaded
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            context, current = ast.literal_eval(line[8:]), "msgctxt"
        elif line.startswith("msgid "):
            msgid, current = ast.literal_eval(line[6:]), "msgid"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith("msgstr"):
            msgstrs.append(ast.literal_eval(line.split(" ", 1)[1]))
            current = "msgstr"
        elif line.startswith('"'):
            if current == "msgctxt":
                context += ast.literal_eval(line)
            elif current == "msgid":
                msgid += ast.literal_eval(line)
            elif current == "msgstr":
                msgstrs[-1] += ast.literal_eval(line)


def test_there_is_a_project_catalogue():
    assert ROOT / "locale/ar/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_not_fuzzy(catalogue):
    problems = [
        f"{'fuzzy' if 'fuzzy' in flags else 'untranslated'}: {msgid!r}"
        for msgid, msgstrs, flags in entries(catalogue)
        if "fuzzy" in flags or not msgstrs or not all(msgstrs)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_is_present(catalogue):
    compiled = catalogue.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_size > 0


def test_no_string_is_translated_two_ways_across_catalogues():
    """Django merges every catalogue into one, so the same msgid translated differently in two
    apps shows whichever catalogue loads first, in both places ("Approved" in the Nafath app read
    as a correction's status). Give such strings a context (pgettext) instead."""
    seen: dict[tuple, dict[str, str]] = {}
    for catalogue in CATALOGUES:
        for context, msgid, msgstrs, _flags in entries(catalogue, with_context=True):
            seen.setdefault((context, msgid), {})[str(catalogue.relative_to(ROOT))] = msgstrs[0]
    clashes = [f"{key}: {places}" for key, places in seen.items() if len(set(places.values())) > 1]
    assert not clashes, "\n".join(clashes)


def test_one_orthography_for_tanween_fath():
    """Issue 15: the accusative tanween is written one way across the portal, on the alef
    ("يوماً", "أيضاً"), as the issue asks; "يومًا" (on the letter before it) is the other form."""
    mixed = [
        f"{catalogue.relative_to(ROOT)}: {msgstr}"
        for catalogue in CATALOGUES
        for _msgid, msgstrs, _flags in entries(catalogue)
        for msgstr in msgstrs
        if "\u064bا" in msgstr
    ]
    assert not mixed, "\n".join(mixed)
