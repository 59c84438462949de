from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The HR queue's and list's indexes on the copied entity, built without blocking writes on
    # PostgreSQL; the list's former index (by due date, the entity through a join) goes.
    atomic = False

    dependencies = [("employment_records", "0016_correction_entity")]

    operations = [
        AddIndexConcurrently(
            model_name="correctionrequest",
            index=models.Index(
                fields=["entity", "status", "due_at"], name="correction_entity_queue"
            ),
        ),
        AddIndexConcurrently(
            model_name="correctionrequest",
            index=models.Index(fields=["entity", "due_at", "id"], name="correction_entity_due"),
        ),
        migrations.RemoveIndex(model_name="correctionrequest", name="correction_due"),
    ]
