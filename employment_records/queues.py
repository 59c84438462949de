"""The data-correction queue on the HR console home (core.work_queues)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.work_queues import WorkQueue, register_queue, without_own

from .exports import correction_columns
from .models import CorrectionRequest, CorrectionStatus


def to_review(user, entity_id):
    # A specialist's own correction is decided by a colleague: it is not in their queue.
    return without_own(
        CorrectionRequest.objects.filter(
            entity_id=entity_id,
            status__in=[CorrectionStatus.SUBMITTED, CorrectionStatus.UNDER_REVIEW],
        ),
        user,
    ).order_by("due_at", "id")


def register() -> None:
    register_queue(
        WorkQueue(
            key="corrections.to_review",
            title=_("Corrections to review"),
            rows=to_review,
            due_field="due_at",
            url_of=lambda correction: reverse(
                "hr:employment_records_correctionrequest_review", args=[correction.pk]
            ),
            list_url=lambda: reverse("hr:employment_records_correctionrequest_changelist"),
            csv_columns=correction_columns,
            csv_related=("employee",),
        )
    )
