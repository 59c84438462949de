"""Forms in steps, kept as server-side drafts, checked on one page before they are submitted.

A service declares its steps once (`StepFlow`: each `Step` a name, a title and a form class)
and its views use the flow for the rest:

- every step's "Continue" saves what was typed to the person's `Draft` (created by the first
  step), so a draft survives sign-out, a closed browser and another device, and files uploaded
  at a step are checked and stored at once: going back and forth, or an error on another
  field, never loses them;
- a step opened again shows what was saved, with its errors if it no longer validates;
- the review page ("check your answers") lists every answer with a link back to its step;
  submission validates every step again, and the service's own write takes over the draft
  (`consume_draft`) in its transaction;
- drafts are read only through the owner-scoped selectors below (another person's reference,
  or an expired draft, is a 404), and are deleted `DRAFT_KEEP_DAYS` after their last change by
  the beat task `core.tasks.delete_expired_drafts`.

The pages are shared (`templates/core/draft_step.html`, `draft_review.html`,
`draft_discard.html`); each service passes its own titles and breadcrumbs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from .dates import format_gregorian, format_hijri
from .models import Draft, DraftAttachment
from .uploads import (
    CheckedUpload,
    attachment_response,
    files_removed_on_rollback,
    store_privately,
)

REVIEW = "review"


def keep_days() -> int:
    return int(getattr(settings, "DRAFT_KEEP_DAYS", 30))


def expires_on(draft: Draft) -> dt.date:
    """The last day the draft is kept without a change."""
    return timezone.localdate(draft.updated_at) + dt.timedelta(days=keep_days())


# --- selectors -----------------------------------------------------------------------------


def _live(*, owner, service: str):
    since = timezone.now() - dt.timedelta(days=keep_days())
    return Draft.objects.filter(owner=owner, service=service, updated_at__gte=since)


def drafts_of(*, owner, service: str) -> list[Draft]:
    """The person's drafts of one service, most recently changed first."""
    return list(_live(owner=owner, service=service))


def latest_draft(*, owner, service: str, subject: str | None = None) -> Draft | None:
    drafts = _live(owner=owner, service=service)
    if subject is not None:
        drafts = drafts.filter(subject=subject)
    return drafts.first()


def access_draft(*, owner, service: str, reference) -> Draft:
    """The person's own live draft of this service, or 404: another person's reference, a
    submitted or discarded one, or one past its keeping period reveals nothing."""
    try:
        reference = uuid.UUID(str(reference))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        _live(owner=owner, service=service).prefetch_related("attachments"), reference=reference
    )


def access_draft_attachment(*, draft: Draft, attachment_id) -> DraftAttachment:
    return get_object_or_404(DraftAttachment, draft=draft, pk=attachment_id)


# --- services ------------------------------------------------------------------------------


def save_draft_step(
    *,
    owner,
    service: str,
    draft: Draft | None,
    step: str,
    next_step: str,
    raw: dict[str, list[str]],
    uploads: Iterable[CheckedUpload] = (),
    subject: str = "",
) -> Draft:
    """Keep one step's answers (and its checked files) on the person's draft, creating the
    draft at the first step. One transaction; a file stored before a failure is removed."""
    with files_removed_on_rollback() as stored, transaction.atomic():
        now = timezone.now()
        if draft is None:
            draft = Draft.objects.create(
                reference=uuid.uuid4(),
                owner=owner,
                service=service,
                subject=subject,
                created_at=now,
                updated_at=now,
            )
        else:
            # Locked so two tabs saving steps of the same draft do not lose each other's step.
            draft = Draft.objects.select_for_update().get(pk=draft.pk)
        draft.data = {**draft.data, step: raw}
        draft.step = next_step
        draft.updated_at = now
        draft.save(update_fields=["data", "step", "updated_at"])
        for checked in uploads:
            name = store_privately(checked, folder=f"drafts/{draft.reference.hex}")
            stored.append(name)
            DraftAttachment.objects.create(
                draft=draft,
                step=step,
                storage_name=name,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
            )
    return draft


def _delete_files_after_commit(names: list[str]) -> None:
    def delete():
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)


def remove_draft_attachment(*, draft: Draft, attachment_id) -> None:
    with transaction.atomic():
        attachment = access_draft_attachment(draft=draft, attachment_id=attachment_id)
        attachment.delete()
        Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
        _delete_files_after_commit([attachment.storage_name])


