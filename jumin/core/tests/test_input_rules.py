"""One rule for what people type: forms, query parameters and API fields (jumin.core.forms,
core.middleware, core.parsing, core.schemas), and API errors always in the JSON shape."""

import datetime
import importlib
import inspect
import io
import pathlib
import pkgutil
import tokenize

import pytest
from django import forms
from django.urls import reverse

import jumin
from jumin.core import parsing
from jumin.core.forms import Form, InputRulesMixin
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.people.models import Person
from jumin.testing.factories import PersonFactory, make_id_number

BIRTH = datetime.date(1980, 5, 17)


def bearer(user) -> dict:
    _, key = token_create(acting_user=None, user=user)
    return {"Authorization": f"Bearer {key}"}


def person_form(tree, **changes) -> dict:
    return {
        "id_number": make_id_number(birth_date=BIRTH, sequence=7, sex="male"),
        "name": "周建国",
        "sex": "",
        "birth_date": "",
        "village_id": tree.village_a1.code,
        "household_number": "",
        "relation_to_head": "",
        "hukou_type": "",
        "phone": "",
        "passbook_number": "",
        "social_security_card_number": "",
        **changes,
    }


# --------------------------------------------------------------------------- every form


def project_form_classes() -> list[type]:
    """Every Form or ModelForm class defined in a jumin module (tests excluded)."""
    for module in pkgutil.walk_packages(jumin.__path__, "jumin."):
        if ".tests" in module.name or module.name.endswith(".tests"):
            continue
        importlib.import_module(module.name)
    found = []
    seen = set()
    pending = [forms.BaseForm]
    while pending:
        base = pending.pop()
        for subclass in base.__subclasses__():
            if subclass in seen:
                continue
            seen.add(subclass)
            pending.append(subclass)
            if subclass.__module__.startswith("jumin.") and ".tests" not in subclass.__module__:
                found.append(subclass)
    return found


def test_every_form_of_the_project_applies_the_input_rules():
    classes = project_form_classes()
    names = {f"{form.__module__}.{form.__qualname__}" for form in classes}
    # the walk finds the forms of every app, so the check below is not vacuous
    assert "jumin.people.web.forms.PersonCreateForm" in names
    assert "jumin.pension.web.forms.PlanForm" in names
    assert "jumin.collection.web.forms.DepositForm" in names
    assert len(classes) >= 30
    without = sorted(
        f"{form.__module__}.{form.__qualname__}"
        for form in classes
        if not issubclass(form, InputRulesMixin)
    )
    assert without == [], "derive these from jumin.core.forms.Form or ModelForm"


def test_a_form_outside_the_mechanism_would_be_found():
    class Stray(forms.Form):
        name = forms.CharField()

    Stray.__module__ = "jumin.people.web.forms"
    assert Stray in project_form_classes()
    assert not issubclass(Stray, InputRulesMixin)


class NoteForm(Form):
    name = forms.CharField(max_length=50)
    note = forms.CharField(widget=forms.Textarea, required=False)
    on = forms.DateField(required=False)
    count = forms.IntegerField(required=False)


@pytest.mark.parametrize("value", ["王\x07五", "王\x00五", "a\x1bb", "x\x85y", "\ud800x"])
def test_text_fields_refuse_control_characters_on_the_field(value):
    form = NoteForm({"name": value})
    assert not form.is_valid()
    assert form.errors["name"][0].startswith("不能包含控制字符（第")
    assert form["name"].value() == value  # what was typed stays in the form


def test_a_textarea_keeps_line_breaks_but_refuses_other_control_characters():
    assert NoteForm({"name": "王五", "note": "第一行\r\n第二行\t完"}).is_valid()
    form = NoteForm({"name": "王五", "note": "第一行\r\n\x07"})
    assert form.errors["note"] == ["不能包含控制字符（第6个字符 U+0007）"]
    assert not NoteForm({"name": "王\n五"}).is_valid()


