"""The README's access table says what `core.catalogue.decide()` does."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from core.catalogue import SERVICES

COLUMNS = ("employee", "saudi", "in_service", "grant", "nafath")


def readme_rows() -> dict[str, dict[str, bool]]:
    text = Path(settings.BASE_DIR, "README.md").read_text(encoding="utf-8")
    section = text.split("## Who may use which service", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in {"service", "---"}:
            continue
        rows[cells[0]] = {
            column: bool(re.match(r"yes\b", cell))
            for column, cell in zip(COLUMNS, cells[1:], strict=True)
        }
    return rows


def test_the_readme_table_matches_the_catalogue():
    with translation.override("en"):
        expected = {
            str(service.name): {
                "employee": True,
                "saudi": service.needs_saudi,
                "in_service": service.needs_active_service,
                "grant": True,
                "nafath": service.needs_nafath,
            }
            for service in SERVICES
        }
    assert readme_rows() == expected