def discard_draft(*, draft: Draft) -> None:
    """The person's own choice: the draft and its files are gone."""
    with transaction.atomic():
        names = list(draft.attachments.values_list("storage_name", flat=True))
        draft.delete()
        _delete_files_after_commit(names)


def consume_draft(*, draft: Draft) -> None:
    """Called by a service inside the transaction that files what the draft held: the draft
    goes, its stored files stay (the service's attachment rows now name them)."""
    Draft.objects.filter(pk=draft.pk).delete()


def take_over_draft(*, draft: Draft, attachment_model, **owner) -> None:
    """In the service's transaction: each file the draft holds (already checked and stored)
    becomes a row of the service's own `PrivateAttachment` model, given its owner's key
    (`grievance=...`, `request=...`), and the draft goes."""
    for kept in draft.attachments.all():
        attachment_model.objects.create(
            storage_name=kept.storage_name,
            original_name=kept.original_name,
            content_type=kept.content_type,
            size=kept.size,
            **owner,
        )
    consume_draft(draft=draft)


def delete_expired_drafts(*, now: dt.datetime | None = None) -> int:
    """Beat: drafts unchanged for `DRAFT_KEEP_DAYS` are deleted with their files."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days())
    expired = Draft.objects.filter(updated_at__lt=cutoff)
    with transaction.atomic():
        names = list(
            DraftAttachment.objects.filter(draft__in=expired).values_list("storage_name", flat=True)
        )
        count = expired.count()
        expired.delete()
        _delete_files_after_commit(names)
    return count


# --- the steps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    form_class: type[forms.Form]
    # The step's file field, if any: its files are stored on the draft when the step is saved
    # and listed (with a way to remove each) whenever the step is shown again.
    files: str | None = None
    lead: str = ""


@dataclass
class Section:
    """One step on the review page: its answers and the link back to change them."""

    step: Step
    rows: list[tuple[str, str, str]]  # (question, answer, link to change it)
    change_url: str
    files: list[tuple] = field(default_factory=list)  # (file, download link, remove link)
    files_label: str = ""


def _raw_from(form: forms.Form, data) -> dict[str, list[str]]:
    """What was sent for the form's own fields (a date's calendar and digits included), as
    lists of strings: stored as typed, so the step reads back exactly as it was left."""
    raw = {}
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.FileField):
            continue
        prefixed = form.add_prefix(name)
        for key in data:
            if key == prefixed or key.startswith(prefixed + "_"):
                raw[key] = data.getlist(key)
    return raw


def display_value(form_field: forms.Field, value) -> str:
    """An answer as the person reads it on the review page."""
    if value in (None, "", [], ()):
        return str(_("Not given"))
    if isinstance(form_field, forms.ModelChoiceField):
        return str(form_field.label_from_instance(value))
    if isinstance(form_field, forms.ChoiceField):
        choices = dict(form_field.choices)
        return str(choices.get(value, value))
    if isinstance(value, dt.date):
        return f"{format_hijri(value)} ({format_gregorian(value)})"
    return str(value)


class StepFlow:
    """The ordered steps of one service's form; the review step comes after the last one.

    `url_prefix` names the service's URLs: `<prefix>_step` (reference, step), `<prefix>_review`,
    `<prefix>_discard` and `<prefix>_file` / `<prefix>_file_remove` (reference, attachment id).
    """

    def __init__(self, *, service: str, steps: list[Step], url_prefix: str, review_title=None):
        self.service = service
        self.steps = steps
        self.url_prefix = url_prefix
        self.review_title = review_title or _("Check your answers")
        self._by_name = {step.name: step for step in steps}

    # where things are

    def get_step(self, name: str) -> Step:
        try:
            return self._by_name[name]
        except KeyError:
            raise Http404 from None

    def next_after(self, name: str) -> str:
        names = [step.name for step in self.steps]
        index = names.index(name)
        return names[index + 1] if index + 1 < len(names) else REVIEW

    def previous_before(self, name: str) -> str | None:
        names = [step.name for step in self.steps] + [REVIEW]
        index = names.index(name)
        return names[index - 1] if index > 0 else None

    def step_url(self, draft: Draft, name: str) -> str:
        if name == REVIEW:
            return reverse(f"{self.url_prefix}_review", args=[draft.reference])
        return reverse(f"{self.url_prefix}_step", args=[draft.reference, name])

    def file_url(self, draft: Draft, attachment: DraftAttachment) -> str:
        return reverse(f"{self.url_prefix}_file", args=[draft.reference, attachment.pk])

    def file_remove_url(self, draft: Draft, attachment: DraftAttachment) -> str:
        return reverse(f"{self.url_prefix}_file_remove", args=[draft.reference, attachment.pk])

    def discard_url(self, draft: Draft) -> str:
        return reverse(f"{self.url_prefix}_discard", args=[draft.reference])

    def resume_url(self, draft: Draft) -> str:
        """Where a person coming back continues: the first step not yet answered, or, when
        every step is, the review page."""
        for step in self.steps:
            if step.name not in draft.data:
                return self.step_url(draft, step.name)
        return self.step_url(draft, REVIEW)

    def indicator(self, current: str) -> list[dict]:
        """The step list shown above every step: its titles, which is current, which are done."""
        names = [step.name for step in self.steps] + [REVIEW]
        titles = [step.title for step in self.steps] + [self.review_title]
        position = names.index(current)
        return [
            {
                "title": title,
                "number": index + 1,
                "current": index == position,
                "done": index < position,
            }
            for index, title in enumerate(titles)
        ]

    # forms

    def form(self, step: Step, draft: Draft | None, *, data=None, files=None, **kwargs):
        """The step's form: bound to what was sent, else to what the draft holds for it (so
        it shows its errors again if it no longer validates), else empty."""
        if data is None and draft is not None and step.name in draft.data:
            data = MultiValueDict(draft.data[step.name])
        return step.form_class(data=data, files=files, **kwargs)

    def files_of(self, draft: Draft | None, step: Step) -> list[DraftAttachment]:
        if draft is None or not step.files:
            return []
        return [
            attachment for attachment in draft.attachments.all() if attachment.step == step.name
        ]

    def save(
        self, *, owner, draft: Draft | None, step: Step, form, data, subject=""
    ) -> Draft | None:
        """Keep a valid step form on the draft (created at the first step). None, with the
        error on the form's file field, when the files kept and new would be too many."""
        uploads = form.cleaned_data.get(step.files, []) if step.files else []
        if uploads and len(self.files_of(draft, step)) + len(uploads) > settings.UPLOAD_MAX_FILES:
            form.add_error(
                step.files,
                ValidationError(
                    _("Attach at most %(count)s files."),
                    code="too_many",
                    params={"count": settings.UPLOAD_MAX_FILES},
                ),
            )
            return None
        return save_draft_step(
            owner=owner,
            service=self.service,
            draft=draft,
            step=step.name,
            next_step=self.next_after(step.name),
            raw=_raw_from(form, data),
            uploads=uploads,
            subject=subject,
        )

    def validated(self, draft: Draft, form_kwargs: Callable[[Step], dict] | None = None):
        """Every step's form bound to the draft and validated: (forms by name, the first step
        that is missing or invalid, or None when all are complete)."""
        forms_by_name, first_bad = {}, None
        for step in self.steps:
            kwargs = form_kwargs(step) if form_kwargs else {}
            form = self.form(step, draft, **kwargs)
            forms_by_name[step.name] = form
            complete = step.name in draft.data and form.is_valid()
            if not complete and first_bad is None:
                first_bad = step.name
        return forms_by_name, first_bad

    def summary(self, draft: Draft, forms_by_name: dict) -> list[Section]:
        """The review page: each step's answers in the order asked, each with the link that
        opens its step at its input."""
        sections = []
        for step in self.steps:
            form = forms_by_name[step.name]
            change_url = self.step_url(draft, step.name) + "?from=review"
            cleaned = getattr(form, "cleaned_data", {})
            rows = []
            for name, form_field in form.fields.items():
                if form_field.widget.is_hidden or name == step.files:
                    continue
                bound = form[name]
                anchor = f"{bound.auto_id}_0" if bound.use_fieldset else bound.id_for_label
                value = display_value(form_field, cleaned.get(name))
                rows.append((str(form_field.label), value, f"{change_url}#{anchor}"))
            files_label = str(form.fields[step.files].label) if step.files else ""
            sections.append(
                Section(
                    step=step,
                    rows=rows,
                    change_url=change_url,
                    files=self.file_links(draft, step),
                    files_label=files_label,
                )
            )
        return sections

    def kept_files(self, draft: Draft) -> list[DraftAttachment]:
        return list(draft.attachments.all())

    def file_links(self, draft: Draft | None, step: Step) -> list[tuple]:
        """(file, download link, remove link) for the files a step holds."""
        return [
            (attachment, self.file_url(draft, attachment), self.file_remove_url(draft, attachment))
            for attachment in self.files_of(draft, step)
        ]


