"""Migrations that large production tables can take (issue 16): an index is dropped without
re-validating a foreign key, no migration alters a foreign key only to change its index, and
the migrations that run outside one transaction can be run again after failing part-way."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.test.utils import CaptureQueriesContext

from core.migration_operations import (
    AddIndexConcurrently,
    DropColumnIndex,
    index_validity,
    only_the_index_differs,
)
from employment_records.tests.factories import EmployeeFactory

APP = "dropindexcase"


def _alters_only_a_foreign_keys_index(operation, state, app_label) -> bool:
    if type(operation) is not migrations.AlterField or not operation.field.is_relation:
        return False
    old = state.models[app_label, operation.model_name_lower].fields[operation.name_lower]
    return only_the_index_differs(old, operation.field)


def test_no_migration_alters_a_foreign_key_only_to_change_its_index():
    """Django's AlterField of a foreign key drops and re-adds the constraint, validating every
    row under a lock that stops the table's writes (10M actions, 2M audit events): an index
    alone is dropped or added with DropColumnIndex or AddIndexConcurrently."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = _project_migrations(loader)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    faults = []
    for key in _plan(loader):
        migration = loader.graph.nodes[key]
        for operation in migration.operations:
            if key in ours and _alters_only_a_foreign_keys_index(operation, state, key[0]):
                faults.append(f"{key[0]}.{key[1]}: {operation.describe()}")
            operation.state_forwards(key[0], state)
    assert ours, "the project's migrations were found"
    assert not faults, faults


# Data steps written before the rule below, each inside its migration's one transaction:
# applied everywhere that matters, or run while their tables were small. The set may only
# shrink (the test fails on an entry that no longer needs to be here).
ATOMIC_DATA_MIGRATIONS = {
    ("core", "0005_document_language_params_facts_digest"),
    ("employment_records", "0005_workflow"),
    ("employment_records", "0007_console_list_indexes"),
    ("employment_records", "0010_name_normalised_and_action_entity"),
    ("employment_records", "0016_correction_entity"),
    ("grievances", "0003_workflow"),
}


def _data_steps(migration) -> list:
    """The RunPython and RunSQL operations that may write rows (not SetStatisticsTarget) and do
    not say they touch only small tables (`hints={"small_tables": True}`)."""
    return [
        operation
        for operation in migration.operations
        if isinstance(operation, migrations.RunPython | migrations.RunSQL)
        and getattr(operation, "writes_rows", True)
        and not operation.hints.get("small_tables")
    ]


def test_a_migration_that_changes_data_does_not_hold_one_long_transaction():
    """A data step in an atomic migration keeps every row it writes locked until the whole
    migration commits: 0018 written that way stopped readers of 4.6M rows for 136 s. New data
    migrations say `atomic = False` and commit in batches (0018's shape), or declare that they
    touch only small tables."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    atomic_data = {
        key
        for key, migration in _project_migrations(loader).items()
        if migration.atomic and _data_steps(migration)
    }
    assert atomic_data - ATOMIC_DATA_MIGRATIONS == set(), "write these in batches"
    assert ATOMIC_DATA_MIGRATIONS - atomic_data == set(), "no longer one: take them off the list"


def _plan(loader) -> list:
    """Every migration, each after those it depends on."""
    plan, seen = [], set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                plan.append(key)
    return plan


def _project_migrations(loader) -> dict:
    """{(app, name): migration} of the project's own apps (not Django's or a library's)."""
    base = Path(settings.BASE_DIR)
    packages = {path.parent.parent.name for path in base.glob("*/migrations/__init__.py")}
    return {
        key: migration
        for key, migration in loader.graph.nodes.items()
        if migration.__module__.split(".")[0] in packages
    }


