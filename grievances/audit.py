"""The audit actions of grievances, registered with core.audit in GrievancesConfig.ready().
The workflow's steps write "grievance.<step>" (core.workflow); a test checks each is here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GrievanceAction(models.TextChoices):
    SUBMIT = "grievance.submit", _("Grievance filed")
    ASSIGN = "grievance.assign", _("Grievance assigned")
    REASSIGN = "grievance.reassign", _("Grievance reassigned")
    ASK = "grievance.ask", _("More information requested on a grievance")
    ANSWER = "grievance.answer", _("Employee answered on a grievance")
    DECIDE = "grievance.decide", _("Grievance decided")
    CLOSE = "grievance.close", _("Grievance closed")
    WITHDRAW = "grievance.withdraw", _("Grievance withdrawn")
    COMMITTEE_RECOMMENDATION = (
        "grievance.committee_recommendation",
        _("Committee recommendation recorded"),
    )
    FLAGGED_OVERDUE = "grievance.flagged_overdue", _("Grievances flagged overdue")
    # Written before the steps were named after their verbs: kept so old events read in words.
    SUBMITTED = "grievance.submitted", _("Grievance filed")
    ASSIGNED = "grievance.assigned", _("Grievance assigned")
    MORE_INFO_REQUESTED = (
        "grievance.more_info_requested",
        _("More information requested on a grievance"),
    )
    ANSWERED = "grievance.answered", _("Employee answered on a grievance")
    DECIDED = "grievance.decided", _("Grievance decided")
    CLOSED = "grievance.closed", _("Grievance closed")
    WITHDRAWN = "grievance.withdrawn", _("Grievance withdrawn")
