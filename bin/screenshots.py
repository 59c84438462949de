"""Screenshots of the main pages for the README, taken from a running portal.

    make run                                   # in one terminal (seeds the personas)
    .venv/bin/python bin/screenshots.py        # in another; BASE_URL=http://127.0.0.1:8000

Signs the personas in through the Nafath simulator, as a person would, with Debian's Chromium
(CHROMIUM_PATH overrides). Writes docs/screenshots/*.png; run it again when a page changes.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
EMPLOYEE, HR_SPECIALIST = "1012345672", "1034567899"
DESKTOP = {"width": 1280, "height": 860}


def click_and_wait(target) -> None:
    with target.page.expect_navigation():
        target.click()


def sign_in_with_nafath(page, national_id: str) -> None:
    page.goto(f"{BASE_URL}/accounts/login/")
    click_and_wait(page.get_by_role("button", name="الدخول عبر نفاذ"))
    page.get_by_label("رقم الهوية الوطنية").fill(national_id)
    click_and_wait(page.get_by_role("button", name="متابعة"))
    number = page.get_by_test_id("nafath-number").inner_text()
    phone = page.context.new_page()
    phone.goto(f"{BASE_URL}/nafath/app/")
    phone.get_by_label("رقم الهوية الوطنية").fill(national_id)
    click_and_wait(phone.get_by_role("button", name="عرض طلباتي"))
    click_and_wait(phone.get_by_role("button", name=number, exact=True))
    phone.close()
    # The waiting page polls and continues to the dashboard on its own.
    page.wait_for_url(lambda url: urlsplit(url).path == "/", timeout=15_000)


def shoot(page, path: str, name: str, *, full_page: bool = False) -> None:
    page.goto(f"{BASE_URL}{path}")
    page.screenshot(path=OUT / f"{name}.png", full_page=full_page)
    print(f"  {name}.png  <- {path}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True)
        options = {"viewport": DESKTOP, "locale": "ar-SA", "timezone_id": "Asia/Riyadh"}

        visitor = browser.new_context(**options).new_page()
        shoot(visitor, "/accounts/login/", "sign-in")

        employee = browser.new_context(**options).new_page()
        sign_in_with_nafath(employee, EMPLOYEE)
        shoot(employee, "/", "dashboard")
        shoot(employee, "/my-data/", "my-data")
        shoot(employee, "/my-data/record/", "employment-record")
        shoot(employee, "/grievances/", "grievances")
        click_and_wait(employee.get_by_role("button", name="English"))
        shoot(employee, "/", "dashboard-en")

        hr = browser.new_context(**options).new_page()
        sign_in_with_nafath(hr, HR_SPECIALIST)
        shoot(hr, "/hr/", "hr-console")

        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
