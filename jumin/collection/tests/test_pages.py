import pytest
from django.urls import reverse

from jumin.collection import services
from jumin.core.models import Role
from jumin.core.tokens import token_create
from jumin.testing.factories import PersonFactory, StaffFactory


@pytest.fixture
def books(tree, staff):
    finance = staff[Role.FINANCE]
    in_a = services.book_register(acting_user=finance, series="皖A", first_number=1, last_number=5)
    services.book_handover(acting_user=finance, book=in_a, receiver=staff[Role.TOWNSHIP_CLERK])
    services.book_handover(
        acting_user=staff[Role.TOWNSHIP_CLERK], book=in_a, receiver=staff[Role.VILLAGE_ASSISTANT]
    )
    services.receipt_issue(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        book=in_a,
        number=2,
        person=PersonFactory(village=tree.village_a1, name="赵秀英"),
        amount="300",
        contribution_year=2026,
    )
    in_b = services.book_register(acting_user=finance, series="皖B", first_number=1, last_number=5)
    services.book_handover(
        acting_user=finance,
        book=in_b,
        receiver=StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b),
    )
    return in_a, in_b


def test_township_clerk_sees_own_books_and_404_for_other_township(client, staff, books):
    in_a, in_b = books
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("collection:books")).content.decode()
    assert "皖A" in page and "皖B" not in page
    detail = client.get(reverse("collection:book_detail", args=[in_a.pk])).content.decode()
    assert "赵秀英" in detail and "300.00" in detail
    assert client.get(reverse("collection:book_detail", args=[in_b.pk])).status_code == 404


def test_county_finance_sees_every_book(client, staff, books):
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("collection:books")).content.decode()
    assert "皖A" in page and "皖B" in page


def test_api_lists_books_in_scope_and_404_outside(client, staff, books):
    in_a, in_b = books
    _, key = token_create(acting_user=None, user=staff[Role.VILLAGE_ASSISTANT], name="test")
    headers = {"Authorization": f"Bearer {key}"}
    listed = client.get("/api/collection/books", headers=headers).json()
    assert [(book["series"], book["issued"], book["unused"]) for book in listed] == [("皖A", 1, 4)]
    assert client.get(f"/api/collection/books/{in_b.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/collection/books/{in_a.pk}", headers=headers).json()["id"] == in_a.pk
