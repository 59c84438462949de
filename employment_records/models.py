"""The ministry's record of government employees: entities, positions, people and their history.

This app is the bottom layer: it imports no service app and not `accounts` (the account link
is a lazy reference to AUTH_USER_MODEL). Invariants are database constraints.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.choices import choice_label
from core.search import normalise
from core.uploads import PrivateAttachment
from core.validators import validate_national_id, validate_saudi_mobile
from core.workflow import SlaClock, StatusHistory

RANK_VALIDATORS = [MinValueValidator(1), MaxValueValidator(15)]
STEP_VALIDATORS = [MinValueValidator(1), MaxValueValidator(15)]


class BilingualName(models.Model):
    """`name` shows the Arabic or English form by the active language."""

    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ar


class GovernmentEntity(BilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("government entity")
        verbose_name_plural = _("government entities")
        ordering = ["code"]


class OrganisationalUnit(BilingualName):
    entity = models.ForeignKey(
        GovernmentEntity, on_delete=models.PROTECT, related_name="units", verbose_name=_("entity")
    )
    code = models.CharField(_("code"), max_length=20)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("parent unit")
    )

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="unit_code_unique_in_entity")
        ]


class QualificationLevel(models.TextChoices):
    NONE = "none", _("No qualification")
    SECONDARY = "secondary", _("Secondary school")
    DIPLOMA = "diploma", _("Diploma")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


QUALIFICATION_ORDER = [choice.value for choice in QualificationLevel]


class JobClass(models.Model):
    """A class of the classification manual: general group -> series -> class."""

    code = models.CharField(_("class code"), max_length=20, unique=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    general_group = models.CharField(_("general group"), max_length=100, blank=True)
    series = models.CharField(_("series"), max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), validators=RANK_VALIDATORS)
    min_qualification = models.CharField(
        _("minimum qualification"), max_length=20, choices=QualificationLevel.choices
    )
    min_experience_years = models.PositiveSmallIntegerField(
        _("minimum experience (years)"), default=0
    )

    class Meta:
        verbose_name = _("job class")
        verbose_name_plural = _("job classes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=15), name="jobclass_rank_1_15"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ar


class PositionStatus(models.TextChoices):
    VACANT = "vacant", _("Vacant")
    OCCUPIED = "occupied", _("Occupied")
    FROZEN = "frozen", _("Frozen")


class Position(models.Model):
    number = models.CharField(_("position number"), max_length=20)
    entity = models.ForeignKey(
        GovernmentEntity,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("entity"),
        db_index=False,  # position_number_unique_in_entity leads with it
    )
    unit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("unit"),
    )
    job_class = models.ForeignKey(
        JobClass, on_delete=models.PROTECT, related_name="positions", verbose_name=_("job class")
    )
    rank = models.PositiveSmallIntegerField(_("rank"), validators=RANK_VALIDATORS)
    status = models.CharField(
        _("status"), max_length=10, choices=PositionStatus.choices, default=PositionStatus.VACANT
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["entity", "number"]
        # The ministry's search by number, across entities (core.console_lists).
        indexes = [models.Index(fields=["number"], name="position_number")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], name="position_number_unique_in_entity"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=15), name="position_rank_1_15"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PositionStatus.values), name="position_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.job_class.title}"

    def clean(self):
        # Occupied means held by an employee in service (kept so by
        # services.sync_position_status); frozen is HR's own choice.
        if self.pk is None or self.status == PositionStatus.FROZEN:
            return
        held = self.occupants.filter(status=EmployeeStatus.ACTIVE).exists()
        if held and self.status == PositionStatus.VACANT:
            raise ValidationError(
                {"status": _("An employee in service holds this position: it is not vacant.")}
            )
        if not held and self.status == PositionStatus.OCCUPIED:
            raise ValidationError(
                {"status": _("No employee in service holds this position: it is not occupied.")}
            )


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    ENDED = "ended", _("Service ended")


class EndReason(models.TextChoices):
    RETIREMENT = "retirement", _("Retirement")
    EARLY_RETIREMENT = "early_retirement", _("Early retirement")
    RESIGNATION = "resignation", _("Resignation")
    DISMISSAL = "dismissal", _("Dismissal")
    DEATH = "death", _("Death")
    MEDICAL_UNFITNESS = "medical_unfitness", _("Medical unfitness")


# The order the parts are joined in (the SQL backfill of migration 0010 uses the same order).
NAME_COLUMNS = (
    "first_name_ar",
    "father_name_ar",
    "grandfather_name_ar",
    "family_name_ar",
    "first_name_en",
    "father_name_en",
    "grandfather_name_en",
    "family_name_en",
)
NAME_FIELDS = frozenset(NAME_COLUMNS)


def normalised_name(employee=None, /, **parts: str) -> str:
    """Employee.name_normalised of an instance, or of the eight name parts given by name
    (bulk loaders that build rows without instances)."""
    if employee is not None:
        parts = {name: getattr(employee, name) for name in NAME_COLUMNS}
    return normalise(" ".join(parts.get(name) or "" for name in NAME_COLUMNS))


class Employee(models.Model):
    """The ministry's record of one government employee; exists before any portal account."""

    # Joined whenever the signed-in person's own record is read (core.catalogue.employee_of).
    REQUEST_SELECT_RELATED = ("entity", "unit", "position__job_class")

    national_id = models.CharField(
        _("national ID"), max_length=10, unique=True, validators=[validate_national_id]
    )
    first_name_ar = models.CharField(_("first name (Arabic)"), max_length=50)
    father_name_ar = models.CharField(_("father's name (Arabic)"), max_length=50)
    grandfather_name_ar = models.CharField(_("grandfather's name (Arabic)"), max_length=50)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=50)
    first_name_en = models.CharField(_("first name (English)"), max_length=50)
    father_name_en = models.CharField(_("father's name (English)"), max_length=50)
    grandfather_name_en = models.CharField(_("grandfather's name (English)"), max_length=50)
    family_name_en = models.CharField(_("family name (English)"), max_length=50)
    nationality = models.CharField(
        _("nationality"), max_length=2, default="SA", help_text=_("ISO 3166 country code.")
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    # Civil-registry data (employment_records.civil_registry): the mobile the registry links to
    # this ID, the only number a registration code goes to, and the ID card's expiry date.
    registry_mobile = models.CharField(
        _("registered mobile (civil registry)"),
        max_length=13,
        blank=True,
        validators=[validate_saudi_mobile],
    )
    national_id_expiry = models.DateField(_("national ID expiry date"), null=True, blank=True)
    entity = models.ForeignKey(
        GovernmentEntity,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("entity"),
        db_index=False,  # employee_entity_nid leads with it
    )
    unit = models.ForeignKey(
        OrganisationalUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("unit"),
    )
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occupants",
        verbose_name=_("position"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"), validators=RANK_VALIDATORS)
    step = models.PositiveSmallIntegerField(_("step"), validators=STEP_VALIDATORS, default=1)
    rank_since = models.DateField(_("in this rank since"), null=True, blank=True)
    hire_date = models.DateField(_("hire date"))
    status = models.CharField(
        _("status"), max_length=10, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE
    )
    end_date = models.DateField(_("end of service date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end of service reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    # The annual leave balance as the entity's leave system last reported it (days), and when.
    annual_leave_balance = models.PositiveSmallIntegerField(
        _("annual leave balance (days)"), null=True, blank=True
    )
    leave_balance_as_of = models.DateField(_("leave balance as of"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
        verbose_name=_("portal account"),
    )
    # The eight name parts folded by core.search.normalise(), kept by save() (and by the bulk
    # loaders through normalised_name()): the console's name search is a trigram index lookup
    # on this column (migration 0010), with nothing recomputed per candidate row.
    name_normalised = models.CharField(
        _("normalised name"), max_length=500, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["national_id"]
        indexes = [
            # The HR console's list: one entity's employees in national ID order.
            models.Index(fields=["entity", "national_id"], name="employee_entity_nid"),
            # Bayan's work list: ended services by end date, and who retires next by birth.
            models.Index(
                fields=["entity", "end_date", "national_id"],
                condition=models.Q(status="ended"),
                name="employee_entity_ended",
            ),
            models.Index(
                fields=["entity", "date_of_birth", "national_id"],
                condition=models.Q(status="active"),
                name="employee_entity_born",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=15), name="employee_rank_1_15"
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=15), name="employee_step_1_15"
            ),
            models.CheckConstraint(
                condition=Q(national_id__regex=r"^[12][0-9]{9}$"),
                name="employee_national_id_format",
            ),
            # One active occupant per position; ended employees keep their last position.
            models.UniqueConstraint(
                fields=["position"],
                condition=Q(status="active", position__isnull=False),
                name="position_one_active_occupant",
            ),
            # An ended service has a date and a reason; an active one has neither.
            models.CheckConstraint(
                condition=(
                    Q(status="active", end_date__isnull=True, end_reason="")
                    | (Q(status="ended", end_date__isnull=False) & ~Q(end_reason=""))
                ),
                name="employee_end_of_service_consistent",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("hire_date")),
                name="employee_end_after_hire",
            ),
            models.CheckConstraint(
                condition=Q(hire_date__gt=F("date_of_birth")), name="employee_hired_after_birth"
            ),
            # A balance says when it was taken.
            models.CheckConstraint(
                condition=Q(annual_leave_balance__isnull=True)
                | Q(leave_balance_as_of__isnull=False),
                name="employee_leave_balance_dated",
            ),
        ]

    def __str__(self):
        return f"{self.full_name()} ({self.national_id})"

    def save(self, *args, **kwargs):
        """Every ORM write keeps the derived values in step: the normalised name, and the
        entity copied onto the rows about the employee (TakesEmployeesEntity)."""
        update_fields = kwargs.get("update_fields")
        names_written = update_fields is None or not NAME_FIELDS.isdisjoint(update_fields)
        if names_written:
            self.name_normalised = normalised_name(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "name_normalised"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and (
            update_fields is None or "entity" in update_fields or "entity_id" in update_fields
        ):
            # PostgreSQL cascades this itself (the composite foreign keys of migrations 0010,
            # 0016 and 0018); SQLite needs it said.
            for model in COPIES_OF_EMPLOYEES_ENTITY:
                model.objects.filter(employee=self).exclude(entity_id=self.entity_id).update(
                    entity_id=self.entity_id
                )

    def account_ids(self) -> set[int]:
        """Every portal account that is this person: the linked one and any whose username is
        the national ID (separation of duties must not depend on the link being made)."""
        from django.contrib.auth import get_user_model

        ids = set(
            get_user_model().objects.filter(username=self.national_id).values_list("pk", flat=True)
        )
        if self.user_id is not None:
            ids.add(self.user_id)
        return ids

    def is_account(self, user) -> bool:
        """`account_ids()` for one user without a query (for pages deciding which buttons to
        show; the write itself checks `account_ids()`)."""
        return user is not None and (
            (self.user_id is not None and user.pk == self.user_id)
            or getattr(user, "username", None) == self.national_id
        )

    def full_name(self, language: str | None = None) -> str:
        if (language or get_language()) == "en":
            parts = (
                self.first_name_en,
                self.father_name_en,
                self.grandfather_name_en,
                self.family_name_en,
            )
        else:
            parts = (
                self.first_name_ar,
                self.father_name_ar,
                self.grandfather_name_ar,
                self.family_name_ar,
            )
        return " ".join(parts)

    @property
    def nationality_label(self) -> str:
        """ "Egyptian", not "EG" (employment_records.nationalities)."""
        from .nationalities import nationality_label

        return nationality_label(self.nationality)

    @property
    def full_name_ar(self) -> str:
        return self.full_name("ar")

    @property
    def full_name_en(self) -> str:
        return self.full_name("en")

    @property
    def short_name(self) -> str:
        if get_language() == "en":
            return f"{self.first_name_en} {self.family_name_en}"
        return f"{self.first_name_ar} {self.family_name_ar}"

    @property
    def is_saudi(self) -> bool:
        return self.nationality == "SA"

    @property
    def in_service(self) -> bool:
        return self.status == EmployeeStatus.ACTIVE


class TakesEmployeesEntity(models.Model):
    """A row about one employee that carries the employee's entity, so the HR console lists,
    counts and searches one entity's rows on an index of their own instead of joining each row
    to its employee (issue 16: a join that a small entity pays for the whole ministry's rows).
    save() copies it; on PostgreSQL a composite foreign key to (employee.id,
    employee.entity_id), ON UPDATE CASCADE, keeps it equal even behind the models' back
    (migrations 0010, 0016 and 0018); on SQLite Employee.save() moves it. The five tables
    0018 gave the column also fill it on insert by trigger (PostgreSQL), so the release that
    did not know the column kept writing while 0018 ran."""

    entity = models.ForeignKey(
        GovernmentEntity,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entity"),
        editable=False,
        db_index=False,  # each model's entity list index leads with it
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("update_fields") is None:
            # Always the employee's entity, whatever a form or a caller set.
            self.entity_id = self.employee.entity_id
        super().save(*args, **kwargs)


class ActionType(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment")
    PROBATION_CONFIRMATION = "probation_confirmation", _("Probation confirmation")
    ANNUAL_INCREMENT = "annual_increment", _("Annual increment")
    PROMOTION = "promotion", _("Promotion")
    EXCEPTIONAL_PROMOTION = "exceptional_promotion", _("Exceptional promotion")
    TRANSFER = "transfer", _("Transfer")
    ASSIGNMENT = "assignment", _("Assignment")
    SECONDMENT = "secondment", _("Secondment")
    OFFICIAL_MISSION = "official_mission", _("Official mission")
    TRAINING = "training", _("Training")
    SCHOLARSHIP = "scholarship", _("Scholarship")
    LEAVE_ORDINARY = "leave_ordinary", _("Ordinary leave")
    LEAVE_SICK = "leave_sick", _("Sick leave")
    LEAVE_EXCEPTIONAL = "leave_exceptional", _("Exceptional leave")
    LEAVE_STUDY = "leave_study", _("Study leave")
    LEAVE_MATERNITY = "leave_maternity", _("Maternity leave")
    SUSPENSION = "suspension", _("Suspension")
    UNEXCUSED_ABSENCE = "unexcused_absence", _("Unexcused absence")
    DISCIPLINARY_PENALTY = "disciplinary_penalty", _("Disciplinary penalty")
    RETIREMENT = "retirement", _("End of service: retirement")
    EARLY_RETIREMENT = "early_retirement", _("End of service: early retirement")
    RESIGNATION = "resignation", _("End of service: resignation")
    DISMISSAL = "dismissal", _("End of service: dismissal")
    DEATH = "death", _("End of service: death")
    MEDICAL_UNFITNESS = "medical_unfitness", _("End of service: medical unfitness")
    REINSTATEMENT = "reinstatement", _("Reinstatement")


class EmploymentAction(TakesEmployeesEntity):
    """One decision in an employee's record (السجل الوظيفي)."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("employee"),
        db_index=False,  # action_employee_date leads with it
    )
    action_type = models.CharField(_("action type"), max_length=30, choices=ActionType.choices)
    decision_number = models.CharField(_("decision number"), max_length=30)
    decision_date = models.DateField(_("decision date"))
    effective_date = models.DateField(_("effective date"))
    from_position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("from position"),
    )
    to_position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("to position"),
    )
    from_rank = models.PositiveSmallIntegerField(
        _("from rank"), null=True, blank=True, validators=RANK_VALIDATORS
    )
    to_rank = models.PositiveSmallIntegerField(
        _("to rank"), null=True, blank=True, validators=RANK_VALIDATORS
    )
    from_step = models.PositiveSmallIntegerField(
        _("from step"), null=True, blank=True, validators=STEP_VALIDATORS
    )
    to_step = models.PositiveSmallIntegerField(
        _("to step"), null=True, blank=True, validators=STEP_VALIDATORS
    )
    # The last day of a period (leave, suspension, absence, mission); empty for a one-day
    # decision. Promotions read it: some periods do not count toward time in rank.
    end_date = models.DateField(_("end of the period"), null=True, blank=True)
    ended_in_penalty = models.BooleanField(
        _("ended in a disciplinary penalty"),
        default=False,
        db_default=False,  # bulk loaders (seed_scale's COPY) that name no value get False
        help_text=_("For a suspension only: its period does not count toward time in rank."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Set when a service wrote the entry rather than HR's hand: "<kind>:<id>", e.g.
    # "promotion_round:12" (employment_records.sources). One entry per person and source, so a
    # service that writes again (a retried publication) changes nothing.
    source = models.CharField(
        _("source"), max_length=60, blank=True, default="", db_default="", editable=False
    )

    class Meta:
        verbose_name = _("employment action")
        verbose_name_plural = _("employment actions")
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["employee", "-effective_date"], name="action_employee_date"),
            # The consoles' newest-first lists: an index walk instead of sorting every row.
            models.Index(fields=["-effective_date", "-id"], name="action_newest_first"),
            models.Index(fields=["decision_number"], name="action_decision_number"),
            # The HR console's list of one entity's actions, newest first.
            models.Index(
                fields=["entity", "-effective_date", "-id"], name="action_entity_newest_first"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action_type__in=ActionType.values), name="action_type_valid"
            ),
            models.CheckConstraint(
                condition=(Q(from_rank__isnull=True) | Q(from_rank__gte=1, from_rank__lte=15))
                & (Q(to_rank__isnull=True) | Q(to_rank__gte=1, to_rank__lte=15)),
                name="action_ranks_1_15",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("effective_date")),
                name="action_period_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_in_penalty=False) | Q(action_type="suspension"),
                name="action_penalty_only_on_suspension",
            ),
            # Source first: "every entry this round wrote" is an index range.
            models.UniqueConstraint(
                fields=["source", "employee"],
                condition=~Q(source=""),
                name="action_once_per_source",
            ),
        ]

    def __str__(self):
        return f"{choice_label(ActionType, self.action_type)} {self.decision_number}"

    @property
    def source_info(self):
        """(label, url) of the service decision that wrote this entry, or None."""
        from .sources import describe

        return describe(self.source)


class DecisionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingDecision(TakesEmployeesEntity):
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="training", verbose_name=_("employee")
    )
    title_ar = models.CharField(_("programme (Arabic)"), max_length=200)
    title_en = models.CharField(_("programme (English)"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    decision_number = models.CharField(_("decision number"), max_length=30)
    decision_date = models.DateField(_("decision date"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.PositiveIntegerField(_("hours"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PLANNED
    )

    class Meta:
        verbose_name = _("training decision")
        verbose_name_plural = _("training decisions")
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["-start_date", "-id"], name="training_newest_first"),
            models.Index(fields=["entity", "-start_date", "-id"], name="training_entity_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="training_end_after_start"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ar


class ScholarshipDecision(TakesEmployeesEntity):
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="scholarships", verbose_name=_("employee")
    )
    degree = models.CharField(_("degree"), max_length=20, choices=QualificationLevel.choices)
    field_of_study = models.CharField(_("field of study"), max_length=200)
    institution = models.CharField(_("institution"), max_length=200)
    country = models.CharField(_("country"), max_length=100)
    decision_number = models.CharField(_("decision number"), max_length=30)
    decision_date = models.DateField(_("decision date"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PLANNED
    )

    class Meta:
        verbose_name = _("scholarship decision")
        verbose_name_plural = _("scholarship decisions")
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["-start_date", "-id"], name="scholarship_newest_first"),
            models.Index(fields=["entity", "-start_date", "-id"], name="scholarship_entity_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="scholarship_end_after_start"
            )
        ]

    def __str__(self):
        return f"{choice_label(QualificationLevel, self.degree)} — {self.institution}"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    SATISFACTORY = "satisfactory", _("Satisfactory")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")


class PerformanceEvaluation(TakesEmployeesEntity):
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("employee")
    )
    year = models.PositiveSmallIntegerField(_("year (Hijri)"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    rating = models.CharField(_("rating"), max_length=15, choices=Rating.choices)

    class Meta:
        verbose_name = _("performance evaluation")
        verbose_name_plural = _("performance evaluations")
        ordering = ["-year"]
        indexes = [
            models.Index(fields=["-year", "-id"], name="evaluation_newest_first"),
            models.Index(fields=["entity", "-year", "-id"], name="evaluation_entity_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="evaluation_one_per_year"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="evaluation_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.year}: {choice_label(Rating, self.rating)}"


class Qualification(TakesEmployeesEntity):
    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("employee"),
    )
    level = models.CharField(_("level"), max_length=20, choices=QualificationLevel.choices)
    major = models.CharField(_("major"), max_length=200)
    institution = models.CharField(_("institution"), max_length=200)
    graduation_date = models.DateField(_("graduation date"))

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-graduation_date"]
        indexes = [
            models.Index(fields=["-graduation_date", "-id"], name="qualification_newest_first"),
            models.Index(
                fields=["entity", "-graduation_date", "-id"], name="qualification_entity_newest"
            ),
        ]

    def __str__(self):
        return f"{choice_label(QualificationLevel, self.level)} — {self.major}"


class VolunteeringEntry(TakesEmployeesEntity):
    """Volunteering hours HR records on an employee's file (a promotion criterion)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="volunteering", verbose_name=_("employee")
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.PositiveIntegerField(_("hours"))
    certificate_number = models.CharField(_("certificate number"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("volunteering entry")
        verbose_name_plural = _("volunteering entries")
        ordering = ["-end_date", "-id"]
        # The consoles' lists: the ministry's, and one entity's.
        indexes = [
            models.Index(fields=["-end_date", "-id"], name="volunteering_list"),
            models.Index(fields=["entity", "-end_date", "-id"], name="volunteering_entity_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="volunteering_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=1, hours__lte=2000), name="volunteering_hours_range"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.hours})"


class SalaryScale(models.Model):
    """The general scale: the basic salary of each rank and step, in SAR."""

    rank = models.PositiveSmallIntegerField(_("rank"), validators=RANK_VALIDATORS)
    step = models.PositiveSmallIntegerField(_("step"), validators=STEP_VALIDATORS)
    amount = models.DecimalField(_("basic salary (SAR)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("salary scale entry")
        verbose_name_plural = _("salary scale")
        ordering = ["rank", "step"]
        constraints = [
            models.UniqueConstraint(fields=["rank", "step"], name="salary_scale_rank_step_unique"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=15, step__gte=1, step__lte=15),
                name="salary_scale_rank_step_range",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="salary_scale_amount_positive"),
        ]

    def __str__(self):
        return f"{self.rank}/{self.step}: {self.amount}"


# --- Data corrections (طلبات تصحيح البيانات) ------------------------------------------------
# Which fields a correction may change is declared in `employment_records.corrections`; the
# constraint below repeats the two lists so the database refuses anything else.
CORRECTABLE_EMPLOYEE_FIELDS = (
    "first_name_ar",
    "father_name_ar",
    "grandfather_name_ar",
    "family_name_ar",
    "first_name_en",
    "father_name_en",
    "grandfather_name_en",
    "family_name_en",
    "gender",
    "date_of_birth",
    "hire_date",
)
CORRECTABLE_ACTION_FIELDS = (
    "decision_number",
    "decision_date",
    "effective_date",
    "from_rank",
    "to_rank",
    "from_step",
    "to_step",
)


class CorrectionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    MORE_INFO = "more_info", _("More information needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_CORRECTION_STATUSES = (
    CorrectionStatus.SUBMITTED,
    CorrectionStatus.UNDER_REVIEW,
    CorrectionStatus.MORE_INFO,
)


class CorrectionRequest(SlaClock, TakesEmployeesEntity):
    """An employee's request to correct one field of their data or of one record entry."""

    number = models.CharField(_("request number"), max_length=20, unique=True)
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("employee")
    )
    action = models.ForeignKey(
        EmploymentAction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("record entry"),
    )
    field_name = models.CharField(_("field"), max_length=40)
    current_value = models.TextField(_("current value"), blank=True)
    proposed_value = models.TextField(_("proposed value"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.SUBMITTED,
    )
    # The SLA clock (core.workflow.SlaClock): HR's answer is due by `due_at`; the clock stops
    # while the request waits for the employee's answer.
    due_at = models.DateTimeField(_("answer due by"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="correction_queue"),
            # The HR console's queue and list, of its entity; the ministry's list, newest first.
            models.Index(fields=["entity", "status", "due_at"], name="correction_entity_queue"),
            models.Index(fields=["entity", "due_at", "id"], name="correction_entity_due"),
            models.Index(fields=["-submitted_at", "-id"], name="correction_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CorrectionStatus.values), name="correction_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(action__isnull=True, field_name__in=CORRECTABLE_EMPLOYEE_FIELDS)
                    | Q(action__isnull=False, field_name__in=CORRECTABLE_ACTION_FIELDS)
                ),
                name="correction_field_whitelisted",
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^C-[0-9]{4}-[0-9]{6}$"), name="correction_number_format"
            ),
            # A decided request names when; an open one has no decision time.
            models.CheckConstraint(
                condition=Q(
                    status__in=["submitted", "under_review", "more_info"], decided_at__isnull=True
                )
                | Q(status__in=["approved", "rejected", "withdrawn"], decided_at__isnull=False),
                name="correction_decided_at_consistent",
            ),
            models.CheckConstraint(
                condition=Q(paused_since__isnull=True) | Q(status="more_info"),
                name="correction_paused_only_awaiting_employee",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CORRECTION_STATUSES

    @property
    def spec(self):
        from .corrections import spec_for

        return spec_for(self.field_name, on_action=self.action_id is not None)

    @property
    def field_label(self) -> str:
        return self.spec.label

    @property
    def is_overdue(self) -> bool:
        return self.is_open and super().is_overdue


# The models whose rows carry their employee's entity, moved with the employee on SQLite.
COPIES_OF_EMPLOYEES_ENTITY = (
    EmploymentAction,
    TrainingDecision,
    ScholarshipDecision,
    PerformanceEvaluation,
    Qualification,
    VolunteeringEntry,
    CorrectionRequest,
)


class CorrectionEvent(StatusHistory):
    """One step of a request's timeline (append-only; core.workflow.Workflow.take)."""

    request = models.ForeignKey(
        CorrectionRequest,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("request"),
    )
    status = models.CharField(_("status"), max_length=32, choices=CorrectionStatus.choices)
    previous = models.CharField(
        _("previous status"), max_length=32, choices=CorrectionStatus.choices, blank=True
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("correction request event")
        verbose_name_plural = _("correction request events")

    def __str__(self):
        return f"{self.request_id} {self.status}"

    @property
    def label(self) -> str:
        return self.get_status_display()


class CorrectionEvidence(PrivateAttachment):
    """A file attached to a request; stored privately under a server-generated name."""

    request = models.ForeignKey(
        CorrectionRequest,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("request"),
    )

    class Meta(PrivateAttachment.Meta):
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
