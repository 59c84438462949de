"""Every console list of both sites (every ModelAdmin of every app, found from the two
registries, so a model that lands later is walked without touching this file), rendered in
Arabic with a seeded row (issue 15, "Lists"):

* a date or date-time column shows both calendars, Hijri and Gregorian, and no cell shows a
  date in one calendar only (an ISO date, a Gregorian date alone, a Hijri date alone);
* every column title is Arabic (no "Full name ar", no raw field name), codes like "ID" aside;
* the count reads as Arabic counts do ("3 تظلمات" or "التظلمات: 3", never "3 التظلمات").

Rows come from the access-control walker's factories (tests/test_access_control.py) and, for
the models only the ministry sees, from MINISTRY_ONLY below. A registered model with no factory
FAILS the test: register one.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS

from accounts.tests.factories import UserFactory
from core.dates import format_gregorian, format_hijri
from core.hr_admin import hr_site
from employment_records.tests.factories import EmployeeFactory, EntityFactory
from tests.test_access_control import _MADE, ABOUT_A_PERSON, OF_AN_ENTITY
from tests.test_console_lists import _signed_in as signed_in

pytestmark = pytest.mark.django_db


def _user(entity, subject):
    return UserFactory()


def _notification(entity, subject):
    from core.models import Notification

    return Notification.objects.create(
        kind="grievance_submitted",
        idempotency_key=uuid.uuid4().hex,
        recipient=_user(0, 0),
        mobile="+966500000009",
    )


def _role_change(entity, subject):
    from accounts.models import RoleChangeRequest

    return RoleChangeRequest.objects.create(
        user=UserFactory(), is_staff=True, is_superuser=False, reason="x",
        requested_by=UserFactory(), status=RoleChangeRequest.Status.APPROVED,
        decided_by=UserFactory(), decided_at=timezone.now(),
    )  # fmt: skip


def _sign_in_guard(entity, subject):
    from accounts.models import SignInGuard

    return SignInGuard.objects.create(national_id=subject.national_id)


def _nafath_identity(entity, subject):
    from accounts.models import NafathIdentity

    return NafathIdentity.objects.create(
        user=UserFactory(), issuer="https://nafath.example", subject="s-1",
        last_signed_in_at=timezone.now(),
    )  # fmt: skip


def _hr_profile(entity, subject):
    from accounts.models import HRProfile

    return HRProfile.objects.create(user=UserFactory(), entity=entity)


def _group(entity, subject):
    from django.contrib.auth.models import Group

    return Group.objects.create(name=f"group {uuid.uuid4().hex[:6]}")


def _job_class(entity, subject):
    from employment_records.models import JobClass

    return JobClass.objects.create(
        code=f"T-{uuid.uuid4().hex[:4]}", title_ar="فئة", title_en="Class", rank=5,
        min_qualification="bachelor",
    )  # fmt: skip


def _salary_scale(entity, subject):
    from employment_records.models import SalaryScale

    return SalaryScale.objects.get_or_create(rank=15, step=15, defaults={"amount": 1000})[0]


def _delivery(entity, subject):
    from bayan.models import Delivery

    statement = ABOUT_A_PERSON["bayan.statement"](entity, subject)
    return Delivery.objects.get_or_create(
        statement=statement, defaults={"next_attempt_at": timezone.now()}
    )[0]


def _application():
    from oauth2_provider.models import Application

    return Application.objects.first() or Application.objects.create(
        name="test", client_type="confidential", authorization_grant_type="authorization-code"
    )


def _access_token(entity, subject):
    from oauth2_provider.models import AccessToken

    return AccessToken.objects.create(
        token=uuid.uuid4().hex, expires=timezone.now(), application=_application()
    )


def _grant(entity, subject):
    from oauth2_provider.models import Grant

    return Grant.objects.create(
        user=UserFactory(), code=uuid.uuid4().hex, application=_application(),
        expires=timezone.now(), redirect_uri="https://example.org/cb",
    )  # fmt: skip


def _id_token(entity, subject):
    from oauth2_provider.models import IDToken

    return IDToken.objects.create(expires=timezone.now(), application=_application())


def _refresh_token(entity, subject):
    from oauth2_provider.models import RefreshToken

    return RefreshToken.objects.create(
        user=UserFactory(), token=uuid.uuid4().hex, application=_application()
    )


def _sign_in_request(entity, subject):
    from nafath_sim.models import SignInRequest

    return SignInRequest.objects.create(
        reference=uuid.uuid4().hex, national_id=subject.national_id, number=42, choices=[42],
        expires_at=timezone.now() + dt.timedelta(minutes=1), session_key="s", client_id="c",
        redirect_uri="https://example.org/cb", scope="openid", code_challenge="x",
    )  # fmt: skip


def _submission(entity, subject):
    from pension_sim.models import Submission

    return Submission.objects.create(idempotency_key=uuid.uuid4().hex, body_sha256="0" * 64,
                                     status_code=201)  # fmt: skip


def _control(entity, subject):
    from pension_sim.models import Control

    return Control.objects.first() or Control.objects.create()


# Models only the ministry admin lists: make(entity, subject employee).
MINISTRY_ONLY = {
    "core.notification": _notification,
    "accounts.user": _user,
    "accounts.hrprofile": _hr_profile,
    "accounts.rolechangerequest": _role_change,
    "accounts.signinguard": _sign_in_guard,
    "accounts.nafathidentity": _nafath_identity,
    "auth.group": _group,
    "employment_records.governmententity": lambda entity, subject: entity,
    "employment_records.jobclass": _job_class,
    "employment_records.salaryscale": _salary_scale,
    "bayan.delivery": _delivery,
    "oauth2_provider.application": lambda entity, subject: _application(),
    "oauth2_provider.accesstoken": _access_token,
    "oauth2_provider.grant": _grant,
    "oauth2_provider.idtoken": _id_token,
    "oauth2_provider.refreshtoken": _refresh_token,
    "nafath_sim.signinrequest": _sign_in_request,
    "pension_sim.submission": _submission,
    "pension_sim.control": _control,
}


def make_row(model, entity, subject):
    label = model._meta.label_lower
    if label in ABOUT_A_PERSON:
        return ABOUT_A_PERSON[label](entity, subject)
    if label in OF_AN_ENTITY:
        return OF_AN_ENTITY[label](entity)
    return MINISTRY_ONLY[label](entity, subject)


def fill_empty_dates(obj) -> None:
    """Every empty date of the row gets one, so each date column has something to show (a
    date some constraint refuses stays empty)."""
    now = timezone.now()
    for field in type(obj)._meta.concrete_fields:
        if not isinstance(field, models.DateField) or getattr(obj, field.attname) is not None:
            continue
        value = now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
        try:
            with transaction.atomic():
                type(obj)._default_manager.filter(pk=obj.pk).update(**{field.attname: value})
        except IntegrityError:
            pass


# --- Reading the page -------------------------------------------------------------------------


class ResultTable(HTMLParser):
    """The changelist's #result_list: column titles and each row's cell texts."""

    def __init__(self):
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._table = self._head = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "result_list":
            self._table = True
        elif self._table and tag == "thead":
            self._head = True
        elif self._table and tag == "tr" and not self._head:
            self.rows.append([])
        elif self._table and tag in ("th", "td"):
            self._cell = []
        elif (
            self._cell is not None
            and tag == "span"
            and "sortpriority" in (attrs.get("class") or "")
        ):
            self._cell.append("\0")  # the sort priority number is not part of the title

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = False
        elif tag == "thead":
            self._head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split("\0")[0].split())
            (self.headers if self._head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _month_names() -> str:
    """Django's month names in both languages, as the lists print them (Arabic April is
    "إبريل"; a hand-written "أبريل" once failed every row that fell in April)."""
    names = []
    for language in ("ar", "en"):
        with translation.override(language):
            names += [str(month) for month in MONTHS.values()]
    return "|".join(names)


GREGORIAN_MONTHS = _month_names()
GREGORIAN = re.compile(rf"\d{{1,2}} ({GREGORIAN_MONTHS}) \d{{4}}م?")
HIJRI = re.compile(r"\d{1,2} \S+( \S+)? \d{4} هـ")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Column titles that are codes everyone reads as they are.
LATIN_TITLES = {"", "ID", "IP", "PDF", "HTTP"}
DEFINITE_AFTER_NUMBER = re.compile(r"\d\s+ال")


def one_calendar_only(text: str) -> bool:
    """A cell showing a date in one calendar, or an ISO date."""
    if ISO_DATE.search(text):
        return True
    has_gregorian, has_hijri = bool(GREGORIAN.search(text)), bool(HIJRI.search(text))
    return has_gregorian != has_hijri


def both_calendars(text: str) -> bool:
    return bool(GREGORIAN.search(text)) and bool(HIJRI.search(text))


def test_the_calendar_patterns_know_every_month_as_the_arabic_lists_print_it():
    for month in range(1, 13):
        day = dt.date(2032, month, 1)
        shown = f"{format_hijri(day, 'ar')} {format_gregorian(day, 'ar')}"
        assert both_calendars(shown), shown
        assert not one_calendar_only(shown), shown


def is_date_column(model, model_admin, column) -> bool:
    if callable(column):
        name = getattr(column, "dual_calendar_of", None) or getattr(
            column, "admin_order_field", None
        )
    else:
        attr = getattr(model_admin, column, None)
        name = getattr(attr, "admin_order_field", None) if attr is not None else column
    if not isinstance(name, str) or "__" in name:
        return False
    try:
        return isinstance(model._meta.get_field(name.lstrip("-")), models.DateField)
    except Exception:
        return False


# --- The walk ---------------------------------------------------------------------------------


# Lists that open on a queue: the query that lists every row.
LIST_QUERY = {"admin-job_audit.VariableRequest": "?queue=all"}
# Rows a list shows only in a later state: what moves the seeded row there.
SHOWN_AFTER = {
    "admin-job_audit.VariableRequest": lambda obj: (
        type(obj).objects.filter(pk=obj.pk).update(status="submitted", due_at=timezone.now())
    ),
}


def _returned_for_changes(request):
    # A request the ministry returned: listed by both consoles (drafts are the entity's own)
    # and with the entity's deadline for the changes to show.
    type(request).objects.filter(pk=request.pk).update(
        status="returned", decision_note="Justify the upgrade."
    )


# Rows that need a later state than their factory leaves them in, to show every date column.
LATER_STATE = {"job_audit.variablerequest": _returned_for_changes}


def _cases():
    return [
        pytest.param(site_name, model, id=f"{site_name}-{model._meta.label}")
        for site_name, site in (("hr", hr_site), ("admin", admin.site))
        for model in site._registry
    ]


@pytest.fixture(autouse=True)
def _fresh_objects():
    _MADE.clear()
    yield
    _MADE.clear()


def test_every_registered_console_model_has_a_row_factory():
    known = set(ABOUT_A_PERSON) | set(OF_AN_ENTITY) | set(MINISTRY_ONLY)
    missing = sorted(
        model._meta.label_lower
        for site in (hr_site, admin.site)
        for model in site._registry
        if model._meta.label_lower not in known
    )
    assert not missing, f"register a row factory in tests/test_console_columns.py: {missing}"


@pytest.mark.parametrize(("site_name", "model"), _cases())
def test_every_console_list_shows_both_calendars_arabic_titles_and_arabic_counts(
    client, site_name, model
):
    entity = EntityFactory()
    signed_in(client, site_name, entity)
    subject = EmployeeFactory(entity=entity)
    obj = make_row(model, entity, subject)
    LATER_STATE.get(model._meta.label_lower, lambda obj: None)(obj)
    fill_empty_dates(obj)
    if f"{site_name}-{model._meta.label}" in SHOWN_AFTER:
        SHOWN_AFTER[f"{site_name}-{model._meta.label}"](obj)
    url = reverse(f"{site_name}:{model._meta.app_label}_{model._meta.model_name}_changelist")
    url += LIST_QUERY.get(f"{site_name}-{model._meta.label}", "")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    cl = response.context["cl"]
    table = ResultTable()
    table.feed(response.content.decode())
    assert table.rows, f"{url}: the seeded row is not listed"
    assert len(table.headers) == len(cl.list_display)

    untranslated = [
        title
        for title in table.headers
        if title.upper() not in LATIN_TITLES and not ARABIC_LETTER.search(title)
    ]
    assert not untranslated, f"{url}: column titles not in Arabic: {untranslated}"

    one_calendar = [cell for row in table.rows for cell in row if one_calendar_only(cell)]
    assert not one_calendar, f"{url}: dates in one calendar only: {one_calendar}"
    for index, column in enumerate(cl.list_display):
        if not is_date_column(model, cl.model_admin, column):
            continue
        shown = [row[index] for row in table.rows if row[index] not in ("", "-", "—")]
        # Every date column shows the date filled in above (LATER_STATE puts rows in the
        # state where a computed date, such as a deadline only while returned, appears).
        assert shown, f"{url}: the date column {table.headers[index]!r} is empty on every row"
        # A date, in both calendars; or words in place of one ("Paused: returned ...").
        dated = [cell for cell in shown if re.search(r"\d", cell)]
        assert all(both_calendars(cell) for cell in dated), (table.headers[index], shown)

    assert not DEFINITE_AFTER_NUMBER.search(cl.count_words), (url, cl.count_words)


def test_the_cells_show_hijri_then_gregorian_and_the_time(client):
    from core.console_lists import dual_calendar

    moment = timezone.make_aware(dt.datetime(2026, 12, 2, 15, 30))
    text = re.sub(r"<[^>]+>", "", str(dual_calendar(moment)))
    assert text.index("هـ") < text.index("ديسمبر")
    assert "1448 هـ" in text and "2 ديسمبر 2026م" in text and "15:30" in text
    assert dual_calendar(None) is None


def test_counts_use_the_arabic_plural_forms():
    from django.utils import translation

    from core.console_lists import count_text
    from employment_records.models import GovernmentEntity
    from grievances.models import Grievance

    grievances = hr_site._registry[Grievance]
    entities = admin.site._registry[GovernmentEntity]
    with translation.override("ar"):
        assert count_text(grievances, 1) == "تظلم واحد"
        assert count_text(grievances, 2) == "تظلمان"
        assert count_text(grievances, 3) == "3 تظلمات"
        assert count_text(grievances, 11) == "11 تظلماً"
        assert count_text(grievances, 100) == "100 تظلم"
        assert count_text(grievances, 1001, exact=False) == "التظلمات: أكثر من 1001"
        assert count_text(grievances, 5000, exact=False, estimate=True) == "التظلمات: نحو 5000"
        # A model whose admin names no plural forms: the plural as a label, then the number.
        assert count_text(entities, 3) == "الجهات الحكومية: 3"
        select_all = translation.gettext("Select all %(total_count)s %(module_name)s") % {
            "total_count": 30,
            "module_name": "التظلمات",
        }
        assert not DEFINITE_AFTER_NUMBER.search(select_all)
    with translation.override("en"):
        assert count_text(grievances, 3) == "3 grievances"


@pytest.mark.parametrize("site_name", ["hr", "admin"])
def test_the_nationality_filter_offers_nationalities_in_words(client, site_name):
    entity = EntityFactory()
    signed_in(client, site_name, entity)
    resident = EmployeeFactory(entity=entity, saudi=False)  # Egyptian
    saudi = EmployeeFactory(entity=entity)
    url = reverse(f"{site_name}:employment_records_employee_changelist")
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "مصري" in body and "أردني" in body and "سعودي" in body
    assert not re.search(r">\s*(EG|JO)\s*<", body)  # no bare code as a choice
    listed = client.get(url, {"nationality": "EG"}).context["cl"].result_list
    assert [e.pk for e in listed] == [resident.pk]
    not_saudi = client.get(url, {"nationality": "not_sa"}).context["cl"].result_list
    assert saudi.pk not in {e.pk for e in not_saudi}


def test_the_ministry_index_lists_the_portals_apps_first_and_the_oauth_toolkit_last(client):
    signed_in(client, "admin", EntityFactory())
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ar")
    apps = [app["app_label"] for app in response.context["app_list"]]
    assert apps[0] in ("core", "accounts", "employment_records")
    assert apps[-1] == "oauth2_provider"
    assert apps.index("grievances") < apps.index("auth") < apps.index("nafath_sim")
    oauth = response.context["app_list"][-1]
    assert str(oauth["name"]) == "محاكي نفاذ: سجلات OAuth"
    assert all(ARABIC_LETTER.search(str(model["name"])) for model in oauth["models"])
    assert "Django OAuth Toolkit" not in response.content.decode()
