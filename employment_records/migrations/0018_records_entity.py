# Issue 16: the entity copied onto the employee's training, scholarships, evaluations,
# qualifications and volunteering, as onto actions (0010) and correction requests (0016): the
# HR console lists one entity's rows on their own index, without a join to employees.
#
# On PostgreSQL nothing here holds a table locked for longer than a moment (at 1M employees
# these tables hold 4.6 million rows, and one UPDATE a table kept them locked for 155 s):
# - the column is added empty (its foreign key checks only NULLs), and a trigger fills it on
#   every insert from then on, so the code still running during a deployment, which does not
#   know the column, keeps working;
# - the rows already there are filled in batches, each its own transaction;
# - NOT NULL and the composite foreign key are added NOT VALID, then validated, which reads
#   the table without stopping its reads or writes (a validated CHECK lets SET NOT NULL skip
#   its own scan).
# The trigger stays: any writer (raw SQL, a bulk load) gets the employee's entity.
#
# Not being one transaction, a run that fails part-way (a validation that meets a bad row, a
# cancelled statement) leaves its first steps done. Every step can therefore be run again on
# what an earlier run left: `migrate` finishes the work once the cause is mended.

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import AddFieldIfMissing

EMPLOYEE = "employment_records_employee"
# model name -> the composite foreign key that keeps its entity its employee's
COPIES = {
    "trainingdecision": "training_entity_is_employee_entity",
    "scholarshipdecision": "scholarship_entity_is_employee_entity",
    "performanceevaluation": "evaluation_entity_is_employee_entity",
    "qualification": "qualification_entity_is_employee_entity",
    "volunteeringentry": "volunteering_entity_is_employee_entity",
}
BATCH = 50_000  # rows a transaction while filling the column
FUNCTION = "masar_take_employees_entity"


def _table(model_name: str) -> str:
    return f"employment_records_{model_name}"


def _trigger(model_name: str) -> str:
    return f"{_table(model_name)}_takes_employees_entity"


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


def fill_on_insert(apps, schema_editor):
    """PostgreSQL: every row inserted (or moved to another employee) takes its employee's
    entity, whoever writes it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f'BEGIN SELECT e."entity_id" INTO NEW."entity_id" FROM "{EMPLOYEE}" AS e '
        'WHERE e."id" = NEW."employee_id"; RETURN NEW; END $$;'
    )
    for model_name in COPIES:
        execute(
            f'CREATE OR REPLACE TRIGGER "{_trigger(model_name)}" BEFORE INSERT OR UPDATE OF "employee_id" '
            f'ON "{_table(model_name)}" FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();'
        )


def drop_fill_on_insert(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name in COPIES:
        schema_editor.execute(
            f'DROP TRIGGER IF EXISTS "{_trigger(model_name)}" ON "{_table(model_name)}";'
        )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}();")


def backfill(apps, schema_editor):
    """Each row takes its employee's entity: SQLite in one UPDATE a table; PostgreSQL in
    batches of BATCH ids, each committed on its own (the migration is not atomic)."""
    execute = schema_editor.execute
    for model_name in COPIES:
        table = _table(model_name)
        if schema_editor.connection.vendor != "postgresql":
            execute(
                f'UPDATE "{table}" SET "entity_id" = (SELECT e."entity_id" FROM "{EMPLOYEE}" '
                f'AS e WHERE e."id" = "{table}"."employee_id");'
            )
            continue
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f'SELECT MIN("id"), MAX("id") FROM "{table}";')
            first, last = cursor.fetchone()
        for low in range(first or 0, (last or -1) + 1, BATCH):
            execute(
                f'UPDATE "{table}" AS r SET "entity_id" = e."entity_id" FROM "{EMPLOYEE}" AS e '
                f'WHERE e."id" = r."employee_id" AND r."entity_id" IS NULL '
                f'AND r."id" >= {low} AND r."id" < {low + BATCH};'
            )


def not_null_and_same_entity(apps, schema_editor):
    """PostgreSQL: NOT NULL, and the composite foreign key that makes the entity the
    employee's (ON UPDATE CASCADE: moving an employee moves these rows), each checked without
    a long lock and each skipped where an earlier run already made it. (On SQLite,
    AlterFieldOnSQLite below; Employee.save() moves the rows.)"""
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for model_name, constraint in COPIES.items():
        table, check = _table(model_name), f"{_table(model_name)}_entity_not_null"
        if _nullable(schema_editor, table):
            execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{check}";')
            execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{check}" '
                'CHECK ("entity_id" IS NOT NULL) NOT VALID;'
            )
            execute(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{check}";')
            execute(f'ALTER TABLE "{table}" ALTER COLUMN "entity_id" SET NOT NULL;')
        execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{check}";')
        if not _has_constraint(schema_editor, table, constraint):
            execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" '
                'FOREIGN KEY ("employee_id", "entity_id") '
                f'REFERENCES "{EMPLOYEE}" ("id", "entity_id") ON UPDATE CASCADE '
                "DEFERRABLE INITIALLY DEFERRED NOT VALID;"
            )
        execute(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{constraint}";')  # no-op if valid


def _nullable(schema_editor, table: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT attnotnull FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'entity_id'",
            [f'"{table}"'],
        )
        return cursor.fetchone()[0]


def _has_constraint(schema_editor, table: str, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
            [f'"{table}"', name],
        )
        return cursor.fetchone() is not None


def drop_not_null_and_same_entity(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, constraint in COPIES.items():
        table = _table(model_name)
        schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{constraint}";')
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "entity_id" DROP NOT NULL;')


class AlterFieldOnSQLite(migrations.AlterField):
    """Django's AlterField (a table rebuilt) on SQLite; on PostgreSQL the state alone, the
    database having been changed by not_null_and_same_entity."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False  # each step, and each batch of the backfill, its own transaction

    dependencies = [("employment_records", "0017_correction_entity_indexes")]

    operations = [
        # The column, nullable: a moment's lock (its foreign key has only NULLs to check).
        *(
            AddFieldIfMissing(model_name=model_name, name="entity", field=_entity(null=True))
            for model_name in COPIES
        ),
        migrations.RunPython(fill_on_insert, drop_fill_on_insert, elidable=False),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            not_null_and_same_entity, drop_not_null_and_same_entity, elidable=False
        ),
        *(
            AlterFieldOnSQLite(model_name=model_name, name="entity", field=_entity(null=False))
            for model_name in COPIES
        ),
    ]
