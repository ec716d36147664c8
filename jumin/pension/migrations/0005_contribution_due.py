"""The pension's columns of a due move beside it (``ContributionDue``, one row per due), the
dues job's and the posting's run records become the pension's (same tables for now, renamed in
0006), and the cash calendar of the plans is copied to collection's own calendar.

Data: every existing due is the pension's; its plan, enrolment, grade, subsidies, collective
subsidy, run records and posting are copied; its government-paid group, stored as a label
("低保对象 full"), becomes codes (kind, detail); ``Due.subsidy`` becomes the sum of its
subsidies. A posted due whose posting run was not recorded on it (posted before the run was
kept on the due) takes the run of its ledger entries. Queued dues and posting jobs keep
running: their job kind and task path follow the move.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import translation

JOB_KINDS = {
    "collection.dues.generate": "pension.dues.generate",
    "collection.posting": "pension.posting",
}
TASK_PATHS = {
    "jumin.collection.jobs.run_dues_generation": "jumin.pension.jobs.run_dues_generation",
    "jumin.collection.jobs_posting.run_posting": "jumin.pension.jobs.run_posting",
}
COUNTY = 3  # core.RegionLevel.COUNTY


def copy_dues(apps, schema_editor):
    from jumin.people.models import SpecialStatusKind

    execute = schema_editor.execute
    execute(
        """INSERT INTO pension_contributiondue (
               due_id, enrolment_id, plan_id, grade, subsidy_province, subsidy_city,
               subsidy_county, collective_subsidy, government_paid_kind, government_paid_detail,
               generation_id, posting_id)
           SELECT id, enrolment_id, plan_id, grade, subsidy_province, subsidy_city,
               subsidy_county, collective_subsidy, '', '', generation_id, posting_id
           FROM collection_due"""
    )
    execute(
        """UPDATE collection_due SET subsidy =
               subsidy_province + subsidy_city + subsidy_county + collective_subsidy"""
    )
    execute(
        """UPDATE pension_contributiondue SET posting_id = (
               SELECT MIN(e.posting_id) FROM pension_accountentry e
               WHERE e.due_id = pension_contributiondue.due_id AND e.posting_id IS NOT NULL)
           WHERE posting_id IS NULL
             AND due_id IN (SELECT id FROM collection_due WHERE status = 'posted')"""
    )
    with translation.override("zh-hans"):
        kinds = {str(label): code for code, label in SpecialStatusKind.choices}
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT government_paid_group FROM collection_due "
            "WHERE government_paid_group <> ''"
        )
        groups = [row[0] for row in cursor.fetchall()]
    for group in groups:
        label, _space, detail = group.rpartition(" ")
        if label not in kinds:
            label, detail = group, ""
        kind = kinds.get(label, label[:32])
        execute(
            """UPDATE pension_contributiondue
               SET government_paid_kind = %s, government_paid_detail = %s
               WHERE due_id IN (SELECT id FROM collection_due WHERE government_paid_group = %s)""",
            params=[kind, detail[:20], group],
        )


def copy_calendar(apps, schema_editor):
    """One calendar row per county and year that had a plan in force (the county's, else its
    city's, else its province's), with that plan's days."""
    Region = apps.get_model("core", "Region")
    ContributionPlan = apps.get_model("pension", "ContributionPlan")
    CashCalendar = apps.get_model("collection", "CashCalendar")
    plans = {(plan.region_id, plan.year): plan for plan in ContributionPlan.objects.all()}
    years = sorted({year for _region, year in plans})
    rows = []
    for county in Region.objects.filter(level=COUNTY).values_list("code", flat=True):
        ancestors = [county, county[:4].ljust(12, "0"), county[:2].ljust(12, "0")]
        for year in years:
            plan = next((plans[code, year] for code in ancestors if (code, year) in plans), None)
            if plan is not None:
                rows.append(
                    CashCalendar(
                        county_id=county,
                        year=year,
                        deposit_day=plan.deposit_due_day,
                        township_check_day=plan.township_check_due_day,
                        county_check_day=plan.county_check_due_day,
                    )
                )
    CashCalendar.objects.bulk_create(rows, batch_size=500)


def follow_jobs(apps, schema_editor):
    JobRun = apps.get_model("core", "JobRun")
    for old, new in JOB_KINDS.items():
        JobRun.objects.filter(kind=old).update(kind=new)
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in TASK_PATHS.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def follow_jobs_back(apps, schema_editor):
    JobRun = apps.get_model("core", "JobRun")
    for old, new in JOB_KINDS.items():
        JobRun.objects.filter(kind=new).update(kind=old)
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in TASK_PATHS.items():
        DBTaskResult.objects.filter(task_path=new).update(task_path=old)


class Migration(migrations.Migration):
    dependencies = [
        ("pension", "0004_ledger_no_truncate"),
        ("collection", "0008_due_scheme"),
        ("core", "0007_database_protection"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DueGeneration",
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
                        ("year", models.PositiveSmallIntegerField(verbose_name="缴费年度")),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("personal_created", models.PositiveIntegerField(default=0)),
                        ("government_paid_created", models.PositiveIntegerField(default=0)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "job",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="core.jobrun",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.region",
                            ),
                        ),
                    ],
                    options={"ordering": ["-created_at"], "db_table": "collection_duegeneration"},
                ),
                migrations.CreateModel(
                    name="Posting",
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
                        ("year", models.PositiveSmallIntegerField(verbose_name="缴费年度")),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("due_count", models.PositiveIntegerField(default=0)),
                        ("entry_count", models.PositiveIntegerField(default=0)),
                        (
                            "amount_sum",
                            models.DecimalField(decimal_places=2, default=0, max_digits=14),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "job",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                to="core.jobrun",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.region",
                            ),
                        ),
                    ],
                    options={"ordering": ["-created_at"], "db_table": "collection_posting"},
                ),
                migrations.AlterField(
                    model_name="accountentry",
                    name="posting",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pension.posting",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="ContributionDue",
            fields=[
                (
                    "due",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="contribution",
                        serialize=False,
                        to="collection.due",
                        verbose_name="应缴记录",
                    ),
                ),
                ("grade", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="缴费档次")),
                (
                    "subsidy_province",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="省级补贴"
                    ),
                ),
                (
                    "subsidy_city",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="市级补贴"
                    ),
                ),
                (
                    "subsidy_county",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="县级补贴"
                    ),
                ),
                (
                    "collective_subsidy",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="集体补助"
                    ),
                ),
                (
                    "government_paid_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("severe_disability", "重度残疾人"),
                            ("subsistence_allowance", "低保对象"),
                            ("extreme_poverty", "特困人员"),
                            ("family_planning_special", "计生特殊家庭"),
                            ("poverty_monitored", "防返贫监测对象"),
                        ],
                        max_length=32,
                        verbose_name="代缴类别",
                    ),
                ),
                (
                    "government_paid_detail",
                    models.CharField(blank=True, max_length=20, verbose_name="代缴等级/类型"),
                ),
                (
                    "enrolment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pension.enrolment",
                    ),
                ),
                (
                    "generation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pension.duegeneration",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pension.contributionplan",
                    ),
                ),
                (
                    "posting",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pension.posting",
                    ),
                ),
            ],
            options={"verbose_name": "城乡居保应缴", "verbose_name_plural": "城乡居保应缴"},
        ),
        migrations.RunPython(copy_dues, migrations.RunPython.noop),
        migrations.RunPython(copy_calendar, migrations.RunPython.noop),
        migrations.RunPython(follow_jobs, follow_jobs_back),
    ]
