"""Roster import pages: upload → background job → progress → summary; scoped; idempotent."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jumin.core.models import AuditEntry, JobRun, JobStatus, Role
from jumin.people.formats.roster_samples import roster_row
from jumin.people.models import Person, RosterImport
from jumin.people.tests.rosters import roster_upload

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def submit(client, upload, mode="all_or_nothing", capture=None):
    return client.post("/people/import/", {"file": upload, "mode": mode})


@pytest.fixture
def clerk_client(client, staff):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    return client


def test_upload_runs_in_the_background_and_the_page_shows_the_summary(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    rows = [roster_row(n) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = submit(clerk_client, roster_upload(tmp_path, rows))
    assert len(callbacks) == 1
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/import/{roster_import.pk}/"
    assert Person.objects.count() == 3
    page = clerk_client.get(response["Location"]).content.decode()
    assert "导入完成" in page and "新增 3 人" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    stored = tmp_path / "media" / "imports" / f"{roster_import.file_sha256}.csv"
    assert stored.exists() and roster_import.stored_path == str(stored)
    request_id = response["X-Request-ID"]
    submitted = AuditEntry.objects.get(action="people.roster_import.submit")
    assert submitted.actor == roster_import.created_by and submitted.request_id == request_id
    created = AuditEntry.objects.filter(action="people.person.import_create")
    assert created.count() == 3
    assert set(created.values_list("request_id", flat=True)) == {request_id}


def test_a_queued_import_page_polls_every_second(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submit(clerk_client, roster_upload(tmp_path, [roster_row(1)]))
    roster_import = RosterImport.objects.get()
    assert roster_import.job.status == JobStatus.QUEUED
    page = clerk_client.get(f"/people/import/{roster_import.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="/people/import/{roster_import.pk}/progress/"' in page
    partial = clerk_client.get(f"/people/import/{roster_import.pk}/progress/").content.decode()
    assert "<html" not in partial and 'hx-trigger="every 1s"' in partial


def test_the_same_file_handed_in_again_returns_the_earlier_import(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    rows = [roster_row(n) for n in range(2)]
    with django_capture_on_commit_callbacks(execute=False):  # still queued: a retry arrives
        first = submit(clerk_client, roster_upload(tmp_path, rows))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = submit(clerk_client, roster_upload(tmp_path, rows, name="again.csv"))
    assert callbacks == []
    assert second["Location"] == first["Location"]
    assert RosterImport.objects.count() == 1 and JobRun.objects.count() == 1
    page = clerk_client.get(second["Location"]).content.decode()
    assert "已经交过了" in page


def test_the_same_file_in_the_other_mode_is_a_new_import(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    rows = [roster_row(1)]
    with django_capture_on_commit_callbacks(execute=True):
        submit(clerk_client, roster_upload(tmp_path, rows), mode="all_or_nothing")
        submit(clerk_client, roster_upload(tmp_path, rows), mode="valid_only")
    assert RosterImport.objects.count() == 2
    assert RosterImport.objects.order_by("pk").last().rows_unchanged == 1


def test_a_failed_import_may_be_handed_in_again(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    rows = [roster_row(1)]
    with django_capture_on_commit_callbacks(execute=False):
        submit(clerk_client, roster_upload(tmp_path, rows))
    JobRun.objects.update(status=JobStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(clerk_client, roster_upload(tmp_path, rows))
    newest = RosterImport.objects.order_by("pk").last()
    assert RosterImport.objects.count() == 2
    assert response["Location"] == f"/people/import/{newest.pk}/"
    assert newest.rows_added == 1


def test_errors_are_shown_and_downloadable_as_excel(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    rows = [roster_row(1), roster_row(2, 性别="女")]
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(clerk_client, roster_upload(tmp_path, rows))
    page = clerk_client.get(response["Location"]).content.decode()
    assert "没有导入任何数据" in page and "性别与身份证号不符" in page
    roster_import = RosterImport.objects.get()
    download = clerk_client.get(f"/people/import/{roster_import.pk}/errors.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[1] == ("行号", "列", "单元格内容", "错误原因")
    assert lines[2] == (3, "性别", "女", "性别与身份证号不符（身份证号显示为男）")


def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_page_not_a_500(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("roster.xlsx", "身份证号,姓名\n".encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(clerk_client, upload)
    page = clerk_client.get(response["Location"]).content.decode()
    assert "文件无法导入" in page and "不是 Excel 工作簿" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.pdf", b"%PDF-1.4", "只能导入 .xlsx 或 .csv"),
        ("roster.csv", b"", "文件是空的"),
    ],
)
def test_refusals_known_from_the_upload_itself_stay_on_the_form(
    clerk_client, tree, name, content, message
):
    response = submit(clerk_client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RosterImport.objects.count() == 0


def test_missing_file_and_mode_are_named(clerk_client, tree):
    response = clerk_client.post("/people/import/", {})
    page = response.content.decode()
    assert "请选择要导入的文件" in page and "请选择导入方式" in page


def test_another_townships_import_answers_404(
    client, tree, staff, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(staff[Role.COUNTY_CLERK])
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, roster_upload(tmp_path, [roster_row(1, 姓名="李秀", 性别="男")]))
    roster_import = RosterImport.objects.get()
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    for url in ("", "progress/", "errors.xlsx"):
        assert client.get(f"/people/import/{roster_import.pk}/{url}").status_code == 404
    assert client.get("/people/import/999999/").status_code == 404
    assert roster_import.file_name not in client.get("/people/import/history/").content.decode()


def test_import_list_shows_the_imports_in_scope(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(clerk_client, roster_upload(tmp_path, [roster_row(1)], name="东门村.csv"))
    page = clerk_client.get("/people/import/history/").content.decode()
    assert "东门村.csv" in page


def test_roles_that_may_not_import_are_refused(client, staff):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    assert client.get("/people/import/").status_code == 403
    assert client.get("/people/import/template.xlsx").status_code == 403


def test_the_template_has_the_headers_and_an_example_row_that_imports(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get("/people/import/template.xlsx")
    content = response.content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("身份证号", "姓名", "性别") and lines[0][-1] == "死亡日期"
    upload = SimpleUploadedFile("template.xlsx", content)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, upload)
    assert RosterImport.objects.get().rows_added == 1
    assert Person.objects.get().name == "张三"


def test_progress_shows_rows_checked_then_the_write_stage(
    clerk_client, tree, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        submit(clerk_client, roster_upload(tmp_path, [roster_row(1)]))
    roster_import = RosterImport.objects.get()
    url = f"/people/import/{roster_import.pk}/progress/"
    JobRun.objects.update(status=JobStatus.RUNNING, stage="检查数据", done=40, total=100)
    partial = clerk_client.get(url).content.decode()
    assert 'aria-valuenow="40"' in partial and "已检查 40 / 100 行" in partial
    JobRun.objects.update(stage="写入数据库", done=0, total=0)
    partial = clerk_client.get(url).content.decode()
    assert "正在一次写入数据库" in partial and 'hx-trigger="every 1s"' in partial
