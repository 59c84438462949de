"""The statement's states and who may move it (core.workflow).

    draft --submit--> submitted --approve--> approved --send--> sent --acknowledge--> acknowledged
      ^  (prepare, edit)   |                                     |
      +------return--------+                                     +--reject--> rejected
                                                  (a new version is prepared to fix and resend)

`prepare` and `edit` keep the statement a draft but are history rows, so the maker-checker rule
sees who worked on it: nobody who prepared, edited or submitted a version may approve or return
it. `send`, `acknowledge` and `reject` are taken by the delivery task (no actor).
"""

from django.utils.translation import gettext_lazy as _

from core.workflow import Role, Transition, Workflow

from .models import Statement, StatementHistory, Status

HR = frozenset({Role.HR})
SYSTEM = frozenset({Role.SYSTEM})
MAKERS = ("prepare", "edit", "submit")


def _people(statement: Statement) -> set[int]:
    user_id = statement.employee.user_id
    return {user_id} if user_id else set()


WORKFLOW = Workflow(
    statuses=Status,
    transitions=[
        Transition("prepare", (Status.DRAFT,), Status.DRAFT, HR, _("Prepare")),
        Transition("edit", (Status.DRAFT,), Status.DRAFT, HR, _("Edit a period")),
        Transition("submit", (Status.DRAFT,), Status.SUBMITTED, HR, _("Submit for approval")),
        Transition("return", (Status.SUBMITTED,), Status.DRAFT, HR, _("Return"), checker_of=MAKERS),
        Transition(
            "approve", (Status.SUBMITTED,), Status.APPROVED, HR, _("Approve"), checker_of=MAKERS
        ),
        Transition("send", (Status.APPROVED,), Status.SENT, SYSTEM, _("Send")),
        Transition("acknowledge", (Status.SENT,), Status.ACKNOWLEDGED, SYSTEM, _("Acknowledge")),
        Transition("reject", (Status.SENT,), Status.REJECTED, SYSTEM, _("Reject")),
        Transition(
            "supersede",
            (Status.ACKNOWLEDGED,),
            Status.SUPERSEDED,
            HR,
            _("Replace by a new version"),
        ),
    ],
    history=StatementHistory,
    subject_field="statement",
    audit_prefix="bayan",
    people=_people,
    entity_of=lambda statement: statement.entity_id,
)
