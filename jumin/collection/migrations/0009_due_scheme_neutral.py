"""The pension's columns leave the due (copied to ``pension.ContributionDue`` by pension's
0005), the dues job's and the posting's run records are the pension's now, and the posted-due
guard is the scheme-neutral one (``_posted_due``)."""

from django.db import migrations

from jumin.collection.migrations import _posted_due


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0008_due_scheme"),
        ("pension", "0005_contribution_due"),
    ]

    operations = [
        migrations.RemoveField(model_name="due", name="enrolment"),
        migrations.RemoveField(model_name="due", name="plan"),
        migrations.RemoveField(model_name="due", name="grade"),
        migrations.RemoveField(model_name="due", name="subsidy_province"),
        migrations.RemoveField(model_name="due", name="subsidy_city"),
        migrations.RemoveField(model_name="due", name="subsidy_county"),
        migrations.RemoveField(model_name="due", name="collective_subsidy"),
        migrations.RemoveField(model_name="due", name="government_paid_group"),
        migrations.RemoveField(model_name="due", name="posting"),
        migrations.RemoveField(model_name="due", name="generation"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Posting"),
                migrations.DeleteModel(name="DueGeneration"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_posted_due.forward, _posted_due.backward, elidable=False),
    ]
