"""The portal's "today" is Riyadh's (TIME_ZONE), not the server's or UTC's.

Between 21:00 and 24:00 UTC Riyadh is already on the next day. A date taken from
`date.today()` or `timezone.now().date()` is then a day behind the one the rest of the portal
uses, so a "not in the future" limit refuses today and a "valid until today" row breaks a
constraint. CI once failed only because it ran at 21:25 UTC.
"""

import datetime as dt
import re
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.utils import timezone

from employment_records.corrections import DATE, EMPLOYEE_FIELDS

ROOT = Path(settings.BASE_DIR)
SERVER_OR_UTC_TODAY = re.compile(
    r"\bdate\.today\(\)|\bnow(\(\))?\.date\(\)|\bdatetime\.now\(\)(?!\s*\.astimezone)"
)
# 22:30 UTC on 10 March is 01:30 on 11 March in Riyadh.
LATE_EVENING_UTC = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)


def _project_sources():
    """The project's Python files, without walking .venv and the other hidden folders."""
    yield from ROOT.glob("*.py")
    for folder in ROOT.iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            yield from (path for path in folder.rglob("*.py") if "node_modules" not in path.parts)


def test_no_code_takes_today_from_the_server_clock_or_utc():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _project_sources()
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SERVER_OR_UTC_TODAY.search(line)
    ]
    assert not offenders, "use timezone.localdate() instead:\n" + "\n".join(offenders)


def test_a_proposed_date_of_riyadhs_today_is_not_in_the_future_late_in_the_utc_evening():
    date_spec = next(spec for spec in EMPLOYEE_FIELDS.values() if spec.kind == DATE)
    with mock.patch.object(timezone, "now", return_value=LATE_EVENING_UTC):
        field = date_spec.form_field()
    assert field.max_date == dt.date(2026, 3, 11)
