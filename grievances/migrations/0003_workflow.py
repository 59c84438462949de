"""Grievances on core.workflow: the status rows name their step, the year counters move to
core.ReferenceCounter (prefix G), attachments take core's constraint name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("submitted", "Submitted"),
    ("under_review", "Under follow-up"),
    ("more_info_requested", "More information requested"),
    ("decided", "Response given"),
    ("closed", "Closed"),
    ("withdrawn", "Withdrawn"),
]
# (previous, status) -> the step that made the change, for rows written before steps had names.
STEPS = {
    ("", "submitted"): "submit",
    ("submitted", "under_review"): "assign",
    ("under_review", "more_info_requested"): "ask",
    ("more_info_requested", "under_review"): "answer",
    ("under_review", "decided"): "decide",
    ("decided", "closed"): "close",
    ("submitted", "withdrawn"): "withdraw",
    ("under_review", "withdrawn"): "withdraw",
    ("more_info_requested", "withdrawn"): "withdraw",
}


def name_the_steps(apps, schema_editor):
    GrievanceStatus = apps.get_model("grievances", "GrievanceStatus")
    for (previous, status), step in STEPS.items():
        # A queryset update: the rows' own save() refuses to change an existing row.
        GrievanceStatus.objects.filter(previous=previous, status=status).update(transition=step)


def move_counters(apps, schema_editor):
    GrievanceCounter = apps.get_model("grievances", "GrievanceCounter")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    for counter in GrievanceCounter.objects.all():
        row, _created = ReferenceCounter.objects.get_or_create(
            prefix="G", hijri_year=counter.hijri_year
        )
        if row.last_value < counter.last_value:
            row.last_value = counter.last_value
            row.save(update_fields=["last_value"])


def restore_counters(apps, schema_editor):
    GrievanceCounter = apps.get_model("grievances", "GrievanceCounter")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    for row in ReferenceCounter.objects.filter(prefix="G"):
        GrievanceCounter.objects.update_or_create(
            hijri_year=row.hijri_year, defaults={"last_value": row.last_value}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0002_attachment_type_constraint"),
        ("core", "0003_referencecounter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(move_counters, restore_counters),
        migrations.DeleteModel(name="GrievanceCounter"),
        migrations.RemoveConstraint(
            model_name="grievanceattachment", name="grievance_attachment_type_allowed"
        ),
        migrations.AddConstraint(
            model_name="grievanceattachment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("content_type__in", ["application/pdf", "image/png", "image/jpeg"])
                ),
                name="grievances_grievanceattachment_type_allowed",
            ),
        ),
        migrations.AddField(
            model_name="grievancestatus",
            name="transition",
            field=models.CharField(blank=True, max_length=32, verbose_name="step"),
        ),
        migrations.AlterField(
            model_name="grievancestatus",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AlterField(
            model_name="grievancestatus",
            name="previous",
            field=models.CharField(
                blank=True, choices=STATUSES, max_length=32, verbose_name="previous status"
            ),
        ),
        migrations.AlterField(
            model_name="grievancestatus",
            name="status",
            field=models.CharField(choices=STATUSES, max_length=32, verbose_name="status"),
        ),
        migrations.RunPython(name_the_steps, migrations.RunPython.noop),
    ]
