"""Every environment variable the settings read is documented: in the README's configuration
table and in .env.example; the production ones in docker-compose.yml too."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
READ_BY_SETTINGS = sorted(
    set(
        re.findall(
            r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', (ROOT / "masar/settings.py").read_text()
        )
    )
)
# Development-only: the simulator (off in production) and the benchmark hasher.
NOT_IN_PRODUCTION = re.compile(r"^(NAFATH_SIM_|PENSION_SIM_|FAST_PASSWORD_HASHER$|BENCH_VIEWS$)")


def test_the_settings_read_variables_at_all():
    assert {"DATABASE_URL", "REDIS_URL", "NAFATH_OIDC_ISSUER"} <= set(READ_BY_SETTINGS)


@pytest.mark.parametrize("name", READ_BY_SETTINGS)
def test_variable_is_documented(name):
    readme = (ROOT / "README.md").read_text()
    assert f"`{name}`" in readme, f"{name} is missing from the README's configuration table"
    assert re.search(rf"^#? ?{name}=", (ROOT / ".env.example").read_text(), re.M), (
        f"{name} is missing from .env.example"
    )
    if not NOT_IN_PRODUCTION.match(name):
        assert f"{name}:" in (ROOT / "docker-compose.yml").read_text(), (
            f"{name} is missing from docker-compose.yml"
        )


def test_readme_screenshots_exist_and_each_one_is_shown():
    """bin/screenshots.py writes docs/screenshots/; the README shows each and names no other."""
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    shown = set(re.findall(r"\(docs/screenshots/([\w-]+\.png)\)", (root / "README.md").read_text()))
    written = {path.name for path in (root / "docs" / "screenshots").glob("*.png")}
    assert shown == written
    script = (root / "bin" / "screenshots.py").read_text()
    assert all(f'"{name.removesuffix(".png")}"' in script for name in written)
