"""Migration operations for tables that are large in production."""

from django.db import migrations


def index_validity(connection, name: str) -> bool | None:
    """PostgreSQL: whether the index of this name in the current schema is valid, or None
    when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_class AS c JOIN pg_index AS i ON i.indexrelid = c.oid "
            "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace",
            [name],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


class AddFieldIfMissing(migrations.AddField):
    """`AddField` for a migration that runs outside one transaction (`atomic = False`) and may
    have to be run again after failing part-way: a column an earlier run added is kept, instead
    of failing on "already exists". Backwards it is Django's `AddField`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        connection = schema_editor.connection
        if self.allow_migrate_model(connection.alias, model):
            column = model._meta.get_field(self.name).column
            with connection.cursor() as cursor:
                present = connection.introspection.get_table_description(
                    cursor, model._meta.db_table
                )
            if column in {described.name for described in present}:
                return
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class AddIndexConcurrently(migrations.AddIndex):
    """`AddIndex` that builds the index with `CREATE INDEX CONCURRENTLY` on PostgreSQL, so a
    table of millions of rows (audit events, notifications) keeps taking writes while it is
    built; elsewhere (SQLite for `make run`) a plain `AddIndex`. The migration must say
    `atomic = False`: PostgreSQL builds concurrently only outside a transaction. Unlike
    `django.contrib.postgres.operations.AddIndexConcurrently`, this also runs on SQLite.

    It can be run again after a failure. A concurrent build that fails (a deadlock, a
    cancelled statement, a full disk) leaves an invalid index of that name behind, which would
    make the next `migrate` fail on "already exists": that index is dropped and built again.
    A valid index of that name, built by a run that failed on a later operation, is kept."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        valid = index_validity(schema_editor.connection, self.index.name)
        if valid:
            return
        if valid is not None:
            name = schema_editor.quote_name(self.index.name)
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class SetStatisticsTarget(migrations.RunPython):
    """On PostgreSQL, how many values ANALYZE samples for one column's statistics (the
    default is 100), then the column analysed at once, so the planner's estimates change now
    and not at the next automatic ANALYZE. Nothing elsewhere."""

    writes_rows = False  # for tests/test_migrations.py: no row is locked, whatever the table

    def __init__(self, table: str, column: str, target: int):
        self.table, self.column, self.target = table, column, target
        super().__init__(self._forwards, self._backwards, elidable=False)

    def _set(self, schema_editor, target: int) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self.table)
        column = schema_editor.quote_name(self.column)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}")
        schema_editor.execute(f"ANALYZE {table} ({column})")

    def _forwards(self, apps, schema_editor):
        self._set(schema_editor, self.target)

    def _backwards(self, apps, schema_editor):
        self._set(schema_editor, -1)  # back to the server's default_statistics_target

    def describe(self):
        return f"Set the statistics target of {self.table}.{self.column} to {self.target}"

    def deconstruct(self):
        return (self.__class__.__name__, [self.table, self.column, self.target], {})


def only_the_index_differs(old, new) -> bool:
    """Whether two definitions of a field differ in their `db_index` and in nothing else."""

    def without_index(field) -> tuple:
        _name, path, args, kwargs = field.deconstruct()
        kwargs.pop("db_index", None)
        return path, args, kwargs

    return old.db_index != new.db_index and without_index(old) == without_index(new)


class DropColumnIndex(migrations.AlterField):
    """`AlterField` that only turns a field's `db_index` off, by dropping its single-column
    index by name (`CONCURRENTLY` on PostgreSQL: the migration must say `atomic = False`).

    Django's own `AlterField` of a foreign key's `db_index` drops and re-adds the foreign key
    constraint as well, which validates every row of the table while holding a lock that
    stops its writes: minutes on ten million employment actions. Backwards, the index is
    built again under Django's name for it."""

    def _check(self, from_state, app_label):
        old = from_state.models[app_label, self.model_name_lower].fields[self.name_lower]
        if not only_the_index_differs(old, self.field) or not old.db_index:
            raise ValueError(f"DropColumnIndex may only turn off {self.name}'s db_index")

    @staticmethod
    def _concurrently(schema_editor) -> str:
        return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._check(from_state, app_label)
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        for name in schema_editor._constraint_names(model, [column], index=True, unique=False):
            schema_editor.execute(
                f"DROP INDEX {self._concurrently(schema_editor)}IF EXISTS "
                f"{schema_editor.quote_name(name)}"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        table, column = model._meta.db_table, model._meta.get_field(self.name).column
        name = schema_editor._create_index_name(table, [column])
        schema_editor.execute(
            f"CREATE INDEX {self._concurrently(schema_editor)}IF NOT EXISTS "
            f"{schema_editor.quote_name(name)} ON {schema_editor.quote_name(table)} "
            f"({schema_editor.quote_name(column)})"
        )

    def describe(self):
        return f"Drop the single-column index of {self.model_name}.{self.name}"
