"""The medical pages: the counter's htmx trial shows the three layers before saving, saving
settles; a township clerk sees only its residents' claims (404 for the others)."""

import pytest
from django.urls import reverse

from jumin.core.models import Role
from jumin.medical.services import claims as services
from jumin.medical.tests.conftest import claim_data

pytestmark = pytest.mark.django_db


def form(person, hospital, invoice="P-1"):
    return {
        "id_number": person.id_number,
        "hospital_code": hospital.code,
        "kind": "inpatient",
        "invoice_number": invoice,
        "admission_date": "2026-03-01",
        "discharge_date": "2026-03-08",
        "diagnosis": "K35.8",
        "class_a": "46000",
        "class_b": "10000",
        "self_paid": "4000",
        "total": "60000",
    }


def test_counter_trial_then_save_shows_the_layers(client, staff, hospitals, resident):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    trial = client.post(reverse("medical:claim_trial"), form(resident, hospitals["level_2"]))
    text = trial.content.decode()
    assert "38080.00" in text and "1152.00" in text and "20768.00" in text and "大病保险" in text
    saved = client.post(reverse("medical:claim_new"), form(resident, hospitals["level_2"]))
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "38080.00" in page and "计算过程" in page
    year = client.get(reverse("medical:person_year", args=[resident.pk, 2026])).content.decode()
    assert "38080.00" in year and "住院年度封顶线" in year


def test_township_clerk_sees_only_its_residents(client, staff, hospitals, resident, resident_b):
    own, _ = services.claim_submit(
        acting_user=staff[Role.COUNTY_CLERK],
        data=claim_data(resident, hospitals["level_2"], invoice="A"),
    )
    other, _ = services.claim_submit(
        acting_user=staff[Role.COUNTY_CLERK],
        data=claim_data(resident_b, hospitals["level_2"], invoice="B"),
    )
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.get(reverse("medical:claim_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("medical:claim_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("medical:person_year", args=[resident_b.pk, 2026])).status_code == 404
    listed = client.get(reverse("medical:claims")).content.decode()
    assert ">A<" in listed and ">B<" not in listed
    client.force_login(staff[Role.COUNTY_ADMIN])
    month = client.get(
        reverse("medical:hospital_month", args=[hospitals["level_2"].pk]), {"month": "2026-03"}
    )
    assert month.status_code == 200 and "住院" in month.content.decode()


def test_policy_page_refuses_a_bad_document_listing_every_problem(client, staff, policy):
    client.force_login(staff[Role.COUNTY_ADMIN])
    answer = client.post(
        reverse("medical:policy_edit") + "?year=2026",
        {
            "coverage_year": "2026",
            "document": '{"inpatient": {"levels": {}}}',
            "document_number": "",
        },
    )
    text = answer.content.decode()
    assert "inpatient.levels.level_3" in text and "critical_illness：缺少" in text
    exported = client.get(reverse("medical:policy_export", args=[policy.pk]))
    assert b'"coverage_year": 2026' in exported.content
