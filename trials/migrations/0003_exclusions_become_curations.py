"""Exclusion is now a curated field ('excluded'), derived like the labels from the curation in
force. A trial excluded by editing the flag directly, before that, gets a curation saying so;
otherwise the next refresh of its effective values would bring it back into the tracker."""

from django.db import migrations
from django.utils import timezone


def record_existing_exclusions(apps, schema_editor):
    Trial = apps.get_model("trials", "Trial")
    Curation = apps.get_model("trials", "Curation")
    now = timezone.now()
    curated = Curation.objects.filter(field="excluded").values("trial_id")
    Curation.objects.bulk_create(
        Curation(
            trial=trial,
            field="excluded",
            value=True,
            note="Excluded before exclusions were recorded as curations.",
            curator_name="migration 0003",
            created_at=now,
        )
        for trial in Trial.objects.filter(excluded=True).exclude(pk__in=curated)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0002_history_reviews_and_open_curation_fields"),
    ]

    operations = [
        migrations.RunPython(record_existing_exclusions, migrations.RunPython.noop),
    ]