@pytest.mark.parametrize("typed", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_date_fields_refuse_dates_that_could_overflow(typed):
    form = NoteForm({"name": "王五", "on": typed})
    assert form.errors["on"] == ["日期应在 1900-01-01 至 2199-12-31 之间"]


def test_date_fields_accept_the_bounds_themselves():
    for typed in ("1900-01-01", "2199-12-31"):
        assert NoteForm({"name": "王五", "on": typed}).is_valid()


def test_integer_fields_without_bounds_stay_within_the_database():
    assert not NoteForm({"name": "王五", "count": str(2**63)}).is_valid()
    assert not NoteForm({"name": "王五", "count": "9" * 5000}).is_valid()
    assert NoteForm({"name": "王五", "count": str(2**63 - 1)}).is_valid()


def test_fields_added_in_init_get_the_rules_too():
    class Late(Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["late"] = forms.CharField()

    form = Late({"late": "a\x07"})
    assert not form.is_valid()
    assert "控制字符" in form.errors["late"][0]


def test_person_form_shows_the_message_on_the_name_and_saves_nothing(client, staff, tree):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.post(reverse("people:create"), person_form(tree, name="王\x07五"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能包含控制字符（第2个字符 U+0007）" in page
    assert response.context["form"]["name"].value() == "王\x07五"
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(action="people.person.create").exists()


def test_person_edit_form_refuses_a_control_character_in_the_reason(client, staff, tree):
    person = PersonFactory(village=tree.village_a1, name="王五")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        {"name": "王五", "village_id": tree.village_a1.code, "reason": "改\x1b名"},
    )
    assert response.status_code == 200
    assert "不能包含控制字符" in response.content.decode()
    person.refresh_from_db()
    assert person.name == "王五"


# --------------------------------------------------------------------------- the safety net


@pytest.mark.parametrize("value", ["\x00", "王\x07", "a\x1b[31m"])
def test_a_control_character_in_a_query_parameter_answers_400_naming_it(client, staff, value):
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get(reverse("people:search"), {"q": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“q”不能包含控制字符" in page


def test_a_nul_byte_in_a_posted_field_answers_400_and_writes_nothing(client, staff, tree):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.post(reverse("people:create"), person_form(tree, name="王\x00五"))
    assert response.status_code == 400
    assert "“name”不能包含空字符" in response.content.decode()
    assert not Person.objects.exists()


def test_a_control_character_in_the_path_answers_404(client, staff):
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.get("/people/%00/").status_code == 404
    response = client.get("/api/regions/%07", headers=bearer(staff[Role.COUNTY_CLERK]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_query_parameter_with_a_control_character_answers_422_json(client, staff):
    response = client.get("/api/persons", {"q": "王\x00"}, headers=bearer(staff[Role.COUNTY_CLERK]))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [{"field": "q", "message": "不能包含控制字符（第2个字符 U+0000）"}]


def test_an_input_error_raised_in_a_view_becomes_the_400_page(rf, staff):
    from jumin.core.middleware import InputSafetyMiddleware

    middleware = InputSafetyMiddleware(lambda request: None)
    request = rf.get("/collection/progress/")
    request.user = staff[Role.COUNTY_CLERK]
    error = parsing.InputError("年度应在 1900 至 2100 之间", field="year")
    response = middleware.process_exception(request, error)
    assert response.status_code == 400
    assert "“year”年度应在 1900 至 2100 之间" in response.content.decode()


# --------------------------------------------------------------------------- API errors in JSON


def test_unknown_api_path_answers_json_404(client, staff):
    response = client.get("/api/no-such-thing", headers=bearer(staff[Role.COUNTY_CLERK]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    assert response.json()["errors"] == []


def test_wrong_method_answers_json_405(client, staff):
    response = client.delete("/api/regions", headers=bearer(staff[Role.COUNTY_CLERK]))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_an_unexpected_error_in_an_endpoint_answers_json_500_and_is_logged(
    client, staff, monkeypatch, caplog
):
    from jumin.people import queries

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "person_list", broken)
    client.raise_request_exception = False
    response = client.get("/api/persons", headers=bearer(staff[Role.COUNTY_CLERK]))
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_plain_text_in_the_api_is_the_same_rule_as_forms(client, staff, tree):
    headers = bearer(staff[Role.COUNTY_CLERK])
    body = {
        "id_number": make_id_number(birth_date=BIRTH, sequence=9, sex="male"),
        "name": "王\x85五",  # a C1 control: the old API rule let it through
        "village_code": tree.village_a1.code,
    }
    response = client.post("/api/persons", body, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "name", "message": "不能包含控制字符（第2个字符 U+0085）"}
    ]
    assert not Person.objects.exists()


def test_api_offset_beyond_the_database_answers_422(client, staff):
    headers = bearer(staff[Role.COUNTY_CLERK])
    for path in ("/api/persons", "/api/dues", "/api/deposits", "/api/collection/receipts"):
        response = client.get(path, {"offset": str(2**64)}, headers=headers)
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["field"] == "offset"


# --------------------------------------------------------------------------- core.parsing


@pytest.mark.parametrize(
    "typed", ["9" * 5000, "²⁰²⁶", "20 26", "1899", "2101", "-1", "", "二〇二六"]
)
def test_parse_year_refuses_with_a_message(typed):
    with pytest.raises(parsing.InputError) as raised:
        parsing.parse_year(typed)
    assert "年度" in raised.value.message


def test_parse_year_reads_years_and_full_width_digits():
    assert parsing.parse_year("2026") == 2026
    assert parsing.parse_year(" ２０２６ ") == 2026
    assert parsing.parse_year(1900) == 1900
    assert parsing.year_or_default("", default=2025) == 2025


@pytest.mark.parametrize("typed", ["9999-12-31", "0001-01-01", "2026-02-30", "x" * 5000, "²"])
def test_parse_date_refuses_with_a_message(typed):
    with pytest.raises(parsing.InputError):
        parsing.parse_date(typed)


def test_parse_date_accepts_the_range():
    assert parsing.parse_date("2199-12-31") == datetime.date(2199, 12, 31)
    # the last accepted date can still be moved a day on
    assert parsing.DATE_MAX + datetime.timedelta(days=1) == datetime.date(2200, 1, 1)


@pytest.mark.parametrize("typed", ["0", "-1", "²", str(2**63), "9" * 5000, "", None, "1.0"])
def test_parse_id_is_none_for_anything_but_an_id(typed):
    assert parsing.parse_id(typed) is None


def test_parse_id_reads_ids():
    assert parsing.parse_id("42") == 42
    assert parsing.parse_id(str(2**63 - 1)) == 2**63 - 1


def isdigit_calls(path: pathlib.Path) -> list[int]:
    """Line numbers of ``.isdigit()`` calls in code (not in strings or comments) whose
    statement does not also ask ``isascii()``."""
    source = path.read_text(encoding="utf-8")
    found, pending, guarded = [], [], False
    previous = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and previous is not None and previous.string == ".":
            if token.string == "isdigit":
                pending.append(token.start[0])
            elif token.string == "isascii":
                guarded = True
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            found.extend([] if guarded else pending)
            pending, guarded = [], False
        previous = token
    return found


def test_no_isdigit_checks_user_text_in_the_project():
    """``str.isdigit()`` accepts ``²``, which ``int()`` then refuses: the project checks digits
    with ``is_ascii_digits``. The uses left ask another question — does a name or a password
    hold any digit at all, where ``²`` counts too."""
    allowed = {
        "jumin/people/services/persons.py",  # a name holding any digit is refused
        "jumin/people/formats/roster_rows.py",  # the same rule for imported names
        "jumin/core/auth.py",  # a password must hold a digit
    }
    root = pathlib.Path(inspect.getfile(jumin)).parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = f"jumin/{path.relative_to(root)}"
        if "/tests/" in relative or relative in allowed:
            continue
        if lines := isdigit_calls(path):
            found[relative] = lines
    assert found == {}


def test_the_isdigit_scan_finds_a_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""``x.isdigit()`` in a docstring"""\n'
        "ok = text.isascii() and text.isdigit()\n"
        "also_ok = (\n    text.isascii()\n    and text.isdigit()\n)\n"
        "bad = text.isdigit()  # x.isdigit()\n",
        encoding="utf-8",
    )
    assert isdigit_calls(sample) == [7]


def test_a_reason_posted_outside_a_form_meets_the_rule_too(client, staff):
    """The deactivation reason is read from the POST directly and kept in the audit trail."""
    account = staff[Role.VILLAGE_ASSISTANT]
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(
        reverse("core:staff_deactivate", args=[account.pk]), {"reason": "离职\x07"}, follow=True
    )
    assert "停用原因不能包含控制字符（第3个字符 U+0007）" in response.content.decode()
    account.refresh_from_db()
    assert account.is_active
    assert not AuditEntry.objects.filter(action="core.staff.deactivate").exists()
