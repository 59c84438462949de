"""The Python cost of a console list's rows (issue 16): work done once per page stays once per
page. A reverse() per row, a form-widget template per checkbox and both calendars formatted
afresh for every date cell were most of a 100-row page's time; these tests fail if any of them
comes back (the count of calls grows with the rows), and check the markup did not change."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.urls import base as urls_base
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from core import console_lists, dates
from employment_records.models import Employee, EmploymentAction
from employment_records.tests.factories import ActionFactory, EmployeeFactory, EntityFactory
from tests.test_console_lists import _signed_in as signed_in

pytestmark = pytest.mark.django_db

PAGES = [
    ("hr", Employee),
    ("hr", EmploymentAction),
    ("admin", Employee),
    ("admin", EmploymentAction),
]


class Counted:
    """Counts the calls of a module function while it is patched in."""

    def __init__(self, monkeypatch, module, name):
        self.calls = 0
        original = getattr(module, name)

        def counting(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)


def _changelist(site_name, model):
    return reverse(f"{site_name}:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _add_rows(entity, count):
    # One decision date and one effective date for every action: a real page repeats dates.
    for employee in EmployeeFactory.create_batch(count, entity=entity):
        ActionFactory(
            employee=employee,
            decision_date=dt.date(2025, 3, 1),
            effective_date=dt.date(2025, 4, 1),
        )


@pytest.mark.parametrize(("site_name", "model"), PAGES, ids=lambda v: getattr(v, "__name__", v))
def test_a_pages_reverse_and_date_calls_do_not_grow_with_its_rows(
    client, monkeypatch, site_name, model
):
    entity = EntityFactory()
    signed_in(client, site_name, entity)
    url = _changelist(site_name, model)
    reverses = Counted(monkeypatch, urls_base, "reverse")
    hijri = Counted(monkeypatch, dates, "format_hijri")
    calls = []
    for added in (3, 6):
        _add_rows(entity, added)
        console_lists._dual_calendar.cache_clear()
        reverses.calls = hijri.calls = 0
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
        assert response.status_code == 200
        shown = len(response.context["cl"].result_list)
        calls.append((shown, reverses.calls, hijri.calls))
    (few, reverse_few, hijri_few), (many, reverse_many, hijri_many) = calls
    assert many > few
    assert reverse_many == reverse_few, calls  # the change links: one reverse() per page
    assert hijri_many == hijri_few, calls  # each distinct date formatted once


def test_the_row_links_are_what_reverse_gives(client):
    entity = EntityFactory()
    signed_in(client, "hr", entity)
    _add_rows(entity, 3)
    response = client.get(_changelist("hr", Employee))
    cl = response.context["cl"]
    for row in cl.result_list:
        expected = reverse(
            "hr:employment_records_employee_change", args=(row.pk,), current_app="hr"
        )
        assert cl.url_for_result(row) == expected
        assert f'href="{expected}' in response.content.decode()


def test_the_row_checkbox_is_djangos_markup():
    """Written out instead of rendered by CheckboxInput's template: the same HTML, the
    object's name escaped once."""
    employee = EmployeeFactory.build(pk=41, first_name_ar='<عبد&"الله>')
    model_admin = admin.site._registry[Employee]
    with translation.override("ar"):
        django_markup = forms.CheckboxInput(
            {
                "class": "action-select",
                "aria-label": format_html(
                    translation.gettext("Select this object for an action - {}"), str(employee)
                ),
            },
            lambda value: False,
        ).render(helpers.ACTION_CHECKBOX_NAME, "41")
        assert model_admin.action_checkbox(employee) == django_markup
        assert "&lt;عبد&amp;&quot;الله&gt;" in model_admin.action_checkbox(employee)


def test_dual_calendar_follows_the_language_it_is_asked_in():
    day = dt.date(2026, 12, 2)
    with translation.override("ar"):
        arabic = str(console_lists.dual_calendar(day))
    with translation.override("en"):
        english = str(console_lists.dual_calendar(day))
    assert "ديسمبر" in arabic and "هـ" in arabic
    assert "December" in english and "AH" in english
