"""The CV in a real browser: persona 1012345672 adds a skill and a language, moves the skill
up (htmx), exports the Arabic PDF and downloads the JSON Resume; every page in Arabic and
English passes axe-core.

Sign-in: the session cookie of Django's test client (tests/e2e/journeys.py); the sign-in pages
have their own journeys.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory, grant_all
from cv.models import LanguageSkill, Skill
from cv.tests.factories import SkillFactory, career
from employment_records.tests.pdf_text import contains_phrase
from tests.e2e.journeys import sign_in_verified_by_cookie
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMPLOYEE_ID = "1012345672"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "cv/tests/resume-schema-1.0.0.json").read_text()
)


@pytest.fixture
def person():
    user = UserFactory(with_employee=True, username=EMPLOYEE_ID)
    grant_all(user.employee)
    career(user.employee)
    SkillFactory(employee=user.employee, language="ar", name="تخطيط القوى العاملة", position=1)
    return user


def test_add_reorder_export_pdf_and_json_in_arabic(live_server, page, person, tmp_path):
    from jsonschema import Draft7Validator

    sign_in_verified_by_cookie(page, live_server.url, person)
    page.goto("/cv/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "السيرة الذاتية"
    assert "مدقق مالي" in page.locator("#official-title + p + h3 + div").inner_text()
    assert_accessible(page)

    # A skill, in the Arabic CV.
    click_and_wait(page.get_by_role("link", name="إضافة مهارة"))
    assert_accessible(page)
    page.get_by_label("المهارة").fill("تحليل البيانات")
    click_and_wait(page.get_by_role("button", name="حفظ"))
    assert "أُضيف إلى المهارات" in page.locator(".message-success").inner_text()
    assert_accessible(page)

    # A language with its level; a level left out is explained and nothing typed is lost.
    click_and_wait(page.get_by_role("link", name="إضافة لغة"))
    page.locator("#id_name").fill("الفرنسية")
    click_and_wait(page.get_by_role("button", name="حفظ"))
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_name").input_value() == "الفرنسية"
    assert_accessible(page)
    page.get_by_label("المستوى").select_option("C1")
    click_and_wait(page.get_by_role("button", name="حفظ"))
    assert LanguageSkill.objects.get(employee=person.employee).level == "C1"

    # The new skill moves up: htmx swaps the section in place and says so.
    skills = page.locator("#section-skills")
    assert skills.locator(".cv-entry").nth(1).inner_text().startswith("تحليل البيانات")
    skills.get_by_role("button", name="نقل لأعلى").click()
    page.locator("#section-skills .cv-notice").get_by_text("نُقل البند لأعلى.").wait_for()
    assert (
        page.locator("#section-skills .cv-entry").nth(0).inner_text().startswith("تحليل البيانات")
    )
    assert list(
        Skill.objects.filter(employee=person.employee)
        .order_by("position")
        .values_list("name", flat=True)
    ) == ["تحليل البيانات", "تخطيط القوى العاملة"]
    assert_accessible(page)

    # The JSON Resume download validates against the schema.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="تنزيل بصيغة JSON Resume").click()
    resume_path = tmp_path / "resume.json"
    download_info.value.save_as(resume_path)
    resume = json.loads(resume_path.read_text())
    assert list(Draft7Validator(SCHEMA).iter_errors(resume)) == []
    assert [skill["name"] for skill in resume["skills"]] == [
        "تحليل البيانات",
        "تخطيط القوى العاملة",
    ]

    # The Arabic PDF: requested, prepared, downloaded, read.
    click_and_wait(page.get_by_role("button", name="تصدير السيرة العربية بصيغة PDF"))
    download_link = page.get_by_role("link", name="تنزيل ملف PDF")
    download_link.wait_for()
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    pdf_path = tmp_path / "cv.pdf"
    download_info.value.save_as(pdf_path)
    content = pdf_path.read_bytes()
    assert contains_phrase(content, person.employee.full_name_ar)
    assert contains_phrase(content, "تحليل البيانات") and contains_phrase(content, "مدقق مالي")


PAGES = {
    "en": ["CV", "Add a skill", "Remove the entry", "Verify a document"],
    "ar": ["السيرة الذاتية", "إضافة مهارة", "حذف البند", "التحقق من مستند"],
}


@pytest.mark.parametrize("browser_locale", ["en-US", "ar-SA"])
def test_cv_pages_in_both_languages_are_accessible(live_server, page, person, browser_locale):
    from core.documents import render_and_store
    from cv.services import request_cv_pdf

    language = browser_locale[:2]
    skill = Skill.objects.get(employee=person.employee)
    SkillFactory(employee=person.employee, language="en", name="Workforce planning")
    document = request_cv_pdf(employee=person.employee, language=language, actor=person)
    render_and_store(document.pk)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in_verified_by_cookie(page, live_server.url, person)
    cv, add, remove, verify = PAGES[language]
    for url, heading in [
        (f"/cv/?lang={language}", cv),
        ("/cv/skills/add/", add),
        (f"/cv/skills/{skill.pk}/remove/", remove),
        (f"/cv/documents/{document.code}/", cv),
        (f"/verify/{document.code}/", verify),
    ]:
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == ("ltr" if language == "en" else "rtl")
        assert heading in page.get_by_role("heading", level=1).inner_text()
        assert_accessible(page)
    for cv_language in ("ar", "en"):
        page.goto(f"/cv/print/?lang={cv_language}")
        assert page.locator("html").get_attribute("lang") == cv_language
        assert_accessible(page)
