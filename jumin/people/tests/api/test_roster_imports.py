"""``/api/imports``: hand in a file, follow it, fetch its errors; scoped and idempotent."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jumin.core.models import JobRun, Role
from jumin.people.formats.roster_samples import roster_row
from jumin.people.models import Person, RosterImport
from jumin.people.tests.rosters import bearer, roster_upload

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def post(client, headers, file, mode="valid_only"):
    return client.post("/api/imports", {"file": file, "mode": mode}, headers=headers)


def test_post_starts_an_import_and_get_reports_it(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    rows = [roster_row(1), roster_row(2, 性别="女")]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, headers, roster_upload(tmp_path, rows))
    assert response.status_code == 201
    body = response.json()
    roster_import = RosterImport.objects.get()
    assert body["id"] == roster_import.pk and body["job_id"] == str(roster_import.job_id)
    answer = client.get(f"/api/imports/{body['id']}", headers=headers).json()
    assert answer["status"] == "done" and answer["outcome"] == "imported"
    assert (answer["rows_added"], answer["rows_rejected"]) == (1, 1)
    assert answer["percent"] == 100
    assert answer["errors"] == [
        {
            "row": 3,
            "column": "性别",
            "value": "女",
            "message": "性别与身份证号不符（身份证号显示为男）",
        }
    ]
    assert answer["errors_url"].endswith(f"/api/imports/{body['id']}/errors.xlsx")
    assert Person.objects.count() == 1


def test_the_same_file_posted_again_answers_the_earlier_import(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    rows = [roster_row(1)]
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, headers, roster_upload(tmp_path, rows))
        second = post(client, headers, roster_upload(tmp_path, rows, name="retry.csv"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert JobRun.objects.count() == 1


def test_errors_download_is_an_excel_of_every_error(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    rows = [roster_row(n, 联系电话="123") for n in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        body = post(client, headers, roster_upload(tmp_path, rows)).json()
    answer = client.get(f"/api/imports/{body['id']}", headers=headers).json()
    assert len(answer["errors"]) == 20 and answer["errors_count"] == 30
    response = client.get(f"/api/imports/{body['id']}/errors.xlsx", headers=headers)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 32  # title, headers, 30 errors


def test_errors_download_without_errors_is_404(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    with django_capture_on_commit_callbacks(execute=True):
        body = post(client, headers, roster_upload(tmp_path, [roster_row(1)])).json()
    response = client.get(f"/api/imports/{body['id']}/errors.xlsx", headers=headers)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_townships_import_is_404(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = post(
            client,
            bearer(staff[Role.COUNTY_CLERK]),
            roster_upload(tmp_path, [roster_row(1, 联系电话="1")]),
        ).json()
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    for path in (f"/api/imports/{body['id']}", f"/api/imports/{body['id']}/errors.xlsx"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get("/api/imports/abc", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "mode", "field"),
    [
        ("roster.csv", b"a,b\n1,2\n", "sometimes", "mode"),
        ("roster.doc", b"a,b\n1,2\n", "valid_only", "file"),
        ("roster.csv", b"", "valid_only", "file"),
    ],
)
def test_bad_requests_answer_validation_errors_naming_the_field(
    client, staff, tree, name, content, mode, field
):
    response = post(
        client, bearer(staff[Role.TOWNSHIP_CLERK]), SimpleUploadedFile(name, content), mode=mode
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [error["field"] for error in body["errors"]] == [field]
    assert RosterImport.objects.count() == 0


def test_mode_may_be_written_with_a_hyphen(
    client, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            bearer(staff[Role.TOWNSHIP_CLERK]),
            roster_upload(tmp_path, [roster_row(1)]),
            mode="all-or-nothing",
        )
    assert response.json()["mode"] == "all_or_nothing"


def test_roles_without_the_import_permission_get_403(client, staff, tree, tmp_path):
    response = post(client, bearer(staff[Role.LEADER]), roster_upload(tmp_path, [roster_row(1)]))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_without_a_token_the_answer_is_401(client, tree, tmp_path):
    assert post(client, {}, roster_upload(tmp_path, [roster_row(1)])).status_code == 401
