"""County-year jobs (dues, posting) whose process died: seen as interrupted on the pages and
in the API, replaced and resumed by the next start; two dues runs at once neither crash nor
claim dues they did not make."""

import datetime
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from jumin.collection.models import Due, DueKind
from jumin.core.jobs import QUEUES
from jumin.core.models import AuditEntry, JobRun, JobStatus, Role
from jumin.pension.jobs import DUES_JOB, POSTING_JOB, county_year_key, run_dues_generation
from jumin.pension.models import ContributionDue, DueGeneration
from jumin.pension.services import dues as dues_module
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PlanFactory
from jumin.testing.concurrency import postgres_only, run_together
from jumin.testing.factories import SpecialStatusFactory

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
STARTED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LATER = STARTED + datetime.timedelta(hours=2)
OTHER_MACHINE = "1e2d3c4b-0000-0000-0000-000000000000/pid:[4026531836]/4242/123456"


def dead_run(tree, kind=DUES_JOB, **fields) -> JobRun:
    """A run a worker on another machine started at STARTED and stopped reporting."""
    return JobRun.objects.create(
        kind=kind,
        natural_key=county_year_key(tree.county.code, YEAR),
        region=tree.county,
        status=JobStatus.RUNNING,
        params={"year": YEAR},
        created_at=STARTED,
        started_at=STARTED,
        heartbeat_at=STARTED,
        worker="worker-2:4242",
        worker_process=OTHER_MACHINE,
        stage="个人缴费",
        done=3,
        total=5,
        **fields,
    )


def make_enrollees(tree, staff, count: int, *, paid_every: int = 0) -> list:
    people = []
    for index in range(count):
        person = EnrolmentFactory(village=tree.village_a1 if index % 2 else tree.village_b1).person
        if paid_every and index % paid_every == 0:
            SpecialStatusFactory(person=person, kind="extreme_poverty", detail="")
        people.append(person)
    return people


# --------------------------------------------------------------------------- dead and shown


@pytest.mark.parametrize(
    ("kind", "page"),
    [(DUES_JOB, "contributions:dues_job"), (POSTING_JOB, "contributions:posting_job")],
)
def test_a_dead_job_is_shown_interrupted_on_its_page_and_in_the_api(
    client, tree, staff, kind, page
):
    user = staff[Role.COUNTY_ADMIN]
    with time_machine.travel(LATER, tick=False):
        run = dead_run(tree, kind=kind)
        client.force_login(user)
        html = client.get(reverse(page, args=[run.pk])).content.decode()
        answer = client.get(f"/api/jobs/{run.pk}").json()
    assert "任务中断" in html and "重新开始" in html
    assert "hx-trigger" not in html  # the page stops polling a job that will not move
    assert (answer["status"], answer["status_label"]) == ("interrupted", "中断")
    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING  # only shown so: nothing is written by a look


def test_the_start_button_replaces_a_dead_dues_job_and_finishes_its_work(
    client, tree, staff, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    PlanFactory()
    make_enrollees(tree, staff, 5)
    user = staff[Role.COUNTY_CLERK]
    # the dead run made the first two dues before its worker was killed
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    kept = list(Due.objects.order_by("pk").values_list("pk", flat=True)[:2])
    ContributionDue.objects.exclude(pk__in=kept).delete()
    Due.objects.exclude(pk__in=kept).delete()
    with time_machine.travel(LATER, tick=False):
        dead = dead_run(tree)
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("contributions:dues_generate"), {"year": YEAR})
    new = JobRun.objects.exclude(pk=dead.pk).get(kind=DUES_JOB)
    assert response.status_code == 302 and str(new.pk) in response["Location"]
    dead.refresh_from_db()
    assert dead.status == JobStatus.INTERRUPTED
    assert (
        AuditEntry.objects.filter(action="core.job.interrupt", object_id=str(dead.pk)).count() == 1
    )
    new.refresh_from_db()
    assert new.status == JobStatus.DONE and new.result["personal_created"] == 3
    assert Due.objects.count() == 5


def test_the_start_button_hands_back_a_live_job(client, tree, staff, settings):
    settings.TASKS = IMMEDIATE
    PlanFactory()
    with time_machine.travel(STARTED + datetime.timedelta(seconds=20), tick=False):
        live = dead_run(tree)  # its heartbeat is 20 s old: alive
        client.force_login(staff[Role.COUNTY_CLERK])
        response = client.post(reverse("contributions:dues_generate"), {"year": YEAR})
    assert str(live.pk) in response["Location"]
    assert JobRun.objects.filter(kind=DUES_JOB).count() == 1


def test_a_finished_job_delivered_twice_does_nothing(tree, staff, settings):
    settings.TASKS = IMMEDIATE
    PlanFactory()
    make_enrollees(tree, staff, 2)
    run = JobRun.objects.create(
        kind=DUES_JOB,
        natural_key=county_year_key(tree.county.code, YEAR),
        region=tree.county,
        created_by=staff[Role.COUNTY_CLERK],
        params={"year": YEAR},
    )
    run_dues_generation.call(str(run.pk))
    run_dues_generation.call(str(run.pk))
    assert DueGeneration.objects.count() == 1
    assert JobRun.objects.get(pk=run.pk).status == JobStatus.DONE


