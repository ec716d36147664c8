"""The region tree pages and the township and village import page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jumin.core.models import Region, Role
from jumin.core.tabular import read_rows
from jumin.testing.factories import PersonFactory, RegionFactory

GOOD = "区划代码,名称\n341125102000,张桥镇\n341125102001,张桥村\n341125100003,新建村\n"


# --------------------------------------------------------------------------- pages


def test_region_tree_shows_children_with_counts(client, tree, staff):
    PersonFactory(village=tree.village_a1)
    PersonFactory(village=tree.village_a2)
    PersonFactory(village=tree.village_b1)
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get("/regions/")
    assert response.status_code == 200
    rows = {row.region.code: row for row in response.context["rows"]}
    assert set(rows) == {tree.township_a.code, tree.township_b.code}
    # persons are counted by the people app's declared hook (registration.region_counts)
    assert [str(count.label) for count in response.context["counts"]] == ["登记人数"]
    assert (rows[tree.township_a.code].villages, rows[tree.township_a.code].counts) == (2, [2])
    assert (rows[tree.township_b.code].villages, rows[tree.township_b.code].counts) == (2, [1])
    assert response.context["totals"] == {"townships": 2, "villages": 4, "counts": [3]}
    assert [crumb.code for crumb in response.context["breadcrumbs"]] == []
    township = client.get(f"/regions/{tree.township_a.code}/")
    assert [crumb.code for crumb in township.context["breadcrumbs"]] == [tree.county.code]
    assert "定城镇" in township.content.decode()


def test_a_townships_villages_link_to_their_list_for_users_who_may_open_it(client, tree, staff):
    PersonFactory(village=tree.village_a1)
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(f"/regions/{tree.township_a.code}/")
    rows = {row.region.code: row for row in response.context["rows"]}
    export = reverse("people:export")
    assert rows[tree.village_a1.code].lists == [
        (f"{export}?village={tree.village_a1.code}", "下载本村名单（Excel）")
    ]
    assert rows[tree.village_a2.code].lists == []  # nobody registered there yet
    assert f'href="{export}?village={tree.village_a1.code}"' in response.content.decode()
    county = client.get("/regions/")  # the county's rows are townships: no village lists
    assert not county.context["has_lists"]


def test_region_tree_query_count_does_not_grow_with_children(
    client, tree, staff, django_assert_max_num_queries
):
    client.force_login(staff[Role.COUNTY_ADMIN])
    client.get("/regions/")
    for number in range(20):
        RegionFactory(code=f"341125{200 + number:03d}000", parent=tree.county)
        PersonFactory(village=tree.village_a1)
    with django_assert_max_num_queries(14):
        response = client.get("/regions/")
    assert len(response.context["rows"]) == 22


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_own_region_and_not_above_it(client, tree, staff, role):
    user = staff[role]
    client.force_login(user)
    response = client.get("/regions/")
    assert response.status_code == 200
    assert response.context["region"].code == user.region_id
    assert response.context["breadcrumbs"] == []
    assert client.get(f"/regions/{tree.city.code}/").status_code == 404
    assert client.get("/regions/999999999999/").status_code == 404
    assert client.get("/regions/not-a-code/").status_code == 404


def test_a_township_clerk_cannot_open_another_township(client, tree, staff):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.get(f"/regions/{tree.township_b.code}/").status_code == 404
    assert client.get(f"/regions/{tree.village_b1.code}/").status_code == 404
    assert client.get(f"/regions/{tree.county.code}/").status_code == 404
    village = client.get(f"/regions/{tree.village_a1.code}/")
    assert village.status_code == 200
    assert [crumb.code for crumb in village.context["breadcrumbs"]] == [tree.township_a.code]


@pytest.mark.parametrize("role", list(Role))
def test_region_import_page_is_for_county_administrators(client, staff, role):
    client.force_login(staff[role])
    expected = 200 if role == Role.COUNTY_ADMIN else 403
    assert client.get("/regions/import/").status_code == expected
    assert client.get("/regions/import/template.xlsx").status_code == expected
    upload = SimpleUploadedFile("r.csv", GOOD.encode(), content_type="text/csv")
    assert client.post("/regions/import/", {"file": upload}).status_code == expected


def test_region_import_page_imports_and_shows_errors(client, tree, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    upload = SimpleUploadedFile("r.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/regions/import/", {"file": upload})
    assert response.context["result"].created == 3
    assert "导入完成" in response.content.decode()
    bad = SimpleUploadedFile("r.csv", "区划代码,名称\n123,坏\n".encode(), content_type="text/csv")
    response = client.post("/regions/import/", {"file": bad})
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行" in page and "12位数字" in page and "什么都没有导入" in page


def test_an_oversized_upload_is_refused_before_reading(client, staff, monkeypatch):
    from jumin.core.web import forms

    monkeypatch.setattr(forms, "REGION_FILE_MAX_BYTES", 10)
    client.force_login(staff[Role.COUNTY_ADMIN])
    upload = SimpleUploadedFile("r.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/regions/import/", {"file": upload})
    assert "文件太大" in response.content.decode()
    assert not Region.objects.filter(code="341125102000").exists()


def test_region_import_template_reads_back_with_the_right_headers(client, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get("/regions/import/template.xlsx")
    rows = list(read_rows(io.BytesIO(response.content)))
    assert rows[0][1][:2] == ["区划代码", "名称"]
    assert rows[1][1][0] == "341125100000"
