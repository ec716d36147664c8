"""Roster import: control characters refused by row and column, and uploads
that cannot starve the worker: too many rows, an .xlsx that unpacks too big, more
imports waiting than one user may have — each refused with a Chinese message, through the page
and the API, before anything is queued or written."""

import datetime
import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jumin.core.models import JobRun, JobStatus, Role
from jumin.people.formats.roster_columns import FIELDS, HEADER_FOR
from jumin.people.formats.roster_rows import STAGING_FIELDS, RowChecker
from jumin.people.formats.roster_samples import HEADERS, roster_row, write_csv, write_xlsx
from jumin.people.models import Person, RosterImport
from jumin.people.services.roster_imports import roster_import_submit
from jumin.people.tests.rosters import ALL_OR_NOTHING, bearer, import_file
from jumin.testing.concurrency import postgres_only, run_together

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def stored_files(settings) -> list:
    folder = settings.MEDIA_ROOT / "imports"
    return sorted(path.name for path in folder.glob("*")) if folder.exists() else []


# --------------------------------------------------------------------------- control characters


def test_a_control_character_refuses_the_row_all_or_nothing_writes_nothing(tree, staff, tmp_path):
    rows = [roster_row(1), roster_row(2, name="王\x07五"), roster_row(3, 户号="00\x1b1")]
    path = write_csv(tmp_path / "roster.csv", rows)
    roster_import = import_file(path, staff[Role.COUNTY_CLERK], mode=ALL_OR_NOTHING)
    assert Person.objects.count() == 0
    assert roster_import.job.result["outcome"] == "rejected"
    errors = [(e["row"], e["column"], e["message"]) for e in roster_import.errors]
    assert errors == [
        (3, "姓名", "不能包含控制字符（第2个字符 U+0007）"),
        (4, "户号", "不能包含控制字符（第3个字符 U+001B）"),
    ]
    # the stored value shows where the character was, and can be stored as JSON anywhere
    assert roster_import.errors[0]["value"] == "王\ufffd五"


def test_valid_only_imports_the_other_rows(tree, staff, tmp_path):
    rows = [roster_row(1), roster_row(2, 与户主关系="子\x7f女"), roster_row(3, name="李\u0085四")]
    path = write_csv(tmp_path / "roster.csv", rows)
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1 and roster_import.rows_rejected == 2
    assert list(Person.objects.values_list("name", flat=True)) == [roster_row(1)["姓名"]]
    messages = {(e["row"], e["column"]): e["message"] for e in roster_import.errors}
    assert messages == {
        (3, "与户主关系"): "不能包含控制字符（第2个字符 U+007F）",
        (4, "姓名"): "不能包含控制字符（第2个字符 U+0085）",
    }


def test_a_nul_byte_refuses_the_csv_file_in_chinese(tree, staff, tmp_path):
    path = write_csv(tmp_path / "roster.csv", [roster_row(1), roster_row(2, name="王\x00五")])
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.job.result["outcome"] == "refused" and Person.objects.count() == 0
    assert (
        roster_import.errors[0]["message"]
        == "文件不是表格：只能导入 Excel 工作簿（.xlsx）或 CSV 文件"
    )


def test_page_and_api_show_the_control_character_by_row_and_column(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    data = write_csv(tmp_path / "r.csv", [roster_row(1), roster_row(2, name="王\x07五")])
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/import/",
            {"file": SimpleUploadedFile("r.csv", data.read_bytes()), "mode": "all_or_nothing"},
        )
    page = client.get(response["Location"]).content.decode()
    assert "没有导入任何数据" in page and "不能包含控制字符（第2个字符 U+0007）" in page
    roster_import = RosterImport.objects.get()
    answer = client.get(
        f"/api/imports/{roster_import.pk}", headers=bearer(staff[Role.TOWNSHIP_CLERK])
    ).json()
    assert answer["errors"] == [
        {
            "row": 3,
            "column": "姓名",
            "value": "王\ufffd五",
            "message": "不能包含控制字符（第2个字符 U+0007）",
        }
    ]
    assert Person.objects.count() == 0


