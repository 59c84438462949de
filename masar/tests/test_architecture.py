"""The floors of the house (ARCHITECTURE.md), checked on the source of every app.

`core` is the ground and imports no project app; `employment_records` stands on `core`;
`accounts` on both; the service apps on those three and never on each other (but for the one
named call: a promotion objection becomes a grievance through `grievances.services`). `masar`
and `demo` sit on top. The simulators import nothing of the portal. Imports inside functions
count too: a function-level import must not hide a forbidden arrow.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SERVICE_APPS = {"bayan", "grievances", "promotions", "job_audit", "cv"}
SIMULATORS = {"nafath_sim", "pension_sim"}
PORTAL_APPS = {"core", "employment_records", "accounts", *SERVICE_APPS}
PROJECT_APPS = PORTAL_APPS | SIMULATORS | {"masar", "demo"}

MAY_IMPORT = {
    "core": set(),
    "employment_records": {"core"},
    "accounts": {"core", "employment_records"},
    **{app: {"core", "employment_records", "accounts"} for app in SERVICE_APPS},
    **{simulator: set() for simulator in SIMULATORS},
}
# A promotion objection becomes a grievance through grievances.services (ARCHITECTURE.md).
ALLOWED = {("promotions", "grievances.services")}


def imported_modules(path: Path):
    """Every absolute module imported anywhere in the file, inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def source_files(app_dir: Path):
    for path in sorted(app_dir.rglob("*.py")):
        if not {"tests", "migrations"} & set(path.relative_to(app_dir).parts):
            yield path


def offences(app: str, app_dir: Path) -> list[str]:
    allowed_apps = MAY_IMPORT[app] | {app}
    found = []
    for path in source_files(app_dir):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in PROJECT_APPS and top not in allowed_apps and (app, module) not in ALLOWED:
                found.append(f"{path.relative_to(app_dir.parent)} imports {module}")
    return found


def test_every_project_app_has_a_rule():
    """A new app must be placed on a floor before it lands."""
    on_disk = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in {"masar", "demo"}
    }
    assert on_disk <= set(MAY_IMPORT), f"apps with no import rule: {on_disk - set(MAY_IMPORT)}"


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_app_imports_only_what_its_floor_allows(app):
    app_dir = ROOT / app
    if not app_dir.is_dir():
        pytest.skip(f"{app} is not in this tree")
    found = offences(app, app_dir)
    assert not found, "\n".join(found)


def test_the_check_sees_an_offender_planted_in_core(tmp_path):
    core = tmp_path / "core"
    core.mkdir()
    (core / "services.py").write_text(
        "from django.db import transaction\n"
        "def late():\n"
        "    from employment_records.models import Employee  # hidden in a function\n"
        "    import grievances.models\n"
    )
    assert offences("core", core) == [
        "core/services.py imports employment_records.models",
        "core/services.py imports grievances.models",
    ]


def test_the_check_lets_the_named_call_through(tmp_path):
    promotions = tmp_path / "promotions"
    promotions.mkdir()
    (promotions / "services.py").write_text(
        "from grievances.services import submit_grievance\nfrom cv.models import Entry\n"
    )
    assert offences("promotions", promotions) == ["promotions/services.py imports cv.models"]
