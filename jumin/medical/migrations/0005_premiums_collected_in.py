"""The medical dues made before ``Due.collected_in`` existed: collected in the year they were
enrolled (the window of the year before for the regular enrolment)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import ExtractYear


def forward(apps, schema_editor):
    Due = apps.get_model("collection", "Due")
    MedicalEnrolment = apps.get_model("medical", "MedicalEnrolment")
    enrolled = MedicalEnrolment.objects.filter(
        person_id=OuterRef("person_id"), coverage_year=OuterRef("year")
    ).annotate(enrolled_in=ExtractYear("enrolled_on"))
    Due.objects.filter(scheme="medical", collected_in__isnull=True).update(
        collected_in=Subquery(enrolled.values("enrolled_in")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0010_due_collected_in_tax_line_scheme"),
        ("medical", "0004_merge_enrolment_claims"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
