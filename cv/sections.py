"""The person's own sections, declared once: model, form, labels, limit and how an entry reads
(as plain values, the same for the page, the PDF snapshot and the JSON Resume export)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from . import forms, models

# At most this many entries per section and language (one summary per language).
MAX_ENTRIES = 20


def _value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Section:
    code: str
    model: type
    form_class: type
    label: str
    add_label: str
    fields: tuple[str, ...]
    # The fields whose values together make an entry a duplicate (case ignored for text).
    identity: tuple[str, ...]
    limit: int = MAX_ENTRIES

    @property
    def entry_template(self) -> str:
        return f"cv/entries/{self.code}.html"

    def as_dict(self, entry) -> dict:
        data = {name: _value(getattr(entry, name)) for name in self.fields}
        data["id"] = entry.pk
        if self.code == "languages":
            data["level_label"] = str(entry.get_level_display())
        if self.code == "certificates":
            data["has_attachment"] = entry.has_attachment
            data["original_name"] = entry.attachment.original_name if entry.has_attachment else ""
        return data


SECTIONS: tuple[Section, ...] = (
    Section(
        "summary",
        models.Summary,
        forms.SummaryForm,
        _("Summary"),
        _("Add a summary"),
        ("text",),
        (),
        limit=1,
    ),
    Section(
        "skills",
        models.Skill,
        forms.SkillForm,
        _("Skills"),
        _("Add a skill"),
        ("name",),
        ("name",),
    ),
    Section(
        "languages",
        models.LanguageSkill,
        forms.LanguageSkillForm,
        _("Languages"),
        _("Add a language"),
        ("name", "level"),
        ("name",),
    ),
    Section(
        "certificates",
        models.Certificate,
        forms.CertificateForm,
        _("Certificates"),
        _("Add a certificate"),
        ("name", "issuer", "issued_on", "expires_on"),
        ("name", "issuer", "issued_on"),
    ),
    Section(
        "volunteering",
        models.Volunteering,
        forms.VolunteeringForm,
        _("Volunteering"),
        _("Add volunteering"),
        ("organisation", "role", "start_date", "end_date", "hours"),
        ("organisation", "role", "start_date"),
    ),
    Section(
        "achievements",
        models.Achievement,
        forms.AchievementForm,
        _("Achievements"),
        _("Add an achievement"),
        ("title", "achieved_on", "description"),
        ("title",),
    ),
    Section(
        "publications",
        models.Publication,
        forms.PublicationForm,
        _("Publications"),
        _("Add a publication"),
        ("title", "publisher", "published_on", "url"),
        ("title",),
    ),
    Section(
        "links",
        models.Link,
        forms.LinkForm,
        _("Links"),
        _("Add a link"),
        ("label", "url"),
        ("url",),
    ),
)
SECTIONS_BY_CODE = {section.code: section for section in SECTIONS}


def get_section(code: str) -> Section:
    try:
        return SECTIONS_BY_CODE[code]
    except KeyError:
        raise Http404 from None