def test_a_line_break_typed_into_an_excel_cell_is_named(tree, staff, tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", [roster_row(1, name="王\n五"), roster_row(2)])
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert roster_import.rows_added == 1
    assert [(e["row"], e["column"], e["message"]) for e in roster_import.errors] == [
        (2, "姓名", "不能包含控制字符（第2个字符 U+000A）")
    ]


def test_a_trailing_line_break_is_trimmed_not_refused(tree, staff, tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", [roster_row(1, name="王五\n")])
    assert import_file(path, staff[Role.COUNTY_CLERK]).rows_added == 1
    assert Person.objects.get().name == "王五"


def test_the_fast_path_never_accepts_a_control_character():
    good = roster_row(1)
    columns = {field: index for index, field in enumerate(FIELDS)}
    checker = RowChecker(columns=columns, villages=["341125100001"], on=datetime.date(2026, 1, 1))

    def cells(**changes):
        values = {**good, **changes}
        return [values[HEADER_FOR[field]] for field in FIELDS]

    ok = STAGING_FIELDS.index("ok")
    row, problems = checker.check(2, cells())
    assert row is not None and row[ok] == 1 and not problems
    for header in ("姓名", "户号", "与户主关系", "存折开户行"):
        row, problems = checker.check(2, cells(**{header: (good[header] or "农")[:1] + "\x07"}))
        assert row[ok] == 0 and problems[0][1] == header


# --------------------------------------------------------------------------- limits


def xlsx_bomb(rows: int) -> bytes:
    """A roster whose sheet is ``rows`` identical rows: a few kB unpacking to tens of MB."""
    good = write_xlsx_bytes([roster_row(1)])
    row = b'<row><c t="inlineStr"><is><t>341125195001010011</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData>' + row * rows + b"</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            data = sheet if part.filename == "xl/worksheets/sheet1.xml" else source.read(part)
            archive.writestr(part.filename, data)
    return buffer.getvalue()


def write_xlsx_bytes(rows) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append([row.get(header, "") for header in HEADERS])
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_at_upload_by_page_and_api_quickly(client, staff, tree, settings):
    data = xlsx_bomb(400_000)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    started = time.perf_counter()
    response = client.post(
        "/people/import/",
        {"file": SimpleUploadedFile("roster.xlsx", data), "mode": "valid_only"},
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 200 and "压缩比异常" in response.content.decode()
    response = client.post(
        "/api/imports",
        {"file": SimpleUploadedFile("roster.xlsx", data), "mode": "valid_only"},
        headers=bearer(staff[Role.TOWNSHIP_CLERK]),
    )
    assert response.status_code == 422 and "压缩比异常" in response.json()["message"]
    assert not RosterImport.objects.exists() and not JobRun.objects.exists()
    assert stored_files(settings) == []


def test_a_zip_bomb_handed_to_the_cli_is_refused_too(tree, staff, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_bomb(400_000))
    started = time.perf_counter()
    roster_import = import_file(path, staff[Role.COUNTY_CLERK])
    assert time.perf_counter() - started < 5
    assert roster_import.job.result["outcome"] == "refused"
    assert "压缩比异常" in roster_import.errors[0]["message"]
    assert Person.objects.count() == 0


def test_too_many_rows_is_refused_at_upload_and_while_reading(
    client, staff, tree, tmp_path, settings
):
    settings.JUMIN_IMPORT_MAX_ROWS = 4  # the header and three rows
    rows = [roster_row(n) for n in range(4)]
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    csv_data = write_csv(tmp_path / "roster.csv", rows).read_bytes()
    response = client.post(
        "/people/import/", {"file": SimpleUploadedFile("r.csv", csv_data), "mode": "valid_only"}
    )
    assert "文件超过 4 行，请分成几个文件导入" in response.content.decode()
    response = client.post(
        "/api/imports",
        {"file": SimpleUploadedFile("r.csv", csv_data), "mode": "valid_only"},
        headers=bearer(staff[Role.TOWNSHIP_CLERK]),
    )
    assert response.status_code == 422 and "文件超过 4 行" in response.json()["message"]
    assert not RosterImport.objects.exists() and stored_files(settings) == []
    # an .xlsx cannot be counted at upload: the reading stops at the limit, nothing written
    roster_import = import_file(
        write_xlsx(tmp_path / "roster.xlsx", rows), staff[Role.COUNTY_CLERK]
    )
    assert roster_import.job.result["outcome"] == "refused"
    assert roster_import.errors[0]["message"] == "文件超过 4 行，请分成几个文件导入"
    assert Person.objects.count() == 0
    assert (
        import_file(
            write_xlsx(tmp_path / "three.xlsx", rows[:3]), staff[Role.COUNTY_CLERK]
        ).rows_added
        == 3
    )


# --------------------------------------------------------------------------- imports waiting


def queued(client, tmp_path, sequence: int, *, api_headers=None):
    """Hand in a one-row roster whose job stays queued (the worker has not taken it)."""
    data = write_csv(tmp_path / f"r{sequence}.csv", [roster_row(sequence)]).read_bytes()
    upload = SimpleUploadedFile(f"花名册{sequence}.csv", data)
    if api_headers is not None:
        return client.post(
            "/api/imports", {"file": upload, "mode": "valid_only"}, headers=api_headers
        )
    return client.post("/people/import/", {"file": upload, "mode": "valid_only"})


def test_a_third_waiting_import_is_refused_naming_the_waiting_ones(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    with django_capture_on_commit_callbacks(execute=False):  # no worker: the jobs stay queued
        assert queued(client, tmp_path, 1).status_code == 302
        assert queued(client, tmp_path, 2).status_code == 302
        first, second = RosterImport.objects.order_by("pk")
        response = queued(client, tmp_path, 3)
        page = response.content.decode()
        assert response.status_code == 200
        assert "您已有 2 个花名册导入在排队或进行中" in page
        assert f"#{first.pk}“花名册1.csv”（排队中）" in page
        assert f"#{second.pk}“花名册2.csv”（排队中）" in page
        response = queued(client, tmp_path, 3, api_headers=bearer(staff[Role.TOWNSHIP_CLERK]))
        assert response.status_code == 422 and "每人同时最多 2 个" in response.json()["message"]
        assert RosterImport.objects.count() == 2
        # the same file again still answers its waiting import (a retry is not a new import)
        response = queued(client, tmp_path, 2)
        assert response.status_code == 302 and response["Location"].endswith(f"/{second.pk}/")
        # another clerk has a place of their own
        other = bearer(staff[Role.COUNTY_CLERK])
        assert queued(client, tmp_path, 3, api_headers=other).status_code == 201
        # once one of the clerk's imports is done, a new one is taken
        JobRun.objects.filter(pk=first.job_id).update(status=JobStatus.DONE)
        assert queued(client, tmp_path, 4).status_code == 302
    assert RosterImport.objects.count() == 4


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_take_one_place(settings, tmp_path):
    """With one place left, exactly one of two simultaneous submissions (two connections) is
    taken: the clerk's row is locked while the waiting imports are counted."""
    from jumin.testing.factories import RegionTreeFactory, StaffFactory

    tree = RegionTreeFactory.build_tree()
    clerk = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a)
    settings.JUMIN_IMPORTS_WAITING_PER_USER = 1
    uploads = [
        SimpleUploadedFile(
            f"r{n}.csv", write_csv(tmp_path / f"r{n}.csv", [roster_row(n)]).read_bytes()
        )
        for n in (1, 2)
    ]
    outcomes = run_together(
        *(
            lambda upload=upload: roster_import_submit(
                acting_user=clerk, upload=upload, mode="valid_only"
            )
            for upload in uploads
        )
    )
    taken = [outcome for outcome in outcomes if "value" in outcome]
    refused = [outcome["error"] for outcome in outcomes if "error" in outcome]
    assert len(taken) == 1 and len(refused) == 1, outcomes
    assert "每人同时最多 1 个" in refused[0].message_dict["file"][0]
    assert RosterImport.objects.count() == 1
