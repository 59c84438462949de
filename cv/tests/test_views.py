"""What the person sees at /cv/: pages, messages, scoping (404 for others), query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, grant_all
from cv.models import Certificate, CertificateCopy, LanguageSkill, Skill
from cv.tests.factories import LanguageSkillFactory, SkillFactory, career

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, employee_user):
    client.force_login(employee_user)
    return client


def test_index_shows_the_official_part_and_own_sections(signed_in, employee_user):
    employee = employee_user.employee
    career(employee)
    SkillFactory(employee=employee, language="en", name="Budget analysis")
    SkillFactory(employee=employee, language="ar", name="تحليل الميزانيات")
    response = signed_in.get(reverse("cv:index") + "?lang=en", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Financial auditor" in text and "Senior accountant" in text
    assert "Budget analysis" in text and "تحليل الميزانيات" not in text
    assert "From the official record" in text
    assert reverse("employment_records:new_correction") + "?action=" in text


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def post_skill(client, name, language="en"):
    return client.post(
        reverse("cv:add", args=["skills"]) + f"?lang={language}",
        {"language": language, "name": name},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )


def test_add_edit_remove_with_a_confirmation_after_each(signed_in, employee_user):
    response = post_skill(signed_in, "Budget analysis")
    assert response.redirect_chain[-1][0].endswith("?lang=en#section-skills")
    assert "Added to Skills (English)." in response.content.decode()
    skill = Skill.objects.get(employee=employee_user.employee)
    response = signed_in.post(
        reverse("cv:edit", args=["skills", skill.pk]),
        {"name": "Budget planning"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "Your changes were saved." in response.content.decode()
    skill.refresh_from_db()
    assert skill.name == "Budget planning" and skill.language == "en"
    confirm = signed_in.get(reverse("cv:remove", args=["skills", skill.pk]))
    assert confirm.status_code == 200 and "Budget planning" in confirm.content.decode()
    response = signed_in.post(
        reverse("cv:remove", args=["skills", skill.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "The entry was removed from your CV." in response.content.decode()
    assert not Skill.objects.exists()


def test_an_error_keeps_what_was_typed_and_says_why(signed_in, employee_user):
    post_skill(signed_in, "Excel")
    response = signed_in.post(
        reverse("cv:add", args=["languages"]),
        {"language": "en", "name": "French " * 20, "level": "Z9"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Choose a level from the list." in text and "at most 60 characters" in text
    assert "French French" in text  # nothing lost
    duplicate = signed_in.post(
        reverse("cv:add", args=["skills"]),
        {"language": "en", "name": "EXCEL"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert duplicate.status_code == 400
    assert "This entry is already in your CV in this language." in duplicate.content.decode()
    assert 'value="EXCEL"' in duplicate.content.decode()
    assert not LanguageSkill.objects.exists() and Skill.objects.count() == 1


def test_reorder_without_javascript_and_with_htmx(signed_in, employee_user):
    employee = employee_user.employee
    first = SkillFactory(employee=employee, name="First", position=1)
    second = SkillFactory(employee=employee, name="Second", position=2)
    url = reverse("cv:move", args=["skills", second.pk])
    response = signed_in.post(url, {"direction": "up"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "The entry moved up." in response.content.decode()
    assert list(Skill.objects.order_by("position").values_list("name", flat=True)) == [
        "Second",
        "First",
    ]
    partial = signed_in.post(
        url, {"direction": "down"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in text
    assert 'id="section-skills"' in text and "The entry moved down." in text
    assert text.index("First") < text.index("Second")
    assert signed_in.post(url, {"direction": "sideways"}).status_code == 400
    assert signed_in.get(url).status_code == 405
    first.refresh_from_db()
    assert first.position == 1


def test_everything_of_another_person_answers_404(signed_in, employee_user, tmp_path):
    other = UserFactory(with_employee=True)
    grant_all(other.employee)
    theirs = SkillFactory(employee=other.employee)
    their_certificate = Certificate.objects.create(
        employee=other.employee,
        language="en",
        position=1,
        name="Secret",
        issuer="X",
        issued_on=dt.date(2020, 1, 1),
    )
    CertificateCopy.objects.create(
        certificate=their_certificate,
        storage_name="cv/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
    )
    from core.documents import request_document

    their_document = request_document(kind="cv", holder=other.employee, requested_by=other)
    for method, url in (
        ("get", reverse("cv:edit", args=["skills", theirs.pk])),
        ("post", reverse("cv:edit", args=["skills", theirs.pk])),
        ("get", reverse("cv:remove", args=["skills", theirs.pk])),
        ("post", reverse("cv:remove", args=["skills", theirs.pk])),
        ("post", reverse("cv:move", args=["skills", theirs.pk])),
        ("get", reverse("cv:certificate_attachment", args=[their_certificate.pk])),
        ("get", reverse("cv:document", args=[their_document.code])),
        ("get", reverse("cv:document_download", args=[their_document.code])),
        ("get", reverse("cv:add", args=["no-such-section"])),
    ):
        assert getattr(signed_in, method)(url, {"direction": "up"}).status_code == 404, url
    assert Skill.objects.filter(pk=theirs.pk).exists()


def test_only_saudi_employees_with_a_cv_grant(client):
    no_grant = UserFactory(with_employee=True)
    client.force_login(no_grant)
    assert client.get(reverse("cv:index")).status_code == 403
    resident = UserFactory(with_employee=True)
    resident.employee.nationality = "EG"
    resident.employee.save()
    grant_all(resident.employee)
    client.force_login(resident)
    assert client.get(reverse("cv:index")).status_code == 403


def test_the_dashboard_card_says_available(signed_in):
    text = signed_in.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = text[text.index('id="service-cv"') :]
    card = card[: card.index("</article>")]
    assert "Available" in card and f'href="{reverse("cv:index")}"' in card


def test_pages_cost_a_fixed_number_of_queries(
    signed_in, employee_user, django_assert_max_num_queries
):
    employee = employee_user.employee
    for _ in range(3):
        career(employee)
    for _index in range(8):
        SkillFactory(employee=employee, language="en")
        LanguageSkillFactory(employee=employee, language="en")
    with django_assert_max_num_queries(22):
        assert signed_in.get(reverse("cv:index") + "?lang=en").status_code == 200
    with django_assert_max_num_queries(20):
        assert signed_in.get(reverse("cv:print") + "?lang=en").status_code == 200
    with django_assert_max_num_queries(20):
        assert signed_in.get(reverse("cv:json") + "?lang=en").status_code == 200


def test_a_certificate_with_its_copy_through_the_pages(signed_in, employee_user):
    from employment_records.tests.helpers import pdf_upload

    response = signed_in.post(
        reverse("cv:add", args=["certificates"]),
        {
            "language": "en",
            "name": "PMP",
            "issuer": "PMI",
            "issued_on_calendar": "gregorian",
            "issued_on_date": "2020-01-15",
            "attachment": pdf_upload("pmp.pdf"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(employee=employee_user.employee)
    assert certificate.issued_on == dt.date(2020, 1, 15)
    page = signed_in.get(reverse("cv:index") + "?lang=en", HTTP_ACCEPT_LANGUAGE="en")
    link = reverse("cv:certificate_attachment", args=[certificate.pk])
    assert link in page.content.decode()
    download = signed_in.get(link)
    assert download.status_code == 200 and "pmp.pdf" in download["Content-Disposition"]
    edit = signed_in.get(reverse("cv:edit", args=["certificates", certificate.pk]))
    assert edit.status_code == 200 and 'value="2020-01-15"' in edit.content.decode()
    response = signed_in.post(
        reverse("cv:edit", args=["certificates", certificate.pk]),
        {
            "name": "PMP",
            "issuer": "PMI",
            "issued_on_calendar": "gregorian",
            "issued_on_date": "2020-01-15",
            "remove_attachment": "on",
        },
    )
    assert response.status_code == 302
    assert not Certificate.objects.get(pk=certificate.pk).has_attachment
    assert not CertificateCopy.objects.exists()
    assert signed_in.get(link).status_code == 404