# --- the shared pages ----------------------------------------------------------------------
# Each service's views authorise (the service, the draft by owner) and call these.


def step_page(
    request,
    *,
    flow: StepFlow,
    draft: Draft | None,
    step: Step,
    context: dict,
    form_kwargs: dict | None = None,
    subject: str = "",
    cancel_url: str,
):
    """Show a step (GET) or save it and continue (POST): to the review page when the person
    came from there to change an answer, else to the next step."""
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = flow.form(step, draft, data=request.POST, files=request.FILES, **form_kwargs)
        if form.is_valid():
            saved = flow.save(
                owner=request.user,
                draft=draft,
                step=step,
                form=form,
                data=request.POST,
                subject=subject,
            )
            if saved is not None:
                if request.GET.get("from") == REVIEW:
                    # Back at the answer just changed (a fragment here also replaces the one
                    # the browser would otherwise carry over from the change link).
                    return redirect(f"{flow.step_url(saved, REVIEW)}#section-{step.name}")
                return redirect(flow.step_url(saved, flow.next_after(step.name)))
    else:
        form = flow.form(step, draft, **form_kwargs)
    previous = flow.previous_before(step.name)
    return render(
        request,
        "core/draft_step.html",
        {
            **context,
            "flow": flow,
            "draft": draft,
            "step": step,
            "form": form,
            "kept_files": flow.file_links(draft, step),
            "indicator": flow.indicator(step.name),
            "back_url": flow.step_url(draft, previous) if draft and previous else cancel_url,
            "cancel_url": cancel_url,
            "discard_url": flow.discard_url(draft) if draft else None,
            "from_review": request.GET.get("from") == REVIEW,
            "expires_on": expires_on(draft) if draft else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def review_page(
    request,
    *,
    flow: StepFlow,
    draft: Draft,
    forms_by_name: dict,
    context: dict,
    errors: Iterable[tuple[str, str]] = (),
    status: int = 200,
):
    """Check your answers: every answer with its change link, then one button that submits.
    `errors` are (message, change link) pairs from a refused submission."""
    return render(
        request,
        "core/draft_review.html",
        {
            **context,
            "flow": flow,
            "draft": draft,
            "sections": flow.summary(draft, forms_by_name),
            "indicator": flow.indicator(REVIEW),
            "back_url": flow.step_url(draft, flow.steps[-1].name),
            "discard_url": flow.discard_url(draft),
            "submit_errors": list(errors),
            "expires_on": expires_on(draft),
        },
        status=status,
    )


def discard_page(request, *, flow: StepFlow, draft: Draft, context: dict, done_url: str):
    """Ask (GET), then discard the draft and its files (POST)."""
    if request.method == "POST":
        discard_draft(draft=draft)
        messages.success(request, _("Your draft was discarded."))
        return redirect(done_url)
    return render(
        request,
        "core/draft_discard.html",
        {**context, "flow": flow, "draft": draft, "keep_url": flow.resume_url(draft)},
    )


def file_download(draft: Draft, attachment_id):
    attachment = access_draft_attachment(draft=draft, attachment_id=attachment_id)
    try:
        return attachment_response(attachment)
    except FileNotFoundError:
        raise Http404 from None


def file_remove(request, *, flow: StepFlow, draft: Draft, attachment_id):
    """Remove one stored file of the draft, back to its step (or the review page)."""
    attachment = access_draft_attachment(draft=draft, attachment_id=attachment_id)
    remove_draft_attachment(draft=draft, attachment_id=attachment.pk)
    messages.success(
        request, _("The file “%(name)s” was removed.") % {"name": attachment.original_name}
    )
    url = flow.step_url(draft, attachment.step)
    if request.GET.get("from") == REVIEW:
        url += "?from=review"
    return redirect(url)
