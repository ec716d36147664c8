"""Staff accounts: the services (create, update, reset, unlock, deactivate, password) and
``jumin create-staff``."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404

from jumin.core.models import AuditEntry, RegionLevel, Role, User
from jumin.core.services import staff as services
from jumin.testing.factories import TEST_PASSWORD, RegionFactory, StaffFactory


@pytest.fixture
def other_county(tree):
    county = RegionFactory(
        code="341122000000", name="来安县", level=RegionLevel.COUNTY, parent=tree.city
    )
    township = RegionFactory(
        code="341122100000", name="新安镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    return county, township


# --------------------------------------------------------------------------- services


def test_a_county_administrator_creates_a_township_clerk_with_a_temporary_password(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    user, password = services.staff_create(
        acting_user=admin,
        username="liming",
        full_name="李明",
        role=Role.TOWNSHIP_CLERK,
        region_code=tree.township_b.code,
    )
    assert user.check_password(password)
    assert user.must_change_password
    assert len(password) == 12 and not any(char in password for char in "0O1lI")
    entry = AuditEntry.objects.get(action="core.staff.create", object_id=str(user.pk))
    assert entry.actor == admin
    assert entry.after["region_id"] == tree.township_b.code
    assert entry.region_code == tree.township_b.code
    assert password not in str(entry.after)


@pytest.mark.parametrize(
    ("role", "region_attribute", "words"),
    [
        (Role.TOWNSHIP_CLERK, "county", "应是一个乡镇"),
        (Role.TOWNSHIP_CLERK, "village_a1", "应是一个乡镇"),
        (Role.VILLAGE_ASSISTANT, "township_a", "应是一个村"),
        (Role.COUNTY_CLERK, "township_a", "应是一个县"),
        (Role.FINANCE, "village_a1", "应是一个县"),
        (Role.AUDITOR, "city", "管辖范围"),
    ],
)
def test_each_role_needs_a_region_of_its_level(tree, staff, role, region_attribute, words):
    region = getattr(tree, region_attribute)
    with pytest.raises(ValidationError) as raised:
        services.staff_create(
            acting_user=staff[Role.COUNTY_ADMIN],
            username="someone",
            full_name="某人",
            role=role,
            region_code=region.code,
        )
    message = raised.value.message_dict["region"][0]
    assert any(word in message for word in words.split("|"))
    assert not User.objects.filter(username="someone").exists()


def test_an_administrator_cannot_assign_a_region_outside_their_county(tree, staff, other_county):
    _county, township = other_county
    with pytest.raises(ValidationError) as raised:
        services.staff_create(
            acting_user=staff[Role.COUNTY_ADMIN],
            username="outsider",
            full_name="外县人",
            role=Role.TOWNSHIP_CLERK,
            region_code=township.code,
        )
    assert "管辖范围" in raised.value.message_dict["region"][0]


def test_username_phone_and_name_are_checked(tree, staff):
    with pytest.raises(ValidationError) as raised:
        services.staff_create(
            acting_user=staff[Role.COUNTY_ADMIN],
            username=staff[Role.TOWNSHIP_CLERK].username.upper(),
            full_name=" ",
            role=Role.TOWNSHIP_CLERK,
            region_code=tree.township_a.code,
            phone="12345",
        )
    errors = raised.value.message_dict
    assert "已被使用" in errors["username"][0]
    assert "姓名不能为空" in errors["full_name"][0]
    assert "联系电话" in errors["phone"][0]


@pytest.mark.parametrize("role", [role for role in Role if role != Role.COUNTY_ADMIN])
def test_only_county_administrators_manage_staff(tree, staff, role):
    with pytest.raises(PermissionDenied):
        services.staff_create(
            acting_user=staff[role],
            username="someone",
            full_name="某人",
            role=Role.VILLAGE_ASSISTANT,
            region_code=tree.village_a1.code,
        )
    with pytest.raises(PermissionDenied):
        services.staff_reset_password(acting_user=staff[role], user=staff[Role.VILLAGE_ASSISTANT])


def test_an_update_records_only_what_changed(tree, staff):
    admin, clerk = staff[Role.COUNTY_ADMIN], staff[Role.TOWNSHIP_CLERK]
    services.staff_update(
        acting_user=admin,
        user=clerk,
        full_name=clerk.full_name,
        role=Role.VILLAGE_ASSISTANT,
        region_code=tree.village_b2.code,
        phone="",
    )
    clerk.refresh_from_db()
    assert (clerk.role, clerk.region_id) == (Role.VILLAGE_ASSISTANT, tree.village_b2.code)
    entry = AuditEntry.objects.get(action="core.staff.update")
    assert entry.before == {"role": "township_clerk", "region_id": tree.township_a.code}
    assert entry.after == {"role": "village_assistant", "region_id": tree.village_b2.code}
    services.staff_update(
        acting_user=admin,
        user=clerk,
        full_name=clerk.full_name,
        role=clerk.role,
        region_code=clerk.region_id,
    )
    assert AuditEntry.objects.filter(action="core.staff.update").count() == 1


def test_an_administrator_cannot_demote_or_deactivate_themselves(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    with pytest.raises(ValidationError) as raised:
        services.staff_update(
            acting_user=admin,
            user=admin,
            full_name=admin.full_name,
            role=Role.COUNTY_CLERK,
            region_code=tree.county.code,
            is_active=False,
        )
    assert set(raised.value.message_dict) == {"role", "is_active"}
    with pytest.raises(ValidationError):
        services.staff_deactivate(acting_user=admin, user=admin)
    admin.refresh_from_db()
    assert admin.is_active and admin.role == Role.COUNTY_ADMIN


def test_a_reset_password_works_once_and_unlocks(tree, staff, client):
    clerk = staff[Role.TOWNSHIP_CLERK]
    password = services.staff_reset_password(acting_user=staff[Role.COUNTY_ADMIN], user=clerk)
    clerk.refresh_from_db()
    assert clerk.must_change_password
    assert not clerk.check_password(TEST_PASSWORD)
    assert clerk.check_password(password)
    entry = AuditEntry.objects.get(action="core.staff.reset_password")
    assert password not in str(entry.after)


def test_deactivated_staff_cannot_log_in(tree, staff, client):
    clerk = staff[Role.TOWNSHIP_CLERK]
    services.staff_deactivate(acting_user=staff[Role.COUNTY_ADMIN], user=clerk, reason="调离")
    response = client.post("/login/", {"username": clerk.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="core.staff.deactivate")
    assert (entry.reason, entry.after) == ("调离", {"is_active": False})


# --------------------------------------------------------------------------- command


def test_create_staff_command_makes_the_first_administrator(tree, capsys):
    call_command("create_staff", "admin", "--role", "county_admin", "--region", "341125")
    user = User.objects.get(username="admin")
    assert (user.role, user.region_id, user.must_change_password) == (
        Role.COUNTY_ADMIN,
        tree.county.code,
        True,
    )
    output = capsys.readouterr().out
    assert "临时密码" in output
    entry = AuditEntry.objects.get(action="core.staff.create")
    assert entry.actor is None and entry.actor_name == "system"


def test_create_staff_command_with_a_password_and_admin_site_access(tree):
    call_command(
        "create_staff",
        "root",
        "--role",
        "county_admin",
        "--region",
        "341125000000",
        "--password",
        "Dingyuan2026x",
        "--superuser",
    )
    user = User.objects.get(username="root")
    assert user.check_password("Dingyuan2026x") and user.is_superuser and user.is_staff
    assert not user.must_change_password


@pytest.mark.parametrize(
    "arguments",
    [
        ["clerk", "--role", "township_clerk", "--region", "341125"],
        ["clerk", "--role", "county_admin", "--region", "999999"],
        ["clerk", "--role", "county_admin", "--region", "341125", "--password", "short"],
    ],
)
def test_create_staff_command_refuses_bad_input(tree, arguments):
    with pytest.raises(CommandError):
        call_command("create_staff", *arguments)
    assert not User.objects.filter(username="clerk").exists()


def test_password_rules_speak_chinese_to_an_english_browser(client, staff):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.post(
        "/password/",
        {"old_password": TEST_PASSWORD, "new_password": "1234", "new_password_again": "1234"},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    errors = " ".join(response.context["form"].errors["new_password"])
    assert "太短" in errors and "数字" in errors
    assert "password" not in errors.lower()


def test_acting_on_an_account_outside_the_area_answers_404_in_every_service(tree, staff):
    """One outcome for out of scope: the account does not exist for this administrator."""
    township_admin = StaffFactory(role=Role.COUNTY_ADMIN, region=tree.township_b)
    outside = staff[Role.VILLAGE_ASSISTANT]  # in township A
    acts = (
        lambda: services.staff_update(
            acting_user=township_admin,
            user=outside,
            full_name="改名",
            role=outside.role,
            region_code=outside.region_id,
        ),
        lambda: services.staff_reset_password(acting_user=township_admin, user=outside),
        lambda: services.staff_unlock(acting_user=township_admin, user=outside),
        lambda: services.staff_deactivate(acting_user=township_admin, user=outside),
    )
    for act in acts:
        with pytest.raises(Http404):
            act()
    outside.refresh_from_db()
    assert outside.is_active and outside.full_name != "改名"
    assert not AuditEntry.objects.filter(object_id=str(outside.pk)).exists()
