"""Screenshots of the main pages for the README, taken from a running portal.

    make run                                   # in one terminal (seeds the personas)
    .venv/bin/python bin/screenshots.py        # in another; BASE_URL=http://127.0.0.1:8000

Signs the personas in through the Nafath simulator, as a person would, with Debian's Chromium
(CHROMIUM_PATH overrides). Writes docs/screenshots/*.png; run it again when a page changes.
"""

import os
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import sync_playwright

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
EMPLOYEE, HR_SPECIALIST, RETIRED = "1012345672", "1034567899", "1056789017"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


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
    """Saves docs/screenshots/<name>.png of `path` ("" for the page as it stands)."""
    if path:
        page.goto(f"{BASE_URL}{path}")
    page.screenshot(path=OUT / f"{name}.png", full_page=full_page)
    print(f"  {name}.png  <- {path or page.url}")


def grievance_to_review(page) -> None:
    """Walks the grievance form's steps as a person would, up to "check your answers"."""
    page.goto(f"{BASE_URL}/grievances/new/")
    page.locator("[name=category]").select_option("promotion")
    action = page.locator("[name=action] option").nth(1).get_attribute("value")
    page.locator("[name=action]").select_option(action)
    page.locator("[name=learned_on_calendar]").select_option("gregorian")
    page.locator("[name=learned_on_date]").fill(
        datetime.now(ZoneInfo("Asia/Riyadh")).date().isoformat()
    )
    click_and_wait(page.locator("main form button.btn-primary"))
    page.locator("[name=text]").fill(
        "لم يُدرج اسمي في قائمة المرشحين للترقية رغم استيفائي المدة النظامية والمؤهل المطلوب."
    )
    page.locator("[name=remedy]").fill("إدراج اسمي في قائمة المرشحين وإعادة احتساب النقاط.")
    click_and_wait(page.locator("main form button.btn-primary"))
    click_and_wait(page.locator("main form button.btn-primary"))  # no documents


def discard_draft(page) -> None:
    """Leaves the demo data as it was: the draft made for the screenshot goes."""
    page.goto(f"{BASE_URL}/grievances/")
    click_and_wait(page.get_by_role("link", name="حذف المسودة"))
    click_and_wait(page.locator("main form button.btn-danger"))


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
        grievance_to_review(employee)
        shoot(employee, "", "grievance-check-answers", full_page=True)
        discard_draft(employee)
        shoot(employee, "/promotions/", "promotions")
        shoot(employee, "/job-audit/", "job-audit")
        shoot(employee, "/cv/", "cv")
        shoot(employee, "/my-data/statement/", "service-statement")
        phone = browser.new_context(**{**options, "viewport": PHONE})
        phone.add_cookies(employee.context.cookies())
        shoot(phone.new_page(), "/my-data/record/", "employment-record-phone")
        click_and_wait(employee.get_by_role("button", name="English"))
        shoot(employee, "/", "dashboard-en")

        retired = browser.new_context(**options).new_page()
        sign_in_with_nafath(retired, RETIRED)
        shoot(retired, "/bayan/", "bayan")

        hr = browser.new_context(**options).new_page()
        sign_in_with_nafath(hr, HR_SPECIALIST)
        shoot(hr, "/hr/", "hr-console")

        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
