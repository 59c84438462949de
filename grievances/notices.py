"""The messages grievances sends (core.notifications): value = the `sms/<kind>.txt` template."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GrievanceNotice(models.TextChoices):
    SUBMITTED = "grievance_submitted", _("Grievance filed")
    STATUS = "grievance_status", _("Grievance status")
    MORE_INFO = "grievance_more_info", _("Grievance: more information asked for")
    DECIDED = "grievance_decided", _("Grievance decided")
    ASSIGNED_SPECIALIST = "grievance_assigned_specialist", _("Grievance assigned to a specialist")
    ANSWERED_SPECIALIST = (
        "grievance_answered_specialist",
        _("Grievance: the employee answered the specialist"),
    )
    OVERDUE_LEAD = "grievance_overdue_lead", _("Grievances past their answer date")
