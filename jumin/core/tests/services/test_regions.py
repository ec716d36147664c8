"""Loading the region tree: county codes, the national list (python-stdnum), a county's
township and village file."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from openpyxl import Workbook

from jumin.core.models import AuditEntry, Region, RegionLevel, Role
from jumin.core.services import regions
from jumin.core.tabular import TabularError, read_rows

# --------------------------------------------------------------------------- county codes


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("341125", "341125"), ("341125000000", "341125"), ("341100", "3411"), ("34", "34")],
)
def test_county_codes_are_normalised_to_their_prefix(code, prefix):
    assert regions.normalise_county_prefix(code) == prefix


@pytest.mark.parametrize("code", ["3411251", "34112510000", "abc", "341125100000", ""])
def test_a_code_that_is_not_a_county_or_above_is_refused(code):
    with pytest.raises(ValidationError):
        regions.normalise_county_prefix(code)


# --------------------------------------------------------------------------- stdnum loading


@pytest.mark.django_db
def test_loading_341125_gives_anhui_chuzhou_dingyuan():
    result = regions.load_counties(province_or_county_codes=["341125"])
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    province = Region.objects.get(code="340000000000")
    city = Region.objects.get(code="341100000000")
    county = Region.objects.get(code="341125000000")
    assert (province.name, province.level, province.parent_id) == (
        "安徽省",
        RegionLevel.PROVINCE,
        None,
    )
    assert (city.name, city.level, city.parent_id) == ("滁州市", RegionLevel.CITY, province.code)
    assert (county.name, county.level, county.parent_id) == (
        "定远县",
        RegionLevel.COUNTY,
        city.code,
    )
    assert county.valid_from == datetime.date(1992, 1, 1)
    assert county.valid_to is None
    created = AuditEntry.objects.filter(action="core.region.create").order_by("object_id")
    assert [entry.object_id for entry in created] == [province.code, city.code, county.code]
    assert all(entry.actor_name == "system" for entry in created)
    summary = AuditEntry.objects.get(action="core.region.load")
    assert summary.region_code == county.code
    assert summary.after["created"] == 3


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    regions.load_counties(province_or_county_codes=["341125"])
    entries = AuditEntry.objects.filter(action="core.region.create").count()
    again = regions.load_counties(province_or_county_codes=["341125000000"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Region.objects.count() == 3
    assert AuditEntry.objects.filter(action="core.region.create").count() == entries
    assert not AuditEntry.objects.filter(action="core.region.update").exists()


@pytest.mark.django_db
def test_a_renamed_county_is_updated_and_the_rename_audited():
    regions.load_counties(province_or_county_codes=["341125"])
    Region.objects.filter(code="341125000000").update(name="旧名县")
    result = regions.load_counties(province_or_county_codes=["341125"])
    assert result.updated == 1
    assert Region.objects.get(code="341125000000").name == "定远县"
    entry = AuditEntry.objects.get(action="core.region.update")
    assert entry.before == {"name": "旧名县"}
    assert entry.after == {"name": "定远县"}


@pytest.mark.django_db
def test_a_province_loads_its_current_counties_only():
    regions.load_counties(province_or_county_codes=["34"], on=datetime.date(2026, 1, 1))
    codes = set(Region.objects.values_list("code", flat=True))
    assert {"340000000000", "340100000000", "340102000000", "341125000000"} <= codes
    assert Region.objects.get(code="340102000000").name == "瑶海区"
    assert "340203000000" not in codes  # 弋江区 (old code) abolished in 2020
    assert "340101000000" not in codes  # 市辖区 holds no townships
    assert Region.objects.filter(level=RegionLevel.COUNTY, parent_id__isnull=True).count() == 0


@pytest.mark.django_db
def test_an_abolished_county_asked_for_by_itself_is_loaded_with_its_end_date():
    regions.load_counties(province_or_county_codes=["340203"], on=datetime.date(2026, 1, 1))
    county = Region.objects.get(code="340203000000")
    assert county.name == "弋江区"
    assert county.valid_from == datetime.date(1983, 1, 1)
    assert county.valid_to == datetime.date(2020, 12, 31)
    assert county.parent_id == "340200000000"


@pytest.mark.django_db
def test_an_unknown_county_code_is_refused_with_a_message():
    with pytest.raises(ValidationError) as raised:
        regions.load_counties(province_or_county_codes=["349999"])
    assert "349999" in raised.value.messages[0]
    assert Region.objects.count() == 0


def test_loading_is_for_county_administrators_of_that_county(tree, staff):
    with pytest.raises(PermissionDenied):
        regions.load_counties(
            province_or_county_codes=["341125"], acting_user=staff[Role.COUNTY_CLERK]
        )
    with pytest.raises(Http404):  # another county does not exist for them
        regions.load_counties(
            province_or_county_codes=["341122"], acting_user=staff[Role.COUNTY_ADMIN]
        )
    result = regions.load_counties(
        province_or_county_codes=["341125"], acting_user=staff[Role.COUNTY_ADMIN]
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    tree.county.refresh_from_db()
    tree.city.refresh_from_db()
    assert tree.county.valid_from == datetime.date(1992, 1, 1)
    assert tree.city.valid_from is None  # above the administrator's county: left alone


@pytest.mark.django_db
def test_load_regions_command_loads_a_county(capsys):
    call_command("load_regions", "--county", "341125")
    assert Region.objects.get(code="341125000000").name == "定远县"
    assert "新增 3" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("load_regions")


# --------------------------------------------------------------------------- file import


def csv_file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def xlsx_file(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


GOOD = "区划代码,名称\n341125102000,张桥镇\n341125102001,张桥村\n341125100003,新建村\n"


def test_import_creates_townships_and_villages_with_level_and_parent(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    result = regions.import_regions_file(csv_file(GOOD), acting_user=admin, file_name="a.csv")
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    township = Region.objects.get(code="341125102000")
    assert (township.level, township.parent_id) == (RegionLevel.TOWNSHIP, tree.county.code)
    village = Region.objects.get(code="341125102001")
    assert (village.level, village.parent_id) == (RegionLevel.VILLAGE, township.code)
    assert Region.objects.get(code="341125100003").parent_id == tree.township_a.code
    created = AuditEntry.objects.filter(action="core.region.create", actor=admin)
    assert created.count() == 3
    summary = AuditEntry.objects.get(action="core.region.import")
    assert summary.after["created"] == 3
    assert summary.region_code == tree.county.code


def test_importing_the_same_file_again_changes_nothing(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    regions.import_regions_file(csv_file(GOOD), acting_user=admin)
    audit_count = AuditEntry.objects.exclude(action="core.region.import").count()
    again = regions.import_regions_file(csv_file(GOOD), acting_user=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.exclude(action="core.region.import").count() == audit_count


def test_a_rename_in_the_file_is_an_audited_update(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    result = regions.import_regions_file(
        csv_file("区划代码,名称\n341125100001,东门社区\n"), acting_user=admin
    )
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="341125100001").name == "东门社区"
    entry = AuditEntry.objects.get(action="core.region.update")
    assert (entry.before, entry.after) == ({"name": "东门村"}, {"name": "东门社区"})
    assert entry.region_code == "341125100001"


def test_validity_dates_are_read_and_kept_when_the_columns_are_absent(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    regions.import_regions_file(
        csv_file("区划代码,名称,生效日期,失效日期\n341125100001,东门村,2001/03/01,2024-12-31\n"),
        acting_user=admin,
    )
    village = Region.objects.get(code="341125100001")
    assert (village.valid_from, village.valid_to) == (
        datetime.date(2001, 3, 1),
        datetime.date(2024, 12, 31),
    )
    result = regions.import_regions_file(
        csv_file("区划代码,名称\n341125100001,东门村\n"), acting_user=admin
    )
    assert result.unchanged == 1
    village.refresh_from_db()
    assert village.valid_to == datetime.date(2024, 12, 31)


def test_gb18030_csv_and_xlsx_with_numeric_codes_import(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    result = regions.import_regions_file(
        csv_file("区划代码,名称\r\n341125102000,张桥镇\r\n", "gb18030"), acting_user=admin
    )
    assert result.ok and result.created == 1
    assert Region.objects.get(code="341125102000").name == "张桥镇"
    workbook = xlsx_file(
        [
            ["区划代码", "名称", "生效日期"],
            [341125102001, "张桥村", datetime.datetime(2010, 5, 1)],
            [341125102002.0, "李桥村", None],
        ]
    )
    result = regions.import_regions_file(workbook, acting_user=admin)
    assert result.ok, result.errors
    assert Region.objects.get(code="341125102001").valid_from == datetime.date(2010, 5, 1)
    assert Region.objects.get(code="341125102002").name == "李桥村"


BAD_ROWS = [
    ("34112510000,短码村", "区划代码", "12位数字"),
    ("34112510000X,字母村", "区划代码", "12位数字"),
    ("341125000000,定远县", "区划代码", "县级或以上"),
    ("341122100000,外县镇", "区划代码", "不在您的管辖范围"),
    ("341125109001,孤村", "区划代码", "所属乡镇（街道）341125109000 不存在"),
    ("341125100001,", "名称", "名称不能为空"),
    ("341125100001,东门村,2024-13-01", "生效日期", "格式"),
    ("341125100001,东门村,2024-01-01,2023-01-01", "失效日期", "不能早于"),
]


@pytest.mark.parametrize(("line", "column", "words"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(tree, staff, line, column, words):
    text = f"区划代码,名称,生效日期,失效日期\n341125102000,张桥镇\n{line}\n"
    before = Region.objects.count()
    result = regions.import_regions_file(csv_file(text), acting_user=staff[Role.COUNTY_ADMIN])
    assert not result.ok
    assert [(error.row, error.field) for error in result.errors] == [(3, column)]
    assert words in result.errors[0].message
    assert Region.objects.count() == before  # the good township row was not written either
    assert not AuditEntry.objects.filter(action__startswith="region.").exists()


def test_a_duplicate_code_in_the_file_names_both_rows(tree, staff):
    text = "区划代码,名称\n341125102000,张桥镇\n341125102000,张桥乡\n"
    result = regions.import_regions_file(csv_file(text), acting_user=staff[Role.COUNTY_ADMIN])
    assert [(error.row, error.field) for error in result.errors] == [(3, "区划代码")]
    assert "第 2 行重复" in result.errors[0].message


def test_a_township_of_a_county_not_loaded_is_refused_for_the_system(tree):
    result = regions.import_regions_file(
        csv_file("区划代码,名称\n341122100000,外县镇\n"), acting_user=None
    )
    assert "尚未载入" in result.errors[0].message
    assert "load-regions --county 341122" in result.errors[0].message


def test_a_formula_cell_is_refused_by_name(tree, staff):
    workbook = xlsx_file([["区划代码", "名称"], ["341125102000", '=A1&"镇"']])
    result = regions.import_regions_file(workbook, acting_user=staff[Role.COUNTY_ADMIN])
    assert [(error.row, error.field) for error in result.errors] == [(2, "名称")]
    assert "公式" in result.errors[0].message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "空"),
        (b"name,code\nx,y\n", "缺少“区划代码”“名称”列"),
        ("区划代码,名称\n".encode(), "没有数据行"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"%PDF-1.4\x00\x01\x02binary", "不是电子表格"),
        (b"PK\x03\x04broken zip", "不是有效的 Excel"),
    ],
)
def test_a_bad_file_gets_one_clear_message(tree, staff, content, words):
    result = regions.import_regions_file(io.BytesIO(content), acting_user=staff[Role.COUNTY_ADMIN])
    assert not result.ok
    assert words in result.errors[0].message
    assert Region.objects.count() == 9


def test_importing_needs_the_manage_permission(tree, staff):
    with pytest.raises(PermissionDenied):
        regions.import_regions_file(csv_file(GOOD), acting_user=staff[Role.TOWNSHIP_CLERK])


def test_load_regions_command_imports_a_file_or_lists_its_errors(tree, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("load_regions", "--file", str(good))
    assert Region.objects.filter(code="341125102001").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("区划代码,名称\n12345,坏\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_regions", "--file", str(bad))
    assert "第 2 行" in capsys.readouterr().err


def test_tabular_reader_skips_blank_rows_and_numbers_them_as_excel_does():
    rows = list(read_rows(csv_file("a;b\n\n1;2\n")))
    assert rows == [(1, ["a", "b"]), (3, ["1", "2"])]
    with_bom = list(read_rows(io.BytesIO("\ufeff区划代码\t名称\n1\t镇\n".encode())))
    assert with_bom == [(1, ["区划代码", "名称"]), (2, ["1", "镇"])]
    with pytest.raises(TabularError):
        list(read_rows(io.BytesIO(b"")))
