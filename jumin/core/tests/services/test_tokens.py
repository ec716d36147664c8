"""API tokens: made, listed and revoked by service and by ``jumin token``; always audited."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404

from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import ApiToken, AuditEntry, Role
from jumin.core.services.tokens import token_create, token_list, token_revoke
from jumin.testing.factories import StaffFactory


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def authenticated(client, key) -> bool:
    response = client.get("/api/regions", headers={"Authorization": f"Bearer {key}"})
    return response.status_code == 200


# --------------------------------------------------------------------------- services


def test_token_create_keeps_only_the_hash_and_audits_without_the_key(staff):
    user = staff[Role.TOWNSHIP_CLERK]
    token, key = token_create(acting_user=staff[Role.COUNTY_ADMIN], user=user, name="医院接口")
    assert key.startswith("jm_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == ApiToken.hash_key(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert key[3:].startswith(stored.prefix) and len(stored.prefix) == 8
    entry = AuditEntry.objects.get(action="core.token.create")
    assert (entry.actor, entry.object_id, entry.region_code) == (
        staff[Role.COUNTY_ADMIN],
        str(token.pk),
        user.region_id,
    )
    assert entry.after == {"user": user.username, "name": "医院接口", "prefix": stored.prefix}
    assert key not in str(entry.after) and stored.key_hash not in str(entry.after)


def test_two_tokens_differ(staff):
    user = staff[Role.COUNTY_CLERK]
    _, first = token_create(acting_user=None, user=user)
    _, second = token_create(acting_user=None, user=user)
    assert first != second
    assert token_list(user).count() == 2


def test_token_revoke_by_prefix_revokes_that_token_only_and_once(client, staff):
    user = staff[Role.COUNTY_CLERK]
    kept, kept_key = token_create(acting_user=None, user=user)
    gone, gone_key = token_create(acting_user=None, user=user)
    revoked = token_revoke(acting_user=None, user=user, prefix=gone.prefix, reason="离职")
    assert [token.pk for token in revoked] == [gone.pk]
    assert not authenticated(client, gone_key)
    assert authenticated(client, kept_key)
    entry = AuditEntry.objects.get(action="core.token.revoke")
    assert (entry.object_id, entry.reason) == (str(gone.pk), "离职")
    assert token_revoke(acting_user=None, user=user, prefix=gone.prefix) == []
    assert AuditEntry.objects.filter(action="core.token.revoke").count() == 1


def test_token_revoke_all(client, staff):
    user = staff[Role.FINANCE]
    keys = [token_create(acting_user=None, user=user)[1] for _ in range(3)]
    assert len(token_revoke(acting_user=None, user=user, revoke_all=True)) == 3
    assert not any(authenticated(client, key) for key in keys)
    assert AuditEntry.objects.filter(action="core.token.revoke").count() == 3


def test_token_revoke_needs_a_prefix_or_all(staff):
    with pytest.raises(ValidationError):
        token_revoke(acting_user=None, user=staff[Role.FINANCE])


def test_token_revoke_does_not_touch_another_users_token(client, staff):
    other, other_key = token_create(acting_user=None, user=staff[Role.LEADER])
    assert token_revoke(acting_user=None, user=staff[Role.FINANCE], prefix=other.prefix) == []
    assert authenticated(client, other_key)


def test_token_for_an_inactive_user_is_refused(staff):
    user = staff[Role.AUDITOR]
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError):
        token_create(acting_user=None, user=user)
    assert not ApiToken.objects.exists()


def test_only_an_administrator_over_the_user_manages_someone_elses_tokens(staff, tree):
    clerk, assistant = staff[Role.TOWNSHIP_CLERK], staff[Role.VILLAGE_ASSISTANT]
    with pytest.raises(PermissionDeniedForRole):
        token_create(acting_user=clerk, user=assistant)
    token, _ = token_create(acting_user=assistant, user=assistant)  # one's own token
    with pytest.raises(PermissionDeniedForRole):
        token_revoke(acting_user=clerk, user=assistant, prefix=token.prefix)
    township_admin = StaffFactory(role=Role.COUNTY_ADMIN, region=tree.township_b)
    with pytest.raises(Http404):  # an account outside one's area does not exist for one
        token_create(acting_user=township_admin, user=assistant)
    assert token_revoke(acting_user=staff[Role.COUNTY_ADMIN], user=assistant, revoke_all=True)


# --------------------------------------------------------------------------- command


def test_token_command_creates_a_working_token_printed_once(client, staff):
    user = staff[Role.TOWNSHIP_CLERK]
    out, err = run("create", user.username, "--name", "县医院")
    key = out.strip()
    assert authenticated(client, key)
    token = ApiToken.objects.get(user=user)
    assert token.name == "县医院"
    assert token.prefix in err
    listed, _ = run("list", user.username)
    assert token.prefix in listed and "县医院" in listed
    assert key not in listed
    entry = AuditEntry.objects.get(action="core.token.create")
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.request_id  # the command runs in a context of its own


def test_token_command_revokes_by_prefix_and_all(client, staff):
    user = staff[Role.TOWNSHIP_CLERK]
    first = run("create", user.username)[0].strip()
    second = run("create", user.username)[0].strip()
    out, _ = run("revoke", user.username, "--prefix", first[:11])
    assert first[3:11] in out
    assert not authenticated(client, first) and authenticated(client, second)
    run("revoke", user.username, "--all")
    assert not authenticated(client, second)
    assert AuditEntry.objects.filter(action="core.token.revoke").count() == 2
    listed, _ = run("list", user.username)
    assert listed.count("已撤销") == 2


def test_token_command_explains_mistakes(staff):
    user = staff[Role.TOWNSHIP_CLERK]
    with pytest.raises(CommandError, match="没有用户名"):
        run("create", "no-such-user")
    with pytest.raises(CommandError, match="没有可撤销"):
        run("revoke", user.username, "--prefix", "abcdefgh")
    with pytest.raises(CommandError):
        run("revoke", user.username)
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="停用"):
        run("create", user.username)
