"""The layering of ARCHITECTURE.md, checked on the source: every service app may import
`employment_records` and `accounts`; `employment_records` imports neither of them nor any service
app; service apps never import each other (but for the one named cross-service call)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SERVICE_APPS = {"bayan", "grievances", "promotions", "job_audit", "cv"}
FORBIDDEN = {
    "employment_records": {"accounts", "nafath_sim", *SERVICE_APPS},
    **{app: (SERVICE_APPS - {app}) | {"nafath_sim"} for app in SERVICE_APPS},
}
# A promotion objection becomes a grievance through grievances.services (ARCHITECTURE.md).
ALLOWED = {("promotions", "grievances.services")}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def source_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if not {"tests", "migrations"} & set(path.relative_to(ROOT / app).parts):
            yield path


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_what_its_layer_allows(app):
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in source_files(app)
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN[app] and (app, module) not in ALLOWED
    ]
    assert not offences, "\n".join(offences)


def test_the_check_sees_an_offending_import(tmp_path):
    offender = tmp_path / "services.py"
    offender.write_text("from accounts.sms import send_sms\nimport grievances.models\n")
    assert list(imported_modules(offender)) == ["accounts.sms", "grievances.models"]
