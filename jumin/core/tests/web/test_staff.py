"""The staff pages for county administrators, and every user's password page."""

import pytest

from jumin.core.auth import PasswordChangeRequiredMiddleware
from jumin.core.models import AuditEntry, RegionLevel, Role, User
from jumin.testing.factories import TEST_PASSWORD, RegionFactory, StaffFactory

MIDDLEWARE_PATH = f"{PasswordChangeRequiredMiddleware.__module__}.PasswordChangeRequiredMiddleware"


@pytest.fixture
def forced_change(settings):
    """The middleware that sends a user with a temporary password to change it first."""
    if MIDDLEWARE_PATH not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE_PATH]


@pytest.fixture
def other_county(tree):
    county = RegionFactory(
        code="341122000000", name="来安县", level=RegionLevel.COUNTY, parent=tree.city
    )
    township = RegionFactory(
        code="341122100000", name="新安镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    return county, township


def create_data(tree, **changes):
    data = {
        "username": "liming",
        "full_name": "李明",
        "role": Role.TOWNSHIP_CLERK,
        "region": tree.township_b.code,
        "phone": "13900001111",
    }
    return {**data, **changes}


# --------------------------------------------------------------------------- pages


STAFF_PAGES = [
    ("get", "/staff/"),
    ("get", "/staff/new/"),
    ("get", "/staff/{pk}/"),
    ("post", "/staff/{pk}/reset-password/"),
    ("post", "/staff/{pk}/unlock/"),
    ("post", "/staff/{pk}/deactivate/"),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "url"), STAFF_PAGES)
def test_staff_pages_answer_each_role(client, staff, role, method, url):
    target = staff[Role.VILLAGE_ASSISTANT]
    client.force_login(staff[role])
    response = getattr(client, method)(url.format(pk=target.pk))
    if role == Role.COUNTY_ADMIN:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), STAFF_PAGES[2:])
def test_staff_outside_the_county_or_guessed_ids_answer_404(
    client, staff, other_county, method, url
):
    county, _township = other_county
    outsider = StaffFactory(role=Role.COUNTY_CLERK, region=county)
    superuser = User.objects.create_superuser("root", password=TEST_PASSWORD)
    client.force_login(staff[Role.COUNTY_ADMIN])
    for pk in (outsider.pk, superuser.pk, 999999):
        assert getattr(client, method)(url.format(pk=pk)).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and not outsider.must_change_password


def test_staff_list_shows_only_the_administrators_county(client, staff, other_county):
    county, _township = other_county
    outsider = StaffFactory(role=Role.COUNTY_CLERK, region=county, full_name="外县职员")
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get("/staff/")
    shown = {account.pk for account in response.context["page"].object_list}
    assert shown == {user.pk for user in staff.values()}
    assert outsider.pk not in shown
    only = client.get("/staff/", {"role": Role.VILLAGE_ASSISTANT})
    assert [a.pk for a in only.context["page"].object_list] == [staff[Role.VILLAGE_ASSISTANT].pk]


def test_create_page_shows_the_temporary_password_once(client, tree, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post("/staff/new/", create_data(tree))
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    user = User.objects.get(username="liming")
    assert user.check_password(password) and user.region_id == tree.township_b.code
    again = client.get(f"/staff/{user.pk}/")
    assert password not in again.content.decode()


def test_create_page_names_the_wrong_field(client, tree, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post("/staff/new/", create_data(tree, region=tree.county.code))
    assert response.status_code == 200
    assert "应是一个乡镇" in str(response.context["form"].errors["region"])
    assert not User.objects.filter(username="liming").exists()


def test_edit_page_saves_and_audits(client, tree, staff):
    clerk = staff[Role.TOWNSHIP_CLERK]
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(
        f"/staff/{clerk.pk}/",
        {
            "full_name": "新名字",
            "role": Role.TOWNSHIP_CLERK,
            "region": tree.township_b.code,
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.full_name, clerk.region_id) == ("新名字", tree.township_b.code)
    assert AuditEntry.objects.filter(action="core.staff.update", object_id=str(clerk.pk)).exists()


def test_after_a_reset_the_user_must_change_the_password_first(client, staff, forced_change):
    clerk = staff[Role.TOWNSHIP_CLERK]
    client.force_login(staff[Role.COUNTY_ADMIN])
    password = client.post(f"/staff/{clerk.pk}/reset-password/").context["password"]
    client.logout()
    login = client.post("/login/", {"username": clerk.username, "password": password})
    assert login.status_code == 302 and login["Location"] == "/password/"
    for url in ("/", "/regions/", "/people/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/password/"
    page = client.get("/password/")
    assert "临时密码" in page.content.decode()
    new = "Dingyuan2026x"
    done = client.post(
        "/password/",
        {"old_password": password, "new_password": new, "new_password_again": new},
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    clerk.refresh_from_db()
    assert clerk.check_password(new) and not clerk.must_change_password
    assert AuditEntry.objects.filter(action="core.staff.password_change", actor=clerk).exists()


@pytest.mark.parametrize(
    ("new", "words"),
    [
        ("abc12", "太短"),
        ("abcdefghijkl", "字母和数字"),
        ("12345678901234", "数字"),
        ("password123", "常见"),
    ],
)
def test_password_change_explains_each_rule_in_chinese(client, staff, new, words):
    user = staff[Role.VILLAGE_ASSISTANT]
    client.force_login(user)
    response = client.post(
        "/password/",
        {"old_password": TEST_PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["new_password"])
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_change_needs_the_old_password_and_two_equal_entries(client, staff):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    wrong_old = client.post(
        "/password/",
        {
            "old_password": "nope",
            "new_password": "Dingyuan2026x",
            "new_password_again": "Dingyuan2026x",
        },
    )
    assert "原密码不正确" in str(wrong_old.context["form"].errors)
    mismatch = client.post(
        "/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password": "Dingyuan2026x",
            "new_password_again": "Dingyuan2026y",
        },
    )
    assert "不一样" in str(mismatch.context["form"].errors)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_can_open_the_password_page(client, staff, role):
    client.force_login(staff[role])
    assert client.get("/password/").status_code == 200