def _apply(operations, state, *, backwards=False) -> tuple[ProjectState, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        for operation in operations:
            new = state.clone()
            operation.state_forwards(APP, new)
            with connection.schema_editor(atomic=False) as editor:
                if backwards:
                    operation.database_backwards(APP, editor, new, state)
                else:
                    operation.database_forwards(APP, editor, state, new)
            state = new
    return state, [query["sql"] for query in queries.captured_queries]


def _constraints(table) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _single_column(table, *, foreign_key: bool) -> set[str]:
    return {
        name
        for name, info in _constraints(table).items()
        if info["columns"] == ["parent_id"]
        and bool(info["foreign_key"]) == foreign_key
        and (foreign_key or info["index"])
    }


@pytest.mark.django_db(transaction=True)
def test_drop_column_index_drops_the_index_and_leaves_the_foreign_key_alone():
    create = [
        migrations.CreateModel("Parent", [("id", models.AutoField(primary_key=True))]),
        migrations.CreateModel(
            "Child",
            [
                ("id", models.AutoField(primary_key=True)),
                ("parent", models.ForeignKey(f"{APP}.Parent", models.CASCADE)),
            ],
        ),
    ]
    without_index = models.ForeignKey(f"{APP}.Parent", models.CASCADE, db_index=False)
    drop = DropColumnIndex("Child", "parent", without_index)
    state, _sql = _apply(create, ProjectState())
    table = f"{APP}_child"
    try:
        foreign_keys = _single_column(table, foreign_key=True)
        assert _single_column(table, foreign_key=False), "the index Django made"
        dropped, sql = _apply([drop], state)
        assert not _single_column(table, foreign_key=False)
        if connection.vendor == "postgresql":
            assert _single_column(table, foreign_key=True) == foreign_keys
            assert not [s for s in sql if s.lstrip().upper().startswith("ALTER")]
            assert any("CONCURRENTLY" in s for s in sql)
            # What it replaces: Django's AlterField re-validates the whole table.
            with connection.schema_editor(collect_sql=True, atomic=False) as editor:
                migrations.AlterField("Child", "parent", without_index).database_forwards(
                    APP, editor, state, dropped
                )
            assert any("FOREIGN KEY" in s.upper() for s in editor.collected_sql)
        _apply([drop], state, backwards=True)
        assert _single_column(table, foreign_key=False), "the index built again"
        with pytest.raises(ValueError):
            changed = models.ForeignKey(f"{APP}.Parent", models.PROTECT, db_index=False)
            _apply([DropColumnIndex("Child", "parent", changed)], state)
    finally:
        _apply([migrations.DeleteModel("Child"), migrations.DeleteModel("Parent")], state)


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a build or validation outside a transaction"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_index_build_that_failed_is_built_again():
    """A failed CREATE INDEX CONCURRENTLY leaves an invalid index of its name: the next
    `migrate` drops it and builds it, and keeps one a run already built."""
    create = [
        migrations.CreateModel(
            "Coded",
            [("id", models.AutoField(primary_key=True)), ("code", models.IntegerField())],
        )
    ]
    state, _sql = _apply(create, ProjectState())
    table, name = f"{APP}_coded", "coded_code_idx"  # as written in the SQL below
    add = AddIndexConcurrently("Coded", models.Index(fields=["code"], name=name))
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO dropindexcase_coded (code) VALUES (7), (7)")
            with pytest.raises(Exception, match="could not create unique index"):
                cursor.execute(
                    "CREATE UNIQUE INDEX CONCURRENTLY coded_code_idx ON dropindexcase_coded (code)"
                )
        assert index_validity(connection, name) is False, "what the failed build left"
        indexed, _sql = _apply([add], state)
        assert index_validity(connection, name) is True
        assert not _constraints(table)[name]["unique"], "the migration's index, not the failed one"
        _apply([add], state)  # a run that failed on a later operation: the index is kept
        assert index_validity(connection, name) is True
    finally:
        _apply([migrations.DeleteModel("Coded")], state)


RECORD_TABLES = [
    f"employment_records_{name}"
    for name in (
        "trainingdecision",
        "scholarshipdecision",
        "performanceevaluation",
        "qualification",
        "volunteeringentry",
    )
]


@needs_postgres
@pytest.mark.django_db
def test_the_records_entity_migration_finishes_what_a_failed_run_left():
    """0018 runs outside one transaction (to fill 4.6M rows without stopping the service): a
    run that failed part-way leaves its first steps done, and `migrate` runs it again whole.
    Here evaluations are left as a run stopped by their validation leaves them (a row not
    filled yet, the check not validated, no composite key), and a table has lost its trigger:
    every step must accept what is already there and finish the rest."""
    employee = EmployeeFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending checks
        cursor.execute(
            "INSERT INTO employment_records_performanceevaluation (employee_id, year, score, "
            "rating) VALUES (%s, 1440, 80, 'good') RETURNING id",
            [employee.pk],
        )
        evaluation = cursor.fetchone()[0]
        cursor.execute(
            "ALTER TABLE employment_records_performanceevaluation "
            "DROP CONSTRAINT evaluation_entity_is_employee_entity, "
            "ALTER COLUMN entity_id DROP NOT NULL"
        )
        cursor.execute(
            "UPDATE employment_records_performanceevaluation SET entity_id = NULL WHERE id = %s",
            [evaluation],
        )
        cursor.execute(
            "ALTER TABLE employment_records_performanceevaluation ADD CONSTRAINT "
            "employment_records_performanceevaluation_entity_not_null "
            "CHECK (entity_id IS NOT NULL) NOT VALID"
        )
        cursor.execute(
            "DROP TRIGGER employment_records_qualification_takes_employees_entity "
            "ON employment_records_qualification"
        )

    loader = MigrationLoader(connection)
    migration = loader.get_migration("employment_records", "0018_records_entity")
    before = loader.project_state(("employment_records", "0017_correction_entity_indexes"))
    with connection.schema_editor(atomic=False) as editor:
        migration.apply(before, editor)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT entity_id FROM employment_records_performanceevaluation WHERE id = %s",
            [evaluation],
        )
        assert cursor.fetchone()[0] == employee.entity_id
        for table in RECORD_TABLES:
            cursor.execute(
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname = 'entity_id'",
                [table],
            )
            assert cursor.fetchone()[0], f"{table}.entity_id NOT NULL"
            cursor.execute(
                "SELECT conname, contype, convalidated FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND conname LIKE '%%entity%%'",
                [table],
            )
            constraints = {name: (kind, valid) for name, kind, valid in cursor.fetchall()}
            assert ("f", True) in constraints.values(), f"{table}: the composite key, validated"
            assert not [name for name in constraints if name.endswith("_not_null")], table
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgname LIKE '%%takes_employees_entity'",
                [table],
            )
            assert cursor.fetchone()[0] == 1, f"{table}: its trigger"
