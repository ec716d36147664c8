"""``jumin import-roster``: summary printed, error file named, exit code by outcome."""

import pytest
from django.core.management import CommandError, call_command

from jumin.core.models import Role
from jumin.people.formats.roster_samples import roster_row, write_csv
from jumin.people.models import Person, RosterImport

pytestmark = pytest.mark.usefixtures("media")


def test_valid_only_import_prints_the_summary(tree, tmp_path, capsys):
    path = write_csv(tmp_path / "roster.csv", [roster_row(n) for n in range(3)])
    call_command(
        "import_roster",
        str(path),
        "--mode",
        "valid-only",
        "--region",
        tree.county.code,
        "--no-progress",
    )
    out = capsys.readouterr().out
    assert "新增 3 人" in out and "文件编码：UTF-8" in out
    assert Person.objects.count() == 3


def test_all_or_nothing_with_errors_exits_non_zero_and_names_the_error_file(
    tree, staff, tmp_path, capsys
):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1), roster_row(2, 性别="女")])
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_roster",
            str(path),
            "--mode",
            "all-or-nothing",
            "--user",
            staff[Role.TOWNSHIP_CLERK].username,
            "--no-progress",
        )
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert "第3行【性别】：性别与身份证号不符" in out
    roster_import = RosterImport.objects.get()
    error_file = tmp_path / "media" / "imports" / "errors" / f"{roster_import.pk}.xlsx"
    assert f"全部错误见：{error_file}" in out and error_file.exists()
    assert Person.objects.count() == 0
    assert roster_import.created_by == staff[Role.TOWNSHIP_CLERK]


def test_valid_only_with_errors_succeeds_for_the_good_rows(tree, tmp_path, capsys):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1), roster_row(2, 性别="女")])
    call_command(
        "import_roster",
        str(path),
        "--mode",
        "valid-only",
        "--region",
        tree.county.code,
        "--no-progress",
    )
    assert Person.objects.count() == 1


def test_unknown_user_region_or_file_is_a_clear_error(tree, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1)])
    with pytest.raises(CommandError, match="没有这位工作人员"):
        call_command("import_roster", str(path), "--mode", "valid-only", "--user", "nobody")
    with pytest.raises(CommandError, match="没有这个区划代码"):
        call_command("import_roster", str(path), "--mode", "valid-only", "--region", "999999999999")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command(
            "import_roster",
            str(tmp_path / "none.csv"),
            "--mode",
            "valid-only",
            "--region",
            tree.county.code,
        )


def test_a_user_who_may_not_import_is_refused(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1)])
    with pytest.raises(CommandError, match="不能导入花名册"):
        call_command(
            "import_roster",
            str(path),
            "--mode",
            "valid-only",
            "--user",
            staff[Role.VILLAGE_ASSISTANT].username,
            "--no-progress",
        )
    assert Person.objects.count() == 0
