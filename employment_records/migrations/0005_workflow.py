"""Correction requests on core.workflow: events name their step and the status before it, the
year counters move to core.ReferenceCounter (prefix C), evidence becomes a PrivateAttachment
(file_name -> storage_name, same table and data), and the SLA becomes a pausable clock
(due_date -> due_at, plus paused_since)."""

import datetime as dt
import zoneinfo

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("submitted", "Submitted"),
    ("under_review", "Under review"),
    ("more_info", "More information needed"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]
STEPS = {
    ("", "submitted"): "submit",
    ("submitted", "under_review"): "review",
    ("more_info", "under_review"): "answer",  # most often the employee's answer
    ("submitted", "more_info"): "ask",
    ("under_review", "more_info"): "ask",
    ("submitted", "approved"): "approve",
    ("under_review", "approved"): "approve",
    ("more_info", "approved"): "approve",
    ("submitted", "rejected"): "reject",
    ("under_review", "rejected"): "reject",
    ("more_info", "rejected"): "reject",
    ("submitted", "withdrawn"): "withdraw",
    ("under_review", "withdrawn"): "withdraw",
    ("more_info", "withdrawn"): "withdraw",
}


def move_counters(apps, schema_editor):
    CorrectionCounter = apps.get_model("employment_records", "CorrectionCounter")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    for counter in CorrectionCounter.objects.all():
        row, _created = ReferenceCounter.objects.get_or_create(prefix="C", hijri_year=counter.year)
        if row.last_value < counter.last:
            row.last_value = counter.last
            row.save(update_fields=["last_value"])


def restore_counters(apps, schema_editor):
    CorrectionCounter = apps.get_model("employment_records", "CorrectionCounter")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    for row in ReferenceCounter.objects.filter(prefix="C"):
        CorrectionCounter.objects.update_or_create(
            year=row.hijri_year, defaults={"last": row.last_value}
        )


def name_the_steps(apps, schema_editor):
    """Each event learns the status before it (the request's previous event) and its step."""
    CorrectionEvent = apps.get_model("employment_records", "CorrectionEvent")
    previous_of: dict[int, str] = {}
    for event in CorrectionEvent.objects.order_by("request_id", "at", "id").iterator():
        previous = previous_of.get(event.request_id, "")
        CorrectionEvent.objects.filter(pk=event.pk).update(
            previous=previous, transition=STEPS.get((previous, event.status), "")
        )
        previous_of[event.request_id] = event.status


def due_at_from_due_date(apps, schema_editor):
    # Overdue used to begin the day after the due date (Riyadh time): the clock ends there.
    CorrectionRequest = apps.get_model("employment_records", "CorrectionRequest")
    riyadh = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for request in CorrectionRequest.objects.only("pk", "due_date").iterator():
        day_after = request.due_date + dt.timedelta(days=1)
        due_at = dt.datetime.combine(day_after, dt.time(), tzinfo=riyadh)
        CorrectionRequest.objects.filter(pk=request.pk).update(due_at=due_at)


def due_date_from_due_at(apps, schema_editor):
    CorrectionRequest = apps.get_model("employment_records", "CorrectionRequest")
    riyadh = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for request in CorrectionRequest.objects.only("pk", "due_at").iterator():
        due_date = (request.due_at.astimezone(riyadh) - dt.timedelta(seconds=1)).date()
        CorrectionRequest.objects.filter(pk=request.pk).update(due_date=due_date)


class Migration(migrations.Migration):
    dependencies = [
        ("employment_records", "0004_registry_mobile_and_id_expiry"),
        ("core", "0003_referencecounter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Numbers
        migrations.RunPython(move_counters, restore_counters),
        migrations.DeleteModel(name="CorrectionCounter"),
        # Evidence: the same rows, core's five fields
        migrations.RemoveConstraint(model_name="correctionevidence", name="evidence_type_allowed"),
        migrations.RenameField(
            model_name="correctionevidence", old_name="file_name", new_name="storage_name"
        ),
        migrations.AlterField(
            model_name="correctionevidence",
            name="storage_name",
            field=models.CharField(max_length=200, unique=True, verbose_name="stored file"),
        ),
        migrations.AlterField(
            model_name="correctionevidence",
            name="content_type",
            field=models.CharField(max_length=40, verbose_name="content type"),
        ),
        migrations.AlterField(
            model_name="correctionevidence",
            name="size",
            field=models.PositiveIntegerField(verbose_name="size in bytes"),
        ),
        migrations.AlterField(
            model_name="correctionevidence",
            name="uploaded_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="uploaded at"
            ),
        ),
        migrations.AddConstraint(
            model_name="correctionevidence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("content_type__in", ["application/pdf", "image/png", "image/jpeg"])
                ),
                name="employment_records_correctionevidence_type_allowed",
            ),
        ),
        # History
        migrations.AddField(
            model_name="correctionevent",
            name="previous",
            field=models.CharField(
                blank=True, choices=STATUSES, max_length=32, verbose_name="previous status"
            ),
        ),
        migrations.AddField(
            model_name="correctionevent",
            name="transition",
            field=models.CharField(blank=True, max_length=32, verbose_name="step"),
        ),
        migrations.AlterField(
            model_name="correctionevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="correctionevent",
            name="status",
            field=models.CharField(choices=STATUSES, max_length=32, verbose_name="status"),
        ),
        migrations.RunPython(name_the_steps, migrations.RunPython.noop),
        # The SLA clock
        migrations.AddField(
            model_name="correctionrequest",
            name="due_at",
            field=models.DateTimeField(null=True, verbose_name="answer due by"),
        ),
        migrations.AddField(
            model_name="correctionrequest",
            name="paused_since",
            field=models.DateTimeField(blank=True, null=True, verbose_name="clock paused since"),
        ),
        migrations.RunPython(due_at_from_due_date, due_date_from_due_at),
        migrations.AlterField(
            model_name="correctionrequest",
            name="due_at",
            field=models.DateTimeField(verbose_name="answer due by"),
        ),
        migrations.RemoveIndex(model_name="correctionrequest", name="correction_queue"),
        migrations.AlterField(
            model_name="correctionrequest",
            name="due_date",
            field=models.DateField(null=True, verbose_name="due date"),
        ),
        migrations.RemoveField(model_name="correctionrequest", name="due_date"),
        migrations.AddIndex(
            model_name="correctionrequest",
            index=models.Index(fields=["status", "due_at"], name="correction_queue"),
        ),
        migrations.AddConstraint(
            model_name="correctionrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paused_since__isnull", True), ("status", "more_info"), _connector="OR"
                ),
                name="correction_paused_only_awaiting_employee",
            ),
        ),
    ]
