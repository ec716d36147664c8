"""The 2026 national holidays and make-up working days (国务院办公厅关于2026年部分节假日安排的
通知), seeded as dated data; later years are entered on the holidays page."""

import datetime

from django.db import migrations

HOLIDAYS_2026 = (
    ("元旦", datetime.date(2026, 1, 1), datetime.date(2026, 1, 3), (datetime.date(2026, 1, 4),)),
    (
        "春节",
        datetime.date(2026, 2, 15),
        datetime.date(2026, 2, 23),
        (datetime.date(2026, 2, 14), datetime.date(2026, 2, 28)),
    ),
    ("清明节", datetime.date(2026, 4, 4), datetime.date(2026, 4, 6), ()),
    ("劳动节", datetime.date(2026, 5, 1), datetime.date(2026, 5, 5), (datetime.date(2026, 5, 9),)),
    ("端午节", datetime.date(2026, 6, 19), datetime.date(2026, 6, 21), ()),
    ("中秋节", datetime.date(2026, 9, 25), datetime.date(2026, 9, 27), ()),
    (
        "国庆节",
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 7),
        (datetime.date(2026, 9, 20), datetime.date(2026, 10, 10)),
    ),
)


def rows():
    for name, first, last, workdays in HOLIDAYS_2026:
        day = first
        while day <= last:
            yield {"day": day, "name": name, "workday": False}
            day += datetime.timedelta(days=1)
        for day in workdays:
            yield {"day": day, "name": f"{name}调休上班", "workday": True}


def seed(apps, schema_editor):
    Holiday = apps.get_model("pension", "Holiday")
    have = set(Holiday.objects.filter(region_code="").values_list("day", flat=True))
    Holiday.objects.bulk_create(
        [Holiday(region_code="", **row) for row in rows() if row["day"] not in have]
    )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("pension", "Holiday")
    Holiday.objects.filter(region_code="", day__year=2026).delete()


class Migration(migrations.Migration):
    dependencies = [("pension", "0011_holidays_late_arrears")]
    operations = [migrations.RunPython(seed, unseed)]
