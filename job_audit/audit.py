"""The audit actions of the job-data audit, registered with core.audit in JobAuditConfig.ready().
The job variables workflow's steps write "job_variables.<step>" (core.workflow)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobAuditAction(models.TextChoices):
    RUN_QUEUED = "job_audit.run.queued", _("Audit run queued")
    RUN_DONE = "job_audit.run.done", _("Audit run finished")
    FINDING_RESOLVED = "job_audit.finding.resolved", _("Finding marked resolved")
    FINDING_JUSTIFIED = "job_audit.finding.justified", _("Finding marked justified")
    FINDING_OPEN = "job_audit.finding.open", _("Finding opened again")
    REQUEST_CREATED = "job_variables.create", _("Job variables request created")
    VARIABLE_ADDED = "job_variables.add_variable", _("Job variable added to a request")
    VARIABLE_REMOVED = "job_variables.remove_variable", _("Job variable removed from a request")
    SUBMITTED = "job_variables.submit", _("Job variables request submitted")
    AUDIT_STARTED = "job_variables.start_audit", _("Ministry audit of job variables started")
    APPROVED = "job_variables.approve", _("Job variables request approved")
    REJECTED = "job_variables.reject", _("Job variables request rejected")
    RETURNED = "job_variables.return", _("Job variables request returned for changes")
    APPLIED_CREATE = "job_variables.applied.create", _("Position created by a job variable")
    APPLIED_ABOLISH = "job_variables.applied.abolish", _("Position abolished by a job variable")
    APPLIED_UPGRADE = "job_variables.applied.upgrade", _("Position upgraded by a job variable")
    APPLIED_DOWNGRADE = (
        "job_variables.applied.downgrade",
        _("Position downgraded by a job variable"),
    )
    APPLIED_RECLASSIFY = (
        "job_variables.applied.reclassify",
        _("Position reclassified by a job variable"),
    )
    APPLIED_TRANSFER = (
        "job_variables.applied.transfer",
        _("Position transferred by a job variable"),
    )
    APPLIED_FREEZE = "job_variables.applied.freeze", _("Position frozen by a job variable")
    APPLIED_UNFREEZE = "job_variables.applied.unfreeze", _("Position unfrozen by a job variable")
