# Issue 16: the entity copied onto the employee's training, scholarships, evaluations,
# qualifications and volunteering, as onto actions (0010) and correction requests (0016): the
# HR console lists one entity's rows on their own index, without a join to employees.

import django.db.models.deletion
from django.db import migrations, models

EMPLOYEE = "employment_records_employee"
# model name -> the composite foreign key that keeps its entity its employee's
COPIES = {
    "trainingdecision": "training_entity_is_employee_entity",
    "scholarshipdecision": "scholarship_entity_is_employee_entity",
    "performanceevaluation": "evaluation_entity_is_employee_entity",
    "qualification": "qualification_entity_is_employee_entity",
    "volunteeringentry": "volunteering_entity_is_employee_entity",
}


def _table(model_name: str) -> str:
    return f"employment_records_{model_name}"


def backfill(apps, schema_editor):
    """One set-based UPDATE a table: each row takes its employee's entity."""
    execute = schema_editor.execute
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # No deferred foreign-key events may be left pending behind the ALTERs below.
        execute("SET CONSTRAINTS ALL IMMEDIATE;")
    for model_name in COPIES:
        table = _table(model_name)
        if postgresql:
            execute(
                f'UPDATE "{table}" AS r SET "entity_id" = e."entity_id" '
                f'FROM "{EMPLOYEE}" AS e WHERE e."id" = r."employee_id";'
            )
        else:
            execute(
                f'UPDATE "{table}" SET "entity_id" = (SELECT e."entity_id" FROM "{EMPLOYEE}" '
                f'AS e WHERE e."id" = "{table}"."employee_id");'
            )


def same_entity_as_employee(apps, schema_editor):
    """Moving an employee to another entity moves these rows with them (ON UPDATE CASCADE
    through the pair (id, entity_id) that 0010 made unique on employees)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, constraint in COPIES.items():
        schema_editor.execute(
            f'ALTER TABLE "{_table(model_name)}" ADD CONSTRAINT "{constraint}" '
            'FOREIGN KEY ("employee_id", "entity_id") '
            f'REFERENCES "{EMPLOYEE}" ("id", "entity_id") ON UPDATE CASCADE '
            "DEFERRABLE INITIALLY DEFERRED;"
        )


def drop_same_entity_as_employee(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, constraint in COPIES.items():
        schema_editor.execute(
            f'ALTER TABLE "{_table(model_name)}" DROP CONSTRAINT IF EXISTS "{constraint}";'
        )


def _entity(*, null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="employment_records.governmententity",
        verbose_name="entity",
    )


class Migration(migrations.Migration):
    dependencies = [("employment_records", "0017_correction_entity_indexes")]

    operations = [
        *(
            migrations.AddField(model_name=model_name, name="entity", field=_entity(null=True))
            for model_name in COPIES
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        *(
            migrations.AlterField(model_name=model_name, name="entity", field=_entity(null=False))
            for model_name in COPIES
        ),
        migrations.RunPython(
            same_entity_as_employee, drop_same_entity_as_employee, elidable=False
        ),
    ]
