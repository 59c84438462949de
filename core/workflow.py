"""One request workflow for every service: states and transitions as data, an append-only
history, per-Hijri-year reference numbers, an SLA clock that pauses, and one error type.

Corrections, grievances, promotion rounds, Bayan statements and job variables are the same
shape (a subject, its states, who may move it, a history, a deadline). Each app declares a
`Workflow` of `Transition`s and calls `take()` on a row it has locked; the rules that differ
(categories, deadlines, committees) stay in the app and reach the workflow as effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit
from .dates import hijri_year
from .models import ReferenceCounter


class WorkflowError(Exception):
    """A refused use case. `message` is translated and shown to the person; `status` is the
    4xx the view answers with; `field` names the form field it belongs beside, if any."""

    def __init__(
        self, message, *, field: str | None = None, status: int = 400, code: str = "refused"
    ):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status
        # A stable name for the refusal ("bad_transition", "own_record", ...) for callers and
        # tests; the message is for people and changes with the language.
        self.code = code


class Role(StrEnum):
    SUBJECT = "subject"  # the person the request is about, or who filed it
    HR = "hr"  # an HR specialist of the request's entity, never its subject
    MINISTRY = "ministry"  # ministry staff, e.g. auditors
    SYSTEM = "system"  # a task or a beat schedule; no actor


ACTING_ON_OTHERS = frozenset({Role.HR, Role.MINISTRY})


@dataclass(frozen=True)
class Step:
    """What an effect is told about the change it follows."""

    transition: Transition
    previous: str
    actor: object
    role: Role
    note: str
    request: object
    history: models.Model


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[Role]
    label: str = ""
    clock: str | None = None  # "pause" or "resume" the SLA clock
    # Maker-checker: whoever took one of these transitions on the subject may not take this one.
    checker_of: tuple[str, ...] = ()
    effects: tuple[Callable[[models.Model, Step], None], ...] = field(default=())


class Workflow:
    # Every workflow ever declared, so a test can walk all of them (audit actions registered,
    # statuses known) without knowing which apps exist.
    declared: list[Workflow] = []

    def __init__(
        self,
        *,
        statuses: type[models.TextChoices],
        transitions: Iterable[Transition],
        history: type[models.Model],
        subject_field: str,
        audit_prefix: str,
        people: Callable[[models.Model], set[int]] | None = None,
        entity_of: Callable[[models.Model], int | None] = lambda subject: None,
    ):
        self.statuses = statuses
        self.transitions = {transition.name: transition for transition in transitions}
        self.history = history
        self.subject_field = subject_field
        self.audit_prefix = audit_prefix
        # Who filed the request and whom it is about (user ids): they never act on it as HR
        # or ministry. A workflow with such steps must say (tests/test_workflow_users.py).
        self.declares_people = people is not None
        self.people = people or (lambda subject: set())
        self.entity_of = entity_of
        for transition in self.transitions.values():
            unknown = {*transition.sources, transition.target} - set(statuses.values)
            if unknown:
                raise ValueError(f"{transition.name}: unknown statuses {sorted(unknown)}")
        if isinstance(history, type) and issubclass(history, StatusHistory):
            Workflow.declared.append(self)  # a real one (tests build sketches without history)

    def audit_actions(self) -> set[str]:
        """The audit actions this workflow writes; each must be registered (core.audit)."""
        return {self.audit_action(transition) for transition in self.transitions.values()}

    def audit_action(self, transition: Transition) -> str:
        return f"{self.audit_prefix}.{transition.name}"

    def transition(self, name: str) -> Transition:
        return self.transitions[name]

    def allowed_targets(self, status: str) -> set[str]:
        return {t.target for t in self.transitions.values() if status in t.sources}

    def available(self, subject, *, role: Role, actor=None) -> list[Transition]:
        """The transitions a person in `role` could take now (buttons to show); none for an
        `actor` who may not act on this subject at all."""
        if actor is not None and role in ACTING_ON_OTHERS and self.is_party(subject, actor):
            return []
        return [
            transition
            for transition in self.transitions.values()
            if subject.status in transition.sources and role in transition.roles
        ]

    def label(self, status: str) -> str:
        return str(self.statuses(status).label)

    def check(self, subject, transition: Transition, *, actor, role: Role) -> None:
        """Every rule a step must pass, with a message the person can act on."""
        if subject.status not in transition.sources:
            raise WorkflowError(
                _("This request is “%(current)s”: it cannot be moved that way now.")
                % {"current": self.label(subject.status)},
                status=409,
                code="bad_transition",
            )
        if role not in transition.roles:
            raise WorkflowError(
                _("You may not take this step on this request."), status=403, code="not_allowed"
            )
        self.check_actor(subject, actor=actor, role=role)
        actor_id = getattr(actor, "pk", None)
        if (
            role == Role.SUBJECT
            and self.declares_people
            and actor_id is not None
            and not self.is_party(subject, actor)
        ):
            raise WorkflowError(
                _("Only the person the request is about may take this step."),
                status=403,
                code="not_subject",
            )
        if transition.checker_of and actor_id is not None:
            makers = self.history.objects.filter(
                **{self.subject_field: subject},
                transition__in=transition.checker_of,
                actor_id=actor_id,
            )
            if makers.exists():
                raise WorkflowError(
                    _("The person who prepared this step cannot also approve it."),
                    status=403,
                    code="maker_checker",
                )

    def is_party(self, subject, user) -> bool:
        """Whether `user` filed the request or is the person it is about."""
        user_id = getattr(user, "pk", user)
        return user_id is not None and user_id in self.people(subject)

    def check_actor(self, subject, *, actor, role: Role) -> None:
        """Separation of duties, for steps and for acts that move no status (assigning,
        recording a committee's view): nobody acts on others' behalf on a request about
        themselves."""
        if role in ACTING_ON_OTHERS and self.is_party(subject, actor):
            raise WorkflowError(
                _("Nobody acts on a request about themselves: another specialist must do it."),
                status=403,
                code="own_record",
            )

    def check_assignee(self, subject, assignee) -> None:
        """A request is never given to the person who filed it or whom it is about."""
        if self.is_party(subject, assignee):
            raise WorkflowError(
                _(
                    "A request cannot be assigned to the person who filed it or whom it is "
                    "about: choose another specialist."
                ),
                status=403,
                field="specialist",
                code="own_record",
            )

    def take(
        self,
        subject,
        name: str,
        *,
        actor,
        role: Role,
        note: str = "",
        request=None,
        changes: dict | None = None,
    ):
        """Move a locked subject along `name`; returns the history row.

        The caller holds the subject's row lock inside `transaction.atomic()`, so two people
        deciding at once queue here and the second sees the first's status.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.take() runs inside the caller's transaction.")
        transition = self.transition(name)
        if not transition.sources:
            raise RuntimeError(f"{name} starts a request: use Workflow.start().")
        self.check(subject, transition, actor=actor, role=role)
        now = timezone.now()
        if isinstance(subject, SlaClock):
            if transition.clock == "pause":
                subject.pause(now)
            elif transition.clock == "resume":
                subject.resume(now)
        previous = subject.status
        subject.status = transition.target
        subject.save()
        return self._record(subject, transition, previous, actor, role, note, request, changes, now)

    def start(
        self,
        subject,
        name: str,
        *,
        actor,
        role: Role = Role.SUBJECT,
        note: str = "",
        request=None,
        changes: dict | None = None,
    ):
        """The first step of a request just created (saved, in its first status) inside the
        caller's transaction: a transition with no sources. Writes its history row and audit
        event and runs its effects; returns the history row."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.start() runs inside the caller's transaction.")
        transition = self.transition(name)
        if transition.sources or subject.status != transition.target:
            raise RuntimeError(f"{name} does not start a request in {subject.status!r}.")
        if role not in transition.roles:
            raise WorkflowError(
                _("You may not take this step on this request."), status=403, code="not_allowed"
            )
        return self._record(
            subject, transition, "", actor, role, note, request, changes, timezone.now()
        )

    def _record(self, subject, transition, previous, actor, role, note, request, changes, now):
        actor_or_none = actor if getattr(actor, "is_authenticated", False) else None
        row = self.history.objects.create(
            **{self.subject_field: subject},
            status=transition.target,
            previous=previous,
            transition=transition.name,
            actor=actor_or_none,
            note=note,
            at=now,
        )
        moved = {"from": previous, "to": transition.target} if previous else {}
        audit(
            action=self.audit_action(transition),
            actor=actor_or_none,
            subject=subject,
            entity_id=self.entity_of(subject),
            request=request,
            changes={**moved, **(changes or {})},
        )
        step = Step(transition, previous, actor_or_none, role, note, request, row)
        for effect in transition.effects:
            effect(subject, step)
        return row


class AppendOnlyQuerySet(models.QuerySet):
    """History is written once: a bulk update would rewrite it behind the row's own guard."""

    def update(self, **kwargs):
        raise ValueError("Status history rows are append-only.")

    update.queryset_only = True


class StatusHistory(models.Model):
    """One change of status; rows are only ever added (save() of a stored row and
    QuerySet.update() raise). The concrete model adds the foreign key to its subject (named by
    `Workflow.subject_field`)."""

    status = models.CharField(_("status"), max_length=32)
    previous = models.CharField(_("previous status"), max_length=32, blank=True)
    transition = models.CharField(_("step"), max_length=32, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Status history rows are append-only.")
        super().save(*args, **kwargs)


class SlaClock(models.Model):
    """A deadline that stops while the request waits on its own subject (more information)."""

    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)

    class Meta:
        abstract = True

    def pause(self, now: dt.datetime | None = None) -> None:
        if self.paused_since is None:
            self.paused_since = now or timezone.now()

    def resume(self, now: dt.datetime | None = None) -> None:
        if self.paused_since is not None:
            if self.due_at is not None:
                self.due_at += (now or timezone.now()) - self.paused_since
            self.paused_since = None

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_at is not None and self.paused_since is None and self.due_at < timezone.now()
        )


def next_reference(*, prefix: str, on: dt.date | None = None) -> str:
    """`<prefix>-<Hijri year>-<6 digits>`, e.g. G-1448-000001.

    The counter row of (prefix, year) stays locked until the caller's transaction ends, so
    concurrent requests queue here and get distinct numbers.
    """
    year = hijri_year(on or timezone.localdate())
    ReferenceCounter.objects.get_or_create(prefix=prefix, hijri_year=year)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, hijri_year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{counter.last_value:06d}"
