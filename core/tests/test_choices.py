"""core.choices.choice_label gives what get_FOO_display() gives."""

import pytest
from django.utils import translation

from core.choices import choice_label
from employment_records.models import (
    ActionType,
    EmploymentAction,
    PerformanceEvaluation,
    Qualification,
    QualificationLevel,
    Rating,
    ScholarshipDecision,
)

CASES = [
    (EmploymentAction, "action_type", ActionType),
    (ScholarshipDecision, "degree", QualificationLevel),
    (PerformanceEvaluation, "rating", Rating),
    (Qualification, "level", QualificationLevel),
]


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize(("model", "field", "choices"), CASES)
def test_a_choice_label_is_the_models_display(language, model, field, choices):
    with translation.override(language):
        for value in [*choices.values, "not-a-choice", ""]:
            row = model(**{field: value})
            assert choice_label(choices, value) == getattr(row, f"get_{field}_display")()


def test_the_labels_are_translated():
    with translation.override("ar"):
        arabic = choice_label(ActionType, ActionType.values[0])
    with translation.override("en"):
        english = choice_label(ActionType, ActionType.values[0])
    assert arabic != english
