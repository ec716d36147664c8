"""The county admin sets the participation targets of the county, its townships and villages
for a coverage year: every row checked first, only changes written, audited; the participation
page shows them; other roles and other counties cannot."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.medical.models import ParticipationTarget
from jumin.medical.services.participation import targets_update
from jumin.testing.factories import RegionFactory, StaffFactory

URL = "medical:participation_targets"


def targets(year=2027):
    return dict(
        ParticipationTarget.objects.filter(coverage_year=year).values_list("region_id", "rate")
    )


def test_update_writes_only_changes_and_audits_them(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    rates = {tree.county.code: "95", tree.township_a.code: "96.5", tree.village_a1.code: ""}
    assert (
        targets_update(acting_user=admin, region_code="341125", coverage_year=2027, rates=rates)
        == 2
    )
    assert targets() == {
        tree.county.code: Decimal("0.9500"),
        tree.township_a.code: Decimal("0.9650"),
    }
    # the same table again: nothing changes, nothing recorded
    assert (
        targets_update(acting_user=admin, region_code="341125", coverage_year=2027, rates=rates)
        == 0
    )
    assert AuditEntry.objects.filter(action="medical.participation_target.update").count() == 1
    # a change and a removal
    changed = targets_update(
        acting_user=admin,
        region_code="341125",
        coverage_year=2027,
        rates={tree.county.code: "97%", tree.township_a.code: ""},
    )
    assert changed == 2
    assert targets() == {tree.county.code: Decimal("0.9700")}
    entry = AuditEntry.objects.filter(action="medical.participation_target.update").latest("pk")
    assert entry.before == {tree.county.code: "0.9500", tree.township_a.code: "0.9650"}
    assert entry.after == {tree.county.code: "0.9700", tree.township_a.code: None}


def test_bad_rows_are_all_named_and_nothing_is_written(tree, staff):
    with pytest.raises(ValidationError) as caught:
        targets_update(
            acting_user=staff[Role.COUNTY_ADMIN],
            region_code="341125",
            coverage_year=2027,
            rates={
                tree.county.code: "95",
                tree.township_a.code: "101",
                tree.village_a1.code: "95.555",
                tree.village_b1.code: "很多",
                "341126000000": "90",
            },
        )
    errors = caught.value.message_dict
    assert set(errors) == {
        f"rate_{tree.township_a.code}",
        f"rate_{tree.village_a1.code}",
        f"rate_{tree.village_b1.code}",
        "__all__",
    }
    assert tree.township_a.name in errors[f"rate_{tree.township_a.code}"][0]
    assert "0到100之间" in errors[f"rate_{tree.village_b1.code}"][0]
    assert not ParticipationTarget.objects.exists()
    assert not AuditEntry.objects.filter(action="medical.participation_target.update").exists()


def test_only_the_county_admin_of_the_county(tree, staff):
    for role in (Role.COUNTY_CLERK, Role.FINANCE, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT):
        with pytest.raises(PermissionDeniedForRole):
            targets_update(
                acting_user=staff[role], region_code="341125", coverage_year=2027, rates={}
            )
    other = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    elsewhere = StaffFactory(role=Role.COUNTY_ADMIN, region=other)
    with pytest.raises(Http404):
        targets_update(acting_user=elsewhere, region_code="341125", coverage_year=2027, rates={})


def test_the_page_saves_the_table_and_the_participation_page_shows_it(client, tree, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse(URL)
    page = client.get(url, {"year": 2027}).content.decode()
    assert tree.village_a1.name in page and f'name="rate_{tree.township_a.code}"' in page
    response = client.post(
        f"{url}?year=2027",
        {f"rate_{tree.county.code}": "95", f"rate_{tree.township_a.code}": "120"},
    )
    assert response.status_code == 200
    assert "应为0到100之间的百分数" in response.content.decode()
    assert not ParticipationTarget.objects.exists()
    response = client.post(
        f"{url}?year=2027",
        {f"rate_{tree.county.code}": "95", f"rate_{tree.township_a.code}": "96.5"},
    )
    assert response.status_code == 302 and response.url.endswith("?year=2027")
    again = client.get(url, {"year": 2027}).content.decode()
    assert 'value="96.5"' in again and 'value="95"' in again
    shown = client.get(reverse("medical:participation"), {"year": 2027}).content.decode()
    assert "95.00" in shown and "设置参保率目标" in shown


@pytest.mark.parametrize("role", [Role.COUNTY_CLERK, Role.FINANCE, Role.TOWNSHIP_CLERK])
def test_other_roles_cannot_open_the_page(client, staff, role):
    client.force_login(staff[role])
    assert client.get(reverse(URL)).status_code == 403
    assert "设置参保率目标" not in client.get(reverse("medical:participation")).content.decode()
