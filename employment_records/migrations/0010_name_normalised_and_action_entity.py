# Issue 16: a stored normalised name (trigram-indexed) on employees, and the entity copied onto
# employment actions (indexed, kept equal to the employee's by a composite foreign key).

import django.db.models.deletion
from django.db import migrations, models

from core.search import NORMALISE_SQL

NAME_COLUMNS = (
    "first_name_ar",
    "father_name_ar",
    "grandfather_name_ar",
    "family_name_ar",
    "first_name_en",
    "father_name_en",
    "grandfather_name_en",
    "family_name_en",
)
EMPLOYEE = "employment_records_employee"
ACTION = "employment_records_employmentaction"


def backfill(apps, schema_editor):
    """Two set-based UPDATEs (no row goes through Python): masar_normalise() is the SQL twin of
    core.search.normalise() on PostgreSQL and the Python function itself on SQLite
    (core.search.register_sqlite_function), and core/tests agree the two give the same text."""
    execute = schema_editor.execute
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # The backfill below must not leave deferred foreign-key events behind the ALTERs.
        execute("SET CONSTRAINTS ALL IMMEDIATE;")
        execute(NORMALISE_SQL)  # the function as core.search has it now
        # The expression index is replaced by one on the stored column (below): dropped first
        # so the UPDATE does not maintain it.
        execute('DROP INDEX IF EXISTS "employee_name_trgm";')
    joined = " || ' ' || ".join(f'"{column}"' for column in NAME_COLUMNS)
    execute(f'UPDATE "{EMPLOYEE}" SET "name_normalised" = masar_normalise({joined});')
    if postgresql:
        execute(
            f'UPDATE "{ACTION}" AS a SET "entity_id" = e."entity_id" '
            f'FROM "{EMPLOYEE}" AS e WHERE e."id" = a."employee_id";'
        )
    else:
        execute(
            f'UPDATE "{ACTION}" SET "entity_id" = (SELECT e."entity_id" FROM "{EMPLOYEE}" AS e '
            f'WHERE e."id" = "{ACTION}"."employee_id");'
        )


def postgresql_indexes(apps, schema_editor):
    """The trigram index on the stored name; the composite foreign key that makes an action's
    entity its employee's (ON UPDATE CASCADE: moving an employee moves the actions)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(
        f'CREATE INDEX IF NOT EXISTS "employee_name_normalised_trgm" ON "{EMPLOYEE}" '
        'USING gin ("name_normalised" gin_trgm_ops);'
    )
    execute(
        f'ALTER TABLE "{EMPLOYEE}" ADD CONSTRAINT "employee_id_entity_unique" '
        'UNIQUE ("id", "entity_id");'
    )
    execute(
        f'ALTER TABLE "{ACTION}" ADD CONSTRAINT "action_entity_is_employee_entity" '
        'FOREIGN KEY ("employee_id", "entity_id") '
        f'REFERENCES "{EMPLOYEE}" ("id", "entity_id") ON UPDATE CASCADE '
        "DEFERRABLE INITIALLY DEFERRED;"
    )


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f'ALTER TABLE "{ACTION}" DROP CONSTRAINT IF EXISTS "action_entity_is_employee_entity";')
    execute(f'ALTER TABLE "{EMPLOYEE}" DROP CONSTRAINT IF EXISTS "employee_id_entity_unique";')
    execute('DROP INDEX IF EXISTS "employee_name_normalised_trgm";')
    joined = " || ' ' || ".join(f'"{column}"' for column in NAME_COLUMNS)
    execute(
        f'CREATE INDEX IF NOT EXISTS "employee_name_trgm" ON "{EMPLOYEE}" '
        f"USING gin (masar_normalise({joined}) gin_trgm_ops);"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("employment_records", "0009_action_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="name_normalised",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=500,
                verbose_name="normalised name",
            ),
        ),
        migrations.AddField(
            model_name="employmentaction",
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
            model_name="employmentaction",
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
        migrations.AddIndex(
            model_name="employmentaction",
            index=models.Index(
                fields=["entity", "-effective_date", "-id"], name="action_entity_newest_first"
            ),
        ),
        migrations.RunPython(postgresql_indexes, drop_postgresql_indexes, elidable=False),
    ]
