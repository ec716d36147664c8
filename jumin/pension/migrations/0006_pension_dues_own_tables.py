"""The run records taken over in 0005 get this app's table names; the plan no longer holds
the cash calendar (copied to collection's ``CashCalendar`` in 0005); the database guards what
the pension credited for a posted due (``_posted_contribution``)."""

from django.db import migrations

from jumin.pension.migrations import _posted_contribution


class Migration(migrations.Migration):
    dependencies = [
        ("pension", "0005_contribution_due"),
        ("collection", "0009_due_scheme_neutral"),
    ]

    operations = [
        migrations.AlterModelTable(name="duegeneration", table=None),
        migrations.AlterModelTable(name="posting", table=None),
        migrations.RemoveField(model_name="contributionplan", name="deposit_due_day"),
        migrations.RemoveField(model_name="contributionplan", name="township_check_due_day"),
        migrations.RemoveField(model_name="contributionplan", name="county_check_due_day"),
        migrations.RunPython(
            _posted_contribution.forward, _posted_contribution.backward, elidable=False
        ),
    ]
