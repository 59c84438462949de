"""Migration operations for tables that are large in production."""

from django.db import migrations


class AddIndexConcurrently(migrations.AddIndex):
    """`AddIndex` that builds the index with `CREATE INDEX CONCURRENTLY` on PostgreSQL, so a
    table of millions of rows (audit events, notifications) keeps taking writes while it is
    built; elsewhere (SQLite for `make run`) a plain `AddIndex`. The migration must say
    `atomic = False`: PostgreSQL builds concurrently only outside a transaction. If a build
    fails, PostgreSQL keeps an invalid index of that name: drop it before migrating again.
    Unlike `django.contrib.postgres.operations.AddIndexConcurrently`, this also runs on SQLite."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