def test_the_command_refuses_while_the_same_job_runs_and_replaces_a_dead_one(tree, staff):
    PlanFactory()
    make_enrollees(tree, staff, 3)
    with time_machine.travel(STARTED + datetime.timedelta(seconds=20), tick=False):
        live = dead_run(tree)
        with pytest.raises(CommandError, match="正在进行"):
            call_command("generate_dues", county="341125", year=YEAR, no_progress=True)
    assert not Due.objects.exists()
    with time_machine.travel(LATER, tick=False):
        call_command("generate_dues", county="341125", year=YEAR, no_progress=True)
    live.refresh_from_db()
    assert live.status == JobStatus.INTERRUPTED
    assert Due.objects.count() == 3
    finished = JobRun.objects.exclude(pk=live.pk).get(kind=DUES_JOB)
    assert finished.status == JobStatus.DONE and finished.worker


# --------------------------------------------------------------------------- honest counts


def test_dues_another_run_made_first_are_neither_counted_nor_audited(tree, staff, monkeypatch):
    """The other run commits between this run's reading of its candidates and its inserts:
    every insert of this run is refused by the unique constraint (ON CONFLICT DO NOTHING),
    and its summary row and audit entries say so — 0 — instead of what it offered."""
    PlanFactory()
    make_enrollees(tree, staff, 6, paid_every=2)
    original = dues_module._government_paid_candidates
    state = {"inside": False}

    def candidates_then_another_run(terms, prefix, year):
        found = original(terms, prefix, year)
        if not state["inside"]:
            state["inside"] = True
            dues_generate(acting_user=None, region_code="341125", year=YEAR)
        return found

    monkeypatch.setattr(dues_module, "_government_paid_candidates", candidates_then_another_run)
    late = dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=YEAR)
    first = DueGeneration.objects.exclude(pk=late.pk).get()
    assert first.government_paid_created == 3 and first.personal_created == 3
    late.refresh_from_db()
    assert (late.personal_created, late.government_paid_created) == (0, 0)
    assert late.result["personal_created"] == 0 and late.result["government_paid_created"] == 0
    assert not AuditEntry.objects.filter(
        action="pension.dues.chunk", object_id=str(late.pk)
    ).exists()
    assert_audit_matches_dues()


def assert_audit_matches_dues(*, runs_finished: bool = True) -> None:
    """Every due is claimed once by a chunk entry, once by its run's summary row and (for
    a run that reached its end) once by the run's audit entry."""
    made = Due.objects.filter(contribution__generation__isnull=False).count()
    chunks = AuditEntry.objects.filter(action="pension.dues.chunk")
    assert sum(entry.after["made"] for entry in chunks) == made
    if runs_finished:
        summaries = AuditEntry.objects.filter(action="pension.dues.generate")
        claimed = sum(
            entry.after["personal_created"] + entry.after["government_paid_created"]
            for entry in summaries
        )
        assert claimed == made
    rows = DueGeneration.objects.aggregate(
        personal=Sum("personal_created"), paid=Sum("government_paid_created")
    )
    assert rows["personal"] + rows["paid"] == made
    for generation in DueGeneration.objects.all():
        assert (
            generation.personal_created
            == Due.objects.filter(
                contribution__generation=generation, kind=DueKind.PERSONAL
            ).count()
        )


def test_the_summary_row_counts_each_chunk_as_it_commits(tree, staff, monkeypatch):
    """A run killed after its first chunk leaves a summary row that says what committed."""
    PlanFactory()
    make_enrollees(tree, staff, 6)
    monkeypatch.setattr(dues_module, "FIRST_RANGE", 2)
    monkeypatch.setattr(dues_module, "ID_RANGE", 2)
    seen = []
    real = dues_module._committed

    def committed_then_die(generation, **counts):
        real(generation, **counts)
        seen.append(counts)
        if len(seen) == 2:
            raise SystemExit("killed")  # after the second chunk's rows, before its commit

    monkeypatch.setattr(dues_module, "_committed", committed_then_die)
    with pytest.raises(SystemExit):
        dues_generate(acting_user=None, region_code="341125", year=YEAR)
    generation = DueGeneration.objects.get()
    assert generation.personal_created == Due.objects.count() == 2
    assert_audit_matches_dues(runs_finished=False)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_dues_runs_at_once_neither_crash_nor_claim_what_they_did_not_make(
    tree, staff, monkeypatch
):
    PlanFactory()
    people = make_enrollees(tree, staff, 40, paid_every=4)
    monkeypatch.setattr(dues_module, "CHUNK", 3)
    monkeypatch.setattr(dues_module, "FIRST_RANGE", 4)
    monkeypatch.setattr(dues_module, "ID_RANGE", 4)
    user = staff[Role.COUNTY_CLERK]
    # both runs read their candidates before either inserts, and start every chunk together
    # (the chunks of both runs have the same ranges): the worst interleaving, every time
    together = threading.Barrier(2)
    take_turn = dues_module._take_turn

    def chunk_together(generation):
        together.wait(timeout=30)
        take_turn(generation)

    monkeypatch.setattr(dues_module, "_take_turn", chunk_together)

    def run():
        return dues_generate(acting_user=user, region_code="341125", year=YEAR)

    outcomes = run_together(run, run)
    assert all("error" not in outcome for outcome in outcomes), outcomes
    assert Due.objects.filter(kind=DueKind.GOVERNMENT_PAID).count() == 10
    assert Due.objects.filter(kind=DueKind.PERSONAL).count() == len(people) - 10
    made = [outcome["value"] for outcome in outcomes]
    for generation in made:
        generation.refresh_from_db()
    assert sum(g.personal_created + g.government_paid_created for g in made) == len(people)
    assert_audit_matches_dues()
