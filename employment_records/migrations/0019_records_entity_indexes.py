from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The HR console's lists of one entity's records, on the copied entity (0018), built
    # without blocking writes on PostgreSQL.
    atomic = False

    dependencies = [("employment_records", "0018_records_entity")]

    operations = [
        AddIndexConcurrently(
            model_name="trainingdecision",
            index=models.Index(
                fields=["entity", "-start_date", "-id"], name="training_entity_newest"
            ),
        ),
        AddIndexConcurrently(
            model_name="scholarshipdecision",
            index=models.Index(
                fields=["entity", "-start_date", "-id"], name="scholarship_entity_newest"
            ),
        ),
        AddIndexConcurrently(
            model_name="performanceevaluation",
            index=models.Index(fields=["entity", "-year", "-id"], name="evaluation_entity_newest"),
        ),
        AddIndexConcurrently(
            model_name="qualification",
            index=models.Index(
                fields=["entity", "-graduation_date", "-id"], name="qualification_entity_newest"
            ),
        ),
        AddIndexConcurrently(
            model_name="volunteeringentry",
            index=models.Index(
                fields=["entity", "-end_date", "-id"], name="volunteering_entity_list"
            ),
        ),
    ]
