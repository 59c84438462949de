"""The person's own CV entries (السيرة الذاتية) and the snapshots behind exported CVs.

The official part (positions, qualifications, training, scholarships) is never stored here:
it is read from `employment_records` each time (cv.selectors). What is stored is what the person
writes: one table per section, each entry in one language (ar or en) with an order position
that is unique per person, section and language. Invariants are database constraints.
"""

from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.uploads import PrivateAttachment
from employment_records.models import Employee

http_url = URLValidator(schemes=["http", "https"])


class CvLanguage(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class LanguageLevel(models.TextChoices):
    """CEFR levels, then the mother tongue."""

    A1 = "A1", _("A1 — beginner")
    A2 = "A2", _("A2 — elementary")
    B1 = "B1", _("B1 — intermediate")
    B2 = "B2", _("B2 — upper intermediate")
    C1 = "C1", _("C1 — advanced")
    C2 = "C2", _("C2 — proficient")
    NATIVE = "native", _("Native speaker")


class CvEntry(models.Model):
    """What every entry of every section has: its owner, its language and its place."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="+", verbose_name=_("employee")
    )
    language = models.CharField(_("CV language"), max_length=2, choices=CvLanguage.choices)
    position = models.PositiveIntegerField(_("order"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["language", "position"]


def _entry_constraints(prefix: str, *, unique_on) -> list:
    """Unique order per person, section and language; a known language; no duplicate entry."""
    return [
        models.UniqueConstraint(
            fields=["employee", "language", "position"], name=f"cv_{prefix}_order_unique"
        ),
        models.CheckConstraint(
            condition=Q(language__in=CvLanguage.values), name=f"cv_{prefix}_language_valid"
        ),
        models.UniqueConstraint(
            "employee", "language", *unique_on, name=f"cv_{prefix}_no_duplicate"
        ),
    ]


class Summary(CvEntry):
    text = models.TextField(_("summary"), max_length=2000)

    class Meta(CvEntry.Meta):
        verbose_name = _("summary")
        verbose_name_plural = _("summaries")
        # One summary per language: the order constraint names it, the duplicate rule is the
        # language itself.
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "language", "position"], name="cv_summary_order_unique"
            ),
            models.UniqueConstraint(fields=["employee", "language"], name="cv_summary_one"),
            models.CheckConstraint(
                condition=Q(language__in=CvLanguage.values), name="cv_summary_language_valid"
            ),
        ]

    def __str__(self):
        return self.text[:60]


class Skill(CvEntry):
    name = models.CharField(_("skill"), max_length=100)

    class Meta(CvEntry.Meta):
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = _entry_constraints("skill", unique_on=[Lower("name")])

    def __str__(self):
        return self.name


class LanguageSkill(CvEntry):
    name = models.CharField(_("language"), max_length=60)
    level = models.CharField(_("level"), max_length=6, choices=LanguageLevel.choices)

    class Meta(CvEntry.Meta):
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        constraints = [
            *_entry_constraints("languageskill", unique_on=[Lower("name")]),
            models.CheckConstraint(
                condition=Q(level__in=LanguageLevel.values), name="cv_languageskill_level_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.level})"


class Certificate(CvEntry):
    name = models.CharField(_("certificate"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issue date"))
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta(CvEntry.Meta):
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            *_entry_constraints(
                "certificate", unique_on=[Lower("name"), Lower("issuer"), "issued_on"]
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="cv_certificate_expiry_after_issue",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def attachment(self):
        """The attached copy or None (no query when loaded with select_related("copy"))."""
        try:
            return self.copy
        except CertificateCopy.DoesNotExist:
            return None

    @property
    def has_attachment(self) -> bool:
        return self.attachment is not None


class CertificateCopy(PrivateAttachment):
    """The optional copy of a certificate, with the shared upload rules (core.uploads)."""

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="copy", verbose_name=_("certificate")
    )

    class Meta(PrivateAttachment.Meta):
        verbose_name = _("copy of a certificate")
        verbose_name_plural = _("copies of certificates")


class Volunteering(CvEntry):
    organisation = models.CharField(_("organisation"), max_length=200)
    role = models.CharField(_("role"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hours = models.PositiveIntegerField(_("hours"), validators=[MinValueValidator(1)])
    description = models.TextField(_("description"), max_length=1000, blank=True)

    class Meta(CvEntry.Meta):
        verbose_name = _("volunteering")
        verbose_name_plural = _("volunteering")
        constraints = [
            *_entry_constraints(
                "volunteering", unique_on=[Lower("organisation"), Lower("role"), "start_date"]
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="cv_volunteering_end_after_start",
            ),
            models.CheckConstraint(condition=Q(hours__gte=1), name="cv_volunteering_hours"),
        ]

    def __str__(self):
        return f"{self.role} — {self.organisation}"


class Achievement(CvEntry):
    title = models.CharField(_("achievement"), max_length=200)
    achieved_on = models.DateField(_("date"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)

    class Meta(CvEntry.Meta):
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        constraints = _entry_constraints("achievement", unique_on=[Lower("title")])

    def __str__(self):
        return self.title


class Publication(CvEntry):
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    published_on = models.DateField(_("publication date"))
    url = models.URLField(_("web address"), max_length=500, blank=True, validators=[http_url])

    class Meta(CvEntry.Meta):
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = _entry_constraints("publication", unique_on=[Lower("title")])

    def __str__(self):
        return self.title


class Link(CvEntry):
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("web address"), max_length=500, validators=[http_url])

    class Meta(CvEntry.Meta):
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            *_entry_constraints("link", unique_on=["url"]),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="cv_link_http_only",
            ),
        ]

    def __str__(self):
        return self.label


class CvExport(models.Model):
    """What an exported CV printed, frozen when it was requested: the PDF is rendered from it
    and `/verify/` confirms its official part, whatever the person edits afterwards."""

    document = models.OneToOneField(
        "core.Document", on_delete=models.CASCADE, related_name="cv_export"
    )
    language = models.CharField(_("CV language"), max_length=2, choices=CvLanguage.choices)
    snapshot = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("exported CV")
        verbose_name_plural = _("exported CVs")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=CvLanguage.values), name="cv_export_language_valid"
            )
        ]

    def __str__(self):
        return f"{self.document_id} ({self.language})"
