"""The CV as a kind of the shared documents pipeline (core.documents).

The PDF is rendered from the `CvExport` snapshot taken when it was requested, in the language
the person chose (the template switches language itself: one kind serves both). `/verify/`
shows the snapshot's official part, so whoever holds the paper can check the positions,
qualifications and training against what the record said on the issue date.
"""

from __future__ import annotations

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


def cv_verification_context(document) -> dict:
    from .models import CvExport

    export = CvExport.objects.filter(document=document).first()
    return {"cv_official": export.snapshot["official"] if export else None}


def register_kinds() -> None:
    register(
        DocumentKind(
            code=CV_KIND,
            label=_("CV"),
            template_name="cv/documents/cv.html",
            build_context=cv_document_context,
            file_prefix="cv",
            language="ar",
            verification_template="cv/includes/verify_official.html",
            verification_context=cv_verification_context,
        )
    )
