"""The due's life is one table (``collection.rules.DUE_LIFE``) that every writer goes through."""

import ast
import datetime
import pathlib
from decimal import Decimal

import pytest

import jumin
from jumin.collection.models import Due, DueStatus, DueStep, StatusWritten
from jumin.collection.rules import DUE_LIFE, update_of
from jumin.pension.tests.factories import EnrolmentFactory, PensionDueFactory, PlanFactory

# Modules allowed to write a due's status themselves, and why.
ALLOWED = {
    "jumin/collection/models/dues.py": "the transition itself",
    # the bare-SQL baselines the benchmark compares with, run in a rolled-back transaction
    "jumin/bench/collection.py": "benchmark baseline",
}


def _mentions_due_status(node) -> bool:
    return "DueStatus" in ast.unparse(node)


def _writes_of(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("update", "bulk_update", "create", "get_or_create"):
                for keyword in node.keywords:
                    if keyword.arg == "status" and _mentions_due_status(keyword.value):
                        if node.func.attr in ("create", "get_or_create"):
                            continue  # a new due starts in the status its maker gives
                        found.append(f"{path}:{node.lineno} .{node.func.attr}(status=...)")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and _mentions_due_status(node.value)
                ):
                    found.append(f"{path}:{node.lineno} .status = ...")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.split()).upper()
            if "UPDATE" in text and "COLLECTION_DUE" in text and "STATUS" in text:
                found.append(f"{path}:{node.lineno} raw UPDATE of collection_due")
    return sorted(found, key=lambda line: int(line.split(" ", 1)[0].rsplit(":", 1)[1]))


def test_no_module_but_the_transition_writes_a_dues_status():
    root = pathlib.Path(jumin.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = f"jumin/{path.relative_to(root)}"
        if "/tests/" in relative or "/migrations/" in relative or relative in ALLOWED:
            continue
        found += _writes_of(path)
    assert found == []


def test_the_scan_sees_a_status_written_by_hand(tmp_path):
    """The scan above could otherwise pass by seeing nothing."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "Due.objects.filter(pk=1).update(status=DueStatus.PAID)\n"
        "due.status = DueStatus.OPEN\n"
        "SQL = 'UPDATE collection_due SET status = %s'\n"
        "Due.objects.create(status=DueStatus.PAID)\n",
        encoding="utf-8",
    )
    assert [line.split(" ", 1)[1] for line in _writes_of(sample)] == [
        ".update(status=...)",
        ".status = ...",
        "raw UPDATE of collection_due",
    ]


def test_every_step_names_statuses_of_the_due():
    statuses = set(DueStatus.values)
    for step, transition in DUE_LIFE.items():
        assert transition.sources <= statuses and transition.target in statuses, step
    assert set(DUE_LIFE) == set(DueStep)


def test_a_step_refuses_missing_or_foreign_fields():
    with pytest.raises(ValueError, match="needs"):
        update_of(DueStep.CASH_PAID, {"channel": "cash"})
    with pytest.raises(ValueError, match="may not write"):
        update_of(DueStep.BATCH, {"status": DueStatus.POSTED})
    with pytest.raises(ValueError, match="at="):
        update_of(DueStep.CONFIRM, {})


@pytest.fixture
def due(tree, staff):
    return PensionDueFactory(
        plan=PlanFactory(),
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.OPEN,
    )


def test_a_step_moves_only_from_its_sources_once(due):
    payment = {
        "channel": "cash",
        "paid_amount": Decimal("100.00"),
        "paid_on": datetime.date(2026, 3, 1),
        "payment_reference": "皖A-1",
    }
    dues = Due.objects.filter(pk=due.pk)
    assert (
        dues.transition(DueStep.CONFIRM, at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)) == 0
    )
    assert dues.transition(DueStep.CASH_PAID, **payment) == 1
    assert dues.transition(DueStep.CASH_PAID, **payment) == 0  # sent twice: moved once
    due.refresh_from_db()
    assert (due.status, due.channel, due.paid_on) == (DueStatus.PAID, "cash", payment["paid_on"])
    assert dues.transition(DueStep.RECEIPT_VOID) == 1
    due.refresh_from_db()
    assert (due.status, due.channel, due.paid_amount, due.payment_reference) == (
        DueStatus.OPEN,
        "",
        None,
        "",
    )


def test_the_status_is_not_written_around_the_table(due):
    with pytest.raises(StatusWritten):
        Due.objects.filter(pk=due.pk).update(status=DueStatus.POSTED)
    with pytest.raises(StatusWritten):
        Due.objects.bulk_update([due], ["status"])
    due.status = DueStatus.POSTED
    with pytest.raises(StatusWritten):
        due.save()
    due.refresh_from_db()
    assert due.status == DueStatus.OPEN
    due.payment_reference = "备注"
    due.save()  # other columns stay free
