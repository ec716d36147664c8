"""Township targets, taken over from the collection app with their rows: the model is
declared on the existing table, then the table is renamed to this app's name."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("collection", "0007_targets_to_reports"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CollectionTarget",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        ("target_count", models.PositiveIntegerField(verbose_name="缴费人数任务")),
                        (
                            "target_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="缴费金额任务",
                            ),
                        ),
                        ("set_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.region",
                            ),
                        ),
                        (
                            "set_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "征缴任务",
                        "verbose_name_plural": "征缴任务",
                        "db_table": "collection_collectiontarget",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("region", "year"), name="collection_target_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="CollectionTarget", table=None),
    ]
