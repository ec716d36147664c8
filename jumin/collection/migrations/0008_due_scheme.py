"""A due names its scheme and carries the public money that comes with it; the monthly cash
calendar becomes collection's own (county × year). Existing dues are the pension's."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0007_targets_to_reports"),
        ("core", "0007_database_protection"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="due",
            name="scheme",
            field=models.CharField(default="pension", max_length=20, verbose_name="险种"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="due",
            name="subsidy",
            field=models.DecimalField(
                decimal_places=2, default=0, max_digits=14, verbose_name="财政补助"
            ),
        ),
        migrations.RemoveConstraint(model_name="due", name="due_once_per_person_year_kind"),
        migrations.AddConstraint(
            model_name="due",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "cancelled"), _negated=True),
                fields=("scheme", "person", "year", "kind"),
                name="due_once_per_scheme_person_year_kind",
            ),
        ),
        migrations.CreateModel(
            name="CashCalendar",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "deposit_day",
                    models.PositiveSmallIntegerField(default=25, verbose_name="缴存截止日"),
                ),
                (
                    "township_check_day",
                    models.PositiveSmallIntegerField(default=28, verbose_name="乡镇核对截止日"),
                ),
                (
                    "county_check_day",
                    models.PositiveSmallIntegerField(default=30, verbose_name="县级核对截止日"),
                ),
                ("set_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.region",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "缴存与核对日历",
                "verbose_name_plural": "缴存与核对日历",
                "ordering": ["county_id", "-year"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("county", "year"), name="cash_calendar_unique"
                    )
                ],
            },
        ),
    ]
