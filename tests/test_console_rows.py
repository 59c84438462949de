"""A console list's rows written column by column, and the sidebar's app list kept a minute per
user (issue 16): the same HTML as Django's own code writes, and no user ever shown another's
sidebar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory, sign_in_verified
from core import console_lists
from core.hr_admin import MINISTRY_HELP_DESK, sync_role_groups
from employment_records.models import Employee
from employment_records.tests.factories import ActionFactory, EmployeeFactory, EntityFactory
from tests.test_console_lists import REGISTRIES
from tests.test_console_lists import _signed_in as signed_in

pytestmark = pytest.mark.django_db


def _changelist(site_name, model, query=""):
    name = f"{site_name}:{model._meta.app_label}_{model._meta.model_name}_changelist"
    return reverse(name) + query


def _djangos_rows(cl) -> list[str]:
    return ["".join(items_for_result(cl, result, None)) for result in cl.result_list]


@pytest.fixture
def entity():
    entity = EntityFactory()
    # Names that need escaping, dates, actions.
    for first_name in ('<script>alert("x")</script>', "عبد & الله", "سارة"):
        employee = EmployeeFactory(entity=entity, first_name_ar=first_name)
        ActionFactory(employee=employee, decision_date=dt.date(2025, 3, 1))
    return entity


@pytest.mark.parametrize(("site_name", "model"), REGISTRIES)
def test_every_lists_rows_are_the_html_djangos_admin_writes(client, entity, site_name, model):
    signed_in(client, site_name, entity)
    response = client.get(_changelist(site_name, model), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    if "cl" not in response.context:  # a list page of its own (a work list)
        return
    cl = response.context["cl"]
    expected = _djangos_rows(cl)
    rows = response.context.get("results") or []
    assert [row.html for row in rows] == expected
    content = response.content.decode()
    for html in expected:
        assert f"<tr>{html}</tr>" in content


@pytest.mark.parametrize("site_name", ["hr", "admin"])
@pytest.mark.parametrize("query", ["?q=%D8%B3%D8%A7%D8%B1%D8%A9", "?_popup=1", "?o=-2.1"])
def test_links_keep_the_lists_filters_and_popups_as_django_writes_them(
    client, entity, site_name, query
):
    signed_in(client, site_name, entity)
    response = client.get(_changelist(site_name, Employee, query), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.result_list
    assert [row.html for row in response.context["results"]] == _djangos_rows(cl)
    if query.startswith("?q="):
        assert "_changelist_filters=q%3D" in response.context["results"][0].html


def test_a_page_is_written_without_djangos_per_cell_code(client, entity, monkeypatch):
    calls = []
    original = console_lists.items_for_result
    monkeypatch.setattr(
        console_lists, "items_for_result", lambda *a: calls.append(a) or original(*a)
    )
    signed_in(client, "hr", entity)
    response = client.get(_changelist("hr", Employee))
    assert len(response.context["cl"].result_list) >= 3
    assert all(isinstance(row, console_lists.ConsoleRow) for row in response.context["results"])
    assert calls == []


# --- The sidebar's app list -------------------------------------------------------------------


@pytest.fixture
def builds(monkeypatch):
    """How many times an admin site worked its app list out (Django's get_app_list)."""
    counted = []
    original = AdminSite.get_app_list

    def counting(self, request, app_label=None):
        counted.append((self.name, request.user.pk, app_label))
        return original(self, request, app_label)

    monkeypatch.setattr(AdminSite, "get_app_list", counting)
    return counted


def _models_in_sidebar(response) -> set[str]:
    return {
        model["object_name"]
        for app in response.context["available_apps"]
        for model in app["models"]
    }


def _help_desk():
    sync_role_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=MINISTRY_HELP_DESK))
    return user


