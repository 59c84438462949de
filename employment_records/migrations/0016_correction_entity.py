# Issue 16: the entity copied onto correction requests, as onto actions (0010): the HR queue
# and list read one entity's requests on their own index, without a join to employees.

import django.db.models.deletion
from django.db import migrations, models

EMPLOYEE = "employment_records_employee"
CORRECTION = "employment_records_correctionrequest"


def backfill(apps, schema_editor):
    """One set-based UPDATE: each request takes its employee's entity."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        # No deferred foreign-key events may be left pending behind the ALTERs below.
        execute("SET CONSTRAINTS ALL IMMEDIATE;")
        execute(
            f'UPDATE "{CORRECTION}" AS c SET "entity_id" = e."entity_id" '
            f'FROM "{EMPLOYEE}" AS e WHERE e."id" = c."employee_id";'
        )
    else:
        execute(
            f'UPDATE "{CORRECTION}" SET "entity_id" = (SELECT e."entity_id" FROM "{EMPLOYEE}" '
            f'AS e WHERE e."id" = "{CORRECTION}"."employee_id");'
        )


def same_entity_as_employee(apps, schema_editor):
    """Moving an employee to another entity moves their requests with them (ON UPDATE
    CASCADE through the pair (id, entity_id) that 0010 made unique on employees)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{CORRECTION}" ADD CONSTRAINT "correction_entity_is_employee_entity" '
            'FOREIGN KEY ("employee_id", "entity_id") '
            f'REFERENCES "{EMPLOYEE}" ("id", "entity_id") ON UPDATE CASCADE '
            "DEFERRABLE INITIALLY DEFERRED;"
        )


def drop_same_entity_as_employee(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{CORRECTION}" DROP CONSTRAINT IF EXISTS '
            '"correction_entity_is_employee_entity";'
        )


class Migration(migrations.Migration):
    dependencies = [("employment_records", "0015_console_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="correctionrequest",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="employment_records.governmententity",
                verbose_name="entity",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="correctionrequest",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="employment_records.governmententity",
                verbose_name="entity",
            ),
        ),
        migrations.RunPython(
            same_entity_as_employee, drop_same_entity_as_employee, elidable=False
        ),
    ]
