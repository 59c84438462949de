"""Notification kinds are registered enumerations, like audit actions: each `sms/<kind>.txt`
template has a kind with a translated label, `notify()` refuses a kind nobody registered, and
the ministry's outbox list names kinds in words, not by their template names."""

from pathlib import Path

import pytest
from django.apps import apps
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory, sign_in_verified
from core.models import Notification
from core.notifications import (
    UnregisteredNotificationKind,
    kind_label,
    notify,
    registered_kinds,
)


def sms_templates() -> set[str]:
    kinds = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates" / "sms"
        kinds |= {path.stem for path in folder.glob("*.txt")}
    return kinds


def test_every_sms_template_has_a_registered_kind_and_every_kind_a_template():
    registered = set(registered_kinds())
    assert sms_templates() - registered == set(), "templates whose kind nobody registered"
    assert registered - sms_templates() == set(), "kinds without an sms/<kind>.txt"
    for kind in registered:
        get_template(f"sms/{kind}.txt")


def test_every_kind_has_an_arabic_label():
    untranslated = []
    for kind, label in registered_kinds().items():
        with translation.override("en"):
            english = str(label)
        with translation.override("ar"):
            arabic = str(label)
        if arabic == english or not any("\u0600" <= char <= "\u06ff" for char in arabic):
            untranslated.append(kind)
    assert untranslated == []


@pytest.mark.django_db
def test_notify_refuses_an_unregistered_kind_and_writes_nothing():
    user = UserFactory()
    with pytest.raises(UnregisteredNotificationKind):
        notify(user=user, kind="grievance_statuss", context={"number": "G-1"})
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_shown_as_its_code():
    # Rows written before the enumeration, or by an app since removed, stay readable.
    assert kind_label("retired_kind") == "retired_kind"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Password changed"), ("ar", "غُيّرت كلمة المرور")],
)
def test_the_ministry_outbox_names_kinds_in_words(client, language, label):
    staff = UserFactory(is_staff=True, is_superuser=True, preferred_language=language)
    notify(user=UserFactory(), kind="password_changed")
    sign_in_verified(client, staff)
    client.cookies["django_language"] = language
    url = reverse("admin:core_notification_changelist")

    page = client.get(url, headers={"accept-language": language}).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert label in rows
    assert "password_changed" not in rows
    # The filter offers the kinds in words, and filtering by one keeps its rows.
    filter_panel = page.split('id="changelist-filter"')[1]
    assert label in filter_panel
    assert client.get(url, {"kind": "password_changed"}).context["cl"].result_count == 1
    assert client.get(url, {"kind": "sign_in_code"}).context["cl"].result_count == 0

    row = Notification.objects.get()
    detail = client.get(reverse("admin:core_notification_change", args=[row.pk]))
    assert label in detail.content.decode()
