"""core.drafts: drafts are the owner's alone, expire, and keep what was typed as typed."""

import datetime as dt
import uuid

import pytest
from django import forms
from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core import drafts
from core.dates import DualCalendarDateField
from core.models import Draft

pytestmark = pytest.mark.django_db


class DateForm(forms.Form):
    when = DualCalendarDateField(label="When")
    note = forms.CharField(label="Note", required=False)


def test_a_step_is_kept_as_typed_and_binds_again():
    owner = UserFactory()
    sent = QueryDict(mutable=True)
    sent.update({"when_calendar": "hijri", "when_date": "١٤٤٨-٠٦-٠١", "note": "x", "other": "y"})
    form = DateForm(sent)
    assert form.is_valid()
    draft = drafts.save_draft_step(
        owner=owner,
        service="test",
        draft=None,
        step="one",
        next_step="review",
        raw=drafts._raw_from(form, sent),
    )
    assert draft.data == {
        "one": {"when_calendar": ["hijri"], "when_date": ["١٤٤٨-٠٦-٠١"], "note": ["x"]}
    }
    flow = drafts.StepFlow(
        service="test", steps=[drafts.Step("one", "One", DateForm)], url_prefix="unused"
    )
    again = flow.form(flow.get_step("one"), draft)
    assert again.is_bound and again.is_valid()
    assert again.cleaned_data["when"] == form.cleaned_data["when"]


def test_a_draft_is_its_owners_only_and_not_past_its_keeping_period():
    owner, other = UserFactory(), UserFactory()
    draft = Draft.objects.create(reference=uuid.uuid4(), owner=owner, service="grievances")
    found = drafts.access_draft(owner=owner, service="grievances", reference=draft.reference)
    assert found == draft
    for who, service, reference in (
        (other, "grievances", draft.reference),
        (owner, "corrections", draft.reference),
        (owner, "grievances", "not-a-uuid"),
    ):
        with pytest.raises(Http404):
            drafts.access_draft(owner=who, service=service, reference=reference)
    Draft.objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=settings.DRAFT_KEEP_DAYS, minutes=1)
    )
    with pytest.raises(Http404):
        drafts.access_draft(owner=owner, service="grievances", reference=draft.reference)
    assert drafts.latest_draft(owner=owner, service="grievances") is None
    assert drafts.delete_expired_drafts() == 1


def test_the_nightly_cleanup_is_scheduled():
    from core.tasks import delete_expired_drafts

    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-drafts"]
    assert entry["task"] == delete_expired_drafts.name
    assert delete_expired_drafts() == 0  # safe to run when there is nothing to do


def test_indicator_marks_done_current_and_review():
    flow = drafts.StepFlow(
        service="test",
        steps=[drafts.Step("a", "A", DateForm), drafts.Step("b", "B", DateForm)],
        url_prefix="unused",
    )
    steps = flow.indicator("b")
    assert [(s["title"], s["done"], s["current"]) for s in steps] == [
        ("A", True, False),
        ("B", False, True),
        (flow.review_title, False, False),
    ]
    assert flow.next_after("b") == drafts.REVIEW and flow.previous_before("a") is None