def test_the_app_list_is_worked_out_once_a_minute_per_user_and_language(
    client, entity, builds, monkeypatch
):
    signed_in(client, "hr", entity)
    url = _changelist("hr", Employee)
    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    client.get(reverse("hr:index"), HTTP_ACCEPT_LANGUAGE="ar")
    assert len(builds) == 1
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert len(builds) == 2  # another language: its own list, in its own words
    assert 'lang="ar"' in arabic.content.decode() and 'lang="en"' in english.content.decode()
    later = console_lists.time.monotonic() + console_lists.APP_LIST_TTL + 1
    monkeypatch.setattr(console_lists.time, "monotonic", lambda: later)
    client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    assert len(builds) == 3  # a minute on: worked out again


def test_each_user_sees_their_own_app_list(client, builds):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    help_desk = _help_desk()
    url = reverse("admin:accounts_signinguard_changelist")
    sign_in_verified(client, superuser)
    everything = _models_in_sidebar(client.get(url))
    sign_in_verified(client, help_desk)
    own = _models_in_sidebar(client.get(url))
    assert len(builds) == 2
    assert "SignInGuard" in own and "Employee" in own
    assert "Position" in everything and "Position" not in own
    assert own < everything
    # And the superuser's list, kept, is still theirs.
    sign_in_verified(client, superuser)
    assert _models_in_sidebar(client.get(url)) == everything
    assert len(builds) == 2


def test_a_kept_app_list_is_copied_out(rf):
    user = UserFactory(is_staff=True, is_superuser=True)
    request = rf.get("/admin/")
    request.user = user
    first = admin.site.get_app_list(request)
    first[0]["name"] = "changed"
    first[0]["models"][0]["admin_url"] = "/elsewhere/"
    first.pop()
    again = admin.site.get_app_list(request)
    assert again[0]["name"] != "changed"
    assert again[0]["models"][0]["admin_url"] != "/elsewhere/"
    assert len(again) == len(first) + 1


def test_the_app_list_keeps_its_size_bounded():
    kept = console_lists.TTLCache(ttl=60, size=2)
    for key in ("a", "b", "c"):
        kept.set(key, key.upper())
    assert kept.get("a") is None
    assert (kept.get("b"), kept.get("c")) == ("B", "C")


# --- The sidebar, written once per distinct content -------------------------------------------


def _djangos_sidebar(context, request) -> str:
    from pathlib import Path

    import django
    from django.template import engines

    source = Path(django.__file__).parent / "contrib/admin/templates/admin/nav_sidebar.html"
    return engines["django"].from_string(source.read_text()).render(context, request)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_sidebar_is_djangos_whether_written_or_kept(rf, language):
    from django.template.loader import get_template
    from django.utils import translation

    console_lists.sidebar_cache.clear()
    user = _help_desk()
    ours = get_template("admin/nav_sidebar.html")
    for path in ("/admin/accounts/signinguard/", "/admin/accounts/user/3/change/", "/admin/"):
        request = rf.get(path)
        request.user = user
        with translation.override(language):
            context = {"available_apps": admin.site.get_app_list(request)}
            expected = _djangos_sidebar(context, request)
            assert ours.render(context, request) == expected  # written
            assert ours.render(context, request) == expected  # kept
    assert len(console_lists.sidebar_cache._entries) == 3


def test_the_sidebar_differs_by_user_and_marks_the_current_page(client):
    console_lists.sidebar_cache.clear()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, superuser)
    guards = client.get(reverse("admin:accounts_signinguard_changelist")).content.decode()
    users = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert 'class="model-signinguard current-model"' in guards
    assert 'class="model-user current-model"' in users
    assert 'class="model-signinguard current-model"' not in users
    sign_in_verified(client, _help_desk())
    help_desk = client.get(reverse("admin:accounts_signinguard_changelist")).content.decode()
    assert "model-position" in guards and "model-position" not in help_desk


def test_an_apps_own_page_is_worked_out_afresh(client, builds):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, superuser)
    client.get(reverse("admin:app_list", args=("accounts",)))
    client.get(reverse("admin:app_list", args=("accounts",)))
    assert [b[2] for b in builds].count("accounts") == 2
