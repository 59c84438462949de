"""The CV as a kind of the shared documents pipeline (core.documents).

The PDF is rendered from the `CvExport` snapshot taken when it was requested, in the language
the person chose (the template switches language itself: one kind serves both).

`/verify/` is public: anyone with the code opens it. It used to list the whole official part
(every position with its decision, every qualification and course), a career history for
whoever got hold of a code. It now shows what a verifier needs: the key facts below (the job
title and how many official entries the CV lists) and the SHA-256 of the issued file, against
which the verifier checks the PDF they were given byte for byte; an altered CV fails that.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.documents import DocumentKind, register

CV_KIND = "cv"


def cv_document_context(document) -> dict:
    from .models import CvExport
    from .sections import SECTIONS

    export = CvExport.objects.get(document=document)
    content = export.snapshot
    return {
        "cv": content,
        "cv_language": export.language,
        "sections": [(section, content["sections"].get(section.code, [])) for section in SECTIONS],
    }


def cv_key_facts(document, context) -> list[tuple[str, str]]:
    """The job title the CV states and how many entries of each official section it lists."""
    content = context["cv"]
    official = content["official"]
    return [
        (gettext("Job title"), content["person"]["title"] or "—"),
        (gettext("Positions from the official record"), str(len(official["positions"]))),
        (gettext("Qualifications from the official record"), str(len(official["qualifications"]))),
        (gettext("Training from the official record"), str(len(official["training"]))),
        (gettext("Scholarships from the official record"), str(len(official["scholarships"]))),
    ]


def register_kinds() -> None:
    register(
        DocumentKind(
            code=CV_KIND,
            label=_("CV"),
            template_name="cv/documents/cv.html",
            build_context=cv_document_context,
            file_prefix="cv",
            language="ar",
            languages=("ar", "en"),
            key_facts=cv_key_facts,
        )
    )
