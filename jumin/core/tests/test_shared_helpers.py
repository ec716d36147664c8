"""The helpers every app shares, once in core: errors onto a form, the county of a region code,
the in-scope check with its single outcome (404), and API paging."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.core import parsing
from jumin.core.access import require_in_scope
from jumin.core.forms import Form, add_errors
from jumin.core.models import Region, Role
from jumin.core.schemas import Paging, paginate
from jumin.testing.factories import PersonFactory, StaffFactory

# --------------------------------------------------------------------------- errors onto a form


class NameForm(Form):
    name = forms.CharField()
    phone = forms.CharField(required=False)


def _bound() -> NameForm:
    form = NameForm({"name": "张三", "phone": ""})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field():
    form = _bound()
    add_errors(form, ValidationError({"name": "姓名过长", "phone": ["号码不对", "太短"]}))
    assert form.errors["name"] == ["姓名过长"]
    assert form.errors["phone"] == ["号码不对", "太短"]
    assert form.non_field_errors() == []
    assert "name" not in form.cleaned_data


def test_an_error_for_a_field_the_form_lacks_is_shown_above_the_form():
    form = _bound()
    add_errors(form, ValidationError({"village": "不在本乡镇", "__all__": "整体不对"}))
    assert form.non_field_errors() == ["不在本乡镇", "整体不对"]
    assert set(form.errors) == {"__all__"}


def test_a_plain_message_is_shown_above_the_form():
    form = _bound()
    add_errors(form, ValidationError("该记录已被他人修改"))
    assert form.non_field_errors() == ["该记录已被他人修改"]


def test_a_list_of_messages_is_shown_above_the_form():
    form = _bound()
    add_errors(form, ValidationError(["第一条", ValidationError("第二条")]))
    assert form.non_field_errors() == ["第一条", "第二条"]


def test_messages_with_parameters_are_rendered():
    form = _bound()
    error = ValidationError({"name": ValidationError("最多%(limit)s个字", params={"limit": 50})})
    add_errors(form, error)
    assert form.errors["name"] == ["最多50个字"]


def test_errors_land_on_a_form_not_yet_validated():
    form = NameForm({"name": "张三"})
    add_errors(form, ValidationError("重复提交"))
    assert form.non_field_errors() == ["重复提交"]
    assert not form.is_valid()


# --------------------------------------------------------------------------- county code


@pytest.mark.parametrize(
    ("value", "county"),
    [
        ("341125", "341125"),
        (" 341125000000 ", "341125"),
        ("341125100000", "341125"),  # a township inside it
        ("341125100001", "341125"),  # a village inside it
        ("３４１１２５", "341125"),  # full-width digits typed on a Chinese keyboard
        ("110101", "110101"),
        ("429004", "429004"),  # a county-level city directly under the province
    ],
)
def test_county_code_of_any_code_in_the_county(value, county):
    assert parsing.county_code(value) == county


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("340000", "省或市"),
        ("341100", "省或市"),
        ("341100000000", "省或市"),
        ("34112", "6位县级代码"),
        ("3411250", "6位县级代码"),
        ("34112５x", "6位县级代码"),
        ("²41125", "6位县级代码"),
        ("", "6位县级代码"),
        (None, "6位县级代码"),
        ("3" * 5000, "6位县级代码"),
    ],
)
def test_county_code_refuses_what_is_not_a_county_with_a_chinese_message(value, words):
    with pytest.raises(parsing.InputError) as raised:
        parsing.county_code(value)
    assert words in raised.value.message
    assert raised.value.field == "county"
    assert len(raised.value.message) < 80


def test_county_code_is_an_argparse_type():
    """A ValueError: ``type=parsing.county_code`` on a command's option refuses politely."""
    assert issubclass(parsing.InputError, ValueError)


# --------------------------------------------------------------------------- in scope: 404


def test_require_in_scope_passes_inside_and_answers_404_outside(tree, staff):
    clerk = staff[Role.TOWNSHIP_CLERK]  # township A
    inside, outside = PersonFactory(village=tree.village_a1), PersonFactory(village=tree.village_b1)
    for thing in (tree.village_a1.code, tree.township_a, inside, staff[Role.VILLAGE_ASSISTANT]):
        require_in_scope(clerk, thing)
    for thing in (tree.village_b1.code, tree.township_b, tree.county, outside, "", "9" * 12):
        with pytest.raises(Http404):
            require_in_scope(clerk, thing)


def test_require_in_scope_answers_404_to_a_user_without_a_region_or_inactive(tree):
    nowhere = StaffFactory(role=Role.COUNTY_ADMIN, region=None)
    with pytest.raises(Http404):
        require_in_scope(nowhere, tree.county)
    retired = StaffFactory(role=Role.COUNTY_ADMIN, region=tree.county, is_active=False)
    with pytest.raises(Http404):
        require_in_scope(retired, tree.village_a1)
    with pytest.raises(Http404):
        require_in_scope(None, tree.village_a1)


# --------------------------------------------------------------------------- paging


def test_paginate_gives_the_page_and_the_whole_count(tree, django_assert_num_queries):
    regions = Region.objects.order_by("code")
    total = regions.count()
    assert total > 3
    with django_assert_num_queries(2):  # the slice and the count
        page = paginate(regions, Paging(offset=1, limit=2))
    assert [region.code for region in page.items] == list(
        regions.values_list("code", flat=True)[1:3]
    )
    assert (page.count, page.offset, page.limit) == (total, 1, 2)
    with django_assert_num_queries(1):  # all of it fits on the first page: no count query
        whole = paginate(regions, Paging(offset=0, limit=1000))
    assert whole.count == total == len(whole.items)
    beyond = paginate(regions, Paging(offset=total + 5, limit=10))
    assert (beyond.items, beyond.count) == ([], total)
    assert paginate([1, 2, 3], Paging(offset=2, limit=1)) == paginate(
        (1, 2, 3), Paging(offset=2, limit=1)
    )


def test_paging_bounds_refuse_absurd_values():
    with pytest.raises(ValueError):
        Paging(offset=-1)
    with pytest.raises(ValueError):
        Paging(limit=0)
    with pytest.raises(ValueError):
        Paging(limit=1001)
    with pytest.raises(ValueError):
        Paging(offset=parsing.MAX_OFFSET + 1)
