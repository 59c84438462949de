"""The audit actions of employment records, registered with core.audit in
EmploymentRecordsConfig.ready(). The correction workflow's steps write "correction.<step>"."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordAction(models.TextChoices):
    RECORD_CORRECTED = "record.corrected", _("Record corrected")
    PROMOTED = "record.promoted", _("Promotion decision written to the record")
    SUBMIT = "correction.submit", _("Correction request submitted")
    REVIEW = "correction.review", _("Correction request taken under review")
    ASK = "correction.ask", _("More information requested on a correction")
    ANSWER = "correction.answer", _("Employee answered on a correction")
    APPROVE = "correction.approve", _("Correction request approved")
    REJECT = "correction.reject", _("Correction request rejected")
    WITHDRAW = "correction.withdraw", _("Correction request withdrawn")
    # Written before the steps were named after their verbs: kept so old events read in words.
    SUBMITTED = "correction.submitted", _("Correction request submitted")
    UNDER_REVIEW = "correction.under_review", _("Correction request taken under review")
    MORE_INFO = "correction.more_info", _("More information requested on a correction")
    APPROVED = "correction.approved", _("Correction request approved")
    REJECTED = "correction.rejected", _("Correction request rejected")
    WITHDRAWN = "correction.withdrawn", _("Correction request withdrawn")
