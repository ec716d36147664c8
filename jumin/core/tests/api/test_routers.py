"""``/api/regions`` and ``/api/jobs``: every role sees only its own area; the rest is 404."""

import uuid

import pytest

from jumin.core.access import roles_with
from jumin.core.models import JobRun, JobStatus, Region, Role
from jumin.core.services.tokens import token_create

ALL_ROLES = list(Role)


@pytest.fixture
def api(client, staff):
    def get_as(role, path, params=None):
        _, key = token_create(acting_user=None, user=staff[role])
        return client.get(path, params or {}, headers={"Authorization": f"Bearer {key}"})

    return get_as


def visible(user, code: str) -> bool:
    return code.startswith(user.scope_prefix)


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize("role", ALL_ROLES)
def test_region_get_is_404_outside_scope_for_every_role(api, staff, tree, role):
    user = staff[role]
    for region in Region.objects.all():
        response = api(role, f"/api/regions/{region.code}")
        expected = 200 if visible(user, region.code) else 404
        assert response.status_code == expected, (role, region.code)
        if expected == 200:
            assert response.json()["name"] == region.name
        else:
            assert response.json()["code"] == "not_found"
    for guess in ("341125102000", "999999999999", "abc", "3" * 300, "%00", "3411251000%00"):
        assert api(role, f"/api/regions/{guess}").status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_region_children_are_listed_only_in_scope_for_every_role(api, staff, tree, role):
    user = staff[role]
    own = api(role, "/api/regions").json()
    assert [region["code"] for region in own] == [user.region_id]
    for parent in Region.objects.all():
        response = api(role, "/api/regions", {"parent": parent.code})
        if not visible(user, parent.code):
            assert response.status_code == 404, (role, parent.code)
            continue
        expected = sorted(
            child.code for child in parent.children.all() if visible(user, child.code)
        )
        assert [region["code"] for region in response.json()] == expected


def test_village_assistant_asking_for_the_neighbouring_village_gets_404(api, tree):
    neighbour = tree.village_a2.code
    assert api(Role.VILLAGE_ASSISTANT, f"/api/regions/{neighbour}").status_code == 404
    assert api(Role.VILLAGE_ASSISTANT, "/api/regions", {"parent": neighbour}).status_code == 404
    township = api(Role.VILLAGE_ASSISTANT, "/api/regions", {"parent": tree.township_a.code})
    assert township.status_code == 404


def test_region_answer_names_level_parent_and_children(api, tree):
    township = api(Role.COUNTY_CLERK, "/api/regions", {"parent": tree.county.code}).json()
    assert township[0] == {
        "code": tree.township_a.code,
        "name": "定城镇",
        "level": "township",
        "level_label": "乡镇",
        "parent_code": tree.county.code,
        "valid_from": None,
        "valid_to": None,
        "has_children": True,
    }
    village = api(Role.COUNTY_CLERK, f"/api/regions/{tree.village_b2.code}").json()
    assert (village["level"], village["has_children"]) == ("village", False)


@pytest.mark.parametrize("parent", ["12345", "abcdefghijkl", "3411251000001", "\x00"])
def test_region_list_with_malformed_parent_is_422(api, tree, parent):
    response = api(Role.COUNTY_ADMIN, "/api/regions", {"parent": parent})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent"


def test_user_without_a_region_sees_no_region(client, tree, django_user_model):
    user = django_user_model.objects.create_user("nobody", role=Role.COUNTY_CLERK)
    _, key = token_create(acting_user=None, user=user)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/regions", headers=headers).json() == []
    assert client.get(f"/api/regions/{tree.county.code}", headers=headers).status_code == 404


# --------------------------------------------------------------------------- jobs


@pytest.fixture
def jobs(tree):
    return {
        region.code: JobRun.objects.create(
            kind="roster_import", region=region, status=JobStatus.RUNNING, done=25, total=100
        )
        for region in (tree.county, tree.township_a, tree.township_b, tree.village_a2)
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_job_is_404_outside_scope_for_every_role(api, staff, jobs, role):
    assert role in roles_with("job.view")
    user = staff[role]
    for code, job in jobs.items():
        response = api(role, f"/api/jobs/{job.pk}")
        expected = 200 if visible(user, code) else 404
        assert response.status_code == expected, (role, code)
    for guess in (uuid.uuid4(), "not-a-uuid", "1", "0" * 500, "%00"):
        response = api(role, f"/api/jobs/{guess}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_job_answer_shows_progress_and_result(api, tree):
    job = JobRun.objects.create(
        kind="roster_import",
        region=tree.township_a,
        status=JobStatus.DONE,
        done=40,
        total=40,
        stage="写入",
        message="完成",
        result={"added": 38, "rejected": 2},
    )
    body = api(Role.TOWNSHIP_CLERK, f"/api/jobs/{job.pk}").json()
    assert body["id"] == str(job.pk)
    assert (body["status"], body["status_label"], body["percent"]) == ("done", "已完成", 100)
    assert (body["done"], body["total"], body["stage"]) == (40, 40, "写入")
    assert body["result"] == {"added": 38, "rejected": 2}
    assert body["region_code"] == tree.township_a.code


def test_running_job_percent_follows_done_over_total(api, jobs, tree):
    body = api(Role.COUNTY_ADMIN, f"/api/jobs/{jobs[tree.county.code].pk}").json()
    assert (body["status"], body["percent"]) == ("running", 25)
