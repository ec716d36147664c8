"""``jumin bench claims``: medical claims settled in batch, re-settled after a policy change,
and submitted through the API by concurrent clients.

1. setup (not timed): the demo county with P persons (``demo_generate``), covered for the year,
   the demo hospitals and the default policy, and N claims of 8 lines each (3 services + 5
   items) bulk-inserted;
2. ``settle``: every person-year settled (``services.claims.resettle`` in chunks of persons:
   one query for the claims, one for current settlements, one for special statuses, one bulk
   insert) — claims/s and queries per claim;
3. ``bare``: the same result rows written with one ``executemany`` INSERT into a plain table
   with the settlement's columns (no computing, no reading): the floor of the write;
4. ``resettle``: the policy's Class B first-pay share changed, every year re-settled
   (reversing row + new row for each changed claim);
5. ``fund``: every settlement row (new and reversing) posted to the fund ledger
   (``services.fund_claims.post_settlements``), then once more, which must write nothing;
6. ``api``: gunicorn started on the bench database; C client threads each submit claims with
   a hospital token (``POST /api/medical/claims``), latency percentiles.
"""

import cProfile
import datetime
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jumin.medical.demo_claims import _ensure_enrolments, _lines, demo_hospitals
from jumin.medical.models import Claim, ClaimLine, MedicalEnrolment, Settlement
from jumin.medical.services import claims as claim_services
from jumin.medical.services import fund_claims
from jumin.medical.services import policy as policy_services
from jumin.medical.services.hospitals import hospital_token_create
from jumin.people.demo.county import county_population, demo_generate
from jumin.people.demo.regions import DEFAULT_COUNTY
from jumin.people.models import Person

GOAL_CLAIMS_PER_SECOND = 20_000
GOAL_RATIO_TO_BARE = 2.0
GOAL_API_P95_MS = 50.0
BARE_TABLE = "bench_bare_settlement"
CHUNK_PERSONS = 2000
KINDS = [
    ("inpatient", 0.1, 2000, 60000, "K35.8"),
    ("outpatient_pooling", 0.75, 30, 150, "J06.9"),
    ("chronic_outpatient", 0.1, 500, 8000, "N18.5"),
    ("childbirth", 0.05, 2500, 6000, "O80"),
]


class ClaimsBench:
    name = "claims"
    help = "居民医保补偿：批量结算、政策调整后重算、接口并发提交。Medical claims."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--claims", type=int, default=100_000, help="补偿笔数（默认 100000）")
        parser.add_argument(
            "--people", type=int, default=None, help="参保人数（默认 补偿笔数的 3/10）"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--county", default=DEFAULT_COUNTY)
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument(
            "--clients", type=int, default=50, help="接口并发客户端数（默认 50；0 跳过）"
        )
        parser.add_argument(
            "--requests", type=int, default=20, help="每个客户端提交几笔（默认 20）"
        )
        parser.add_argument(
            "--profile", default="", help="把批量结算一步的 cProfile 结果写到这个文件"
        )

    def run(self, *, report, options: dict) -> None:
        count = options["claims"]
        people = options["people"] or max(10, count * 3 // 10)
        county_code, year, seed = options["county"], options["year"], options["seed"]
        persons, _households = county_population(county_code)
        if persons:
            raise CommandError(
                f"测试县 {county_code} 已有参保人：请用专用测试库（去掉 --in-place）"
            )
        started = time.perf_counter()
        result = demo_generate(
            county_code=county_code, people=people, seed=seed, on=datetime.date(year, 1, 1)
        )
        county = result.county
        with transaction.atomic():
            hospitals = demo_hospitals(county)
            policy, _ = policy_services.policy_seed(coverage_year=year, region_code=county.code)
            _ensure_enrolments(county.code, year, None)
        made = make_claims(county.code, year, count, seed, hospitals)
        report.note(
            f"准备：{people:,} 名参保人，{made:,} 笔补偿（每笔 8 行明细），用时 {time.perf_counter() - started:.1f} 秒"
        )
        person_years = sorted(
            set(Claim.objects.filter(coverage_year=year).values_list("person_id", "coverage_year"))
        )

        profiler = cProfile.Profile() if options.get("profile") else None
        connection.queries_log.clear()  # the setup filled it: count only this step's queries
        with CaptureQueriesContext(connection) as queries:
            if profiler:
                profiler.enable()
            seconds = _timed(lambda: _resettle_all(person_years, "基准测试"))
            if profiler:
                profiler.disable()
                profiler.dump_stats(options["profile"])
        report.step("settle", "1 批量结算（每人每年一次，分块）", made, seconds)
        report.note(f"每笔补偿的查询数：{len(queries) / made:.4f}")
        connection.queries_log.clear()

        rows = list(
            Settlement.objects.filter(reverses__isnull=True).values_list(*SETTLEMENT_COLUMNS)
        )
        report.step(
            "bare",
            "2 裸 SQL：同样的结算行 executemany 写入",
            len(rows),
            _timed(lambda: bare_write(rows)),
        )
        report.ratio("settle", "bare", "批量结算 / 裸写")

        document = json.loads(json.dumps(policy.document))
        document["inpatient"]["class_b_first_pay_share"] = "0.15"
        policy_services.policy_save(
            acting_user=None,
            coverage_year=year,
            region_code=county.code,
            document=document,
            resettle=False,
        )
        seconds = _timed(lambda: _resettle_all(person_years, "政策调整"))
        report.step("resettle", "3 政策调整后重算（冲正 + 新结算）", made, seconds)
        report.ratio("resettle", "bare", "重算 / 裸写")
        again = _timed(lambda: _resettle_all(person_years, "再算一次"))
        written = Settlement.objects.count()
        report.note(f"再重算一次（应无变化）用时 {again:.2f} 秒；结算行共 {written:,} 行")

        posting = None

        def post():
            nonlocal posting
            posting = fund_claims.post_settlements(
                acting_user=None, region_code=county.code, coverage_year=year
            )

        seconds = _timed(post)
        report.step("fund", "4 结算记入基金（含冲正，分块 INSERT ... SELECT）", written, seconds)
        report.note(
            f"基金记录 {posting.entry_count:,} 条，统筹基金净支出 {-posting.amount_sum:,} 元"
        )
        seconds = _timed(post)
        report.note(f"再记一次（应无新记录）：{posting.entry_count} 条，用时 {seconds:.2f} 秒")

        if options["clients"] > 0:
            api_bench(report, county.code, year, hospitals, options["clients"], options["requests"])
        self._goals(report)

    def _goals(self, report) -> None:
        steps = report.data["steps"]
        rate = steps["settle"]["rows_per_second"]
        report.goal(
            f"批量结算 ≥ {GOAL_CLAIMS_PER_SECOND:,} 笔/秒",
            rate >= GOAL_CLAIMS_PER_SECOND,
            f"{rate:,}",
        )
        ratio = report.data["ratios"]["settle/bare"]
        report.goal(
            f"批量结算 ≤ 裸写的 {GOAL_RATIO_TO_BARE:g} 倍",
            ratio <= GOAL_RATIO_TO_BARE,
            f"{ratio:.2f}",
        )
        latency = report.data["latencies"].get("api")
        if latency:
            report.goal(
                f"接口 p95 < {GOAL_API_P95_MS:g} ms",
                latency["p95"] < GOAL_API_P95_MS,
                f"{latency['p95']:.1f} ms",
            )


BENCH_AREAS = [ClaimsBench()]

SETTLEMENT_COLUMNS = (
    "claim_id",
    "person_id",
    "coverage_year",
    "policy_id",
    "policy_version",
    "total",
    "eligible_cost",
    "basic",
    "critical_illness",
    "assistance",
    "patient",
    "explanation",
    "reason",
    "created_at",
)


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _resettle_all(person_years, reason: str) -> None:
    for start in range(0, len(person_years), CHUNK_PERSONS):
        with transaction.atomic():
            claim_services.resettle(person_years[start : start + CHUNK_PERSONS], reason=reason)


def make_claims(county_code: str, year: int, count: int, seed: int, hospitals: dict) -> int:
    rng = random.Random(seed)
    persons = list(
        MedicalEnrolment.objects.filter(
            coverage_year=year, village__pk__startswith=county_code[:6]
        ).values_list("person_id", flat=True)
    )
    township = next(iter(hospitals["township"].values()), hospitals["county"][0])
    by_kind = {
        "inpatient": hospitals["county"][0],
        "chronic_outpatient": hospitals["county"][0],
        "childbirth": hospitals["county"][1],
    }
    made = 0
    batch = 10_000
    for start in range(0, count, batch):
        claims, lines_of = [], []
        for index in range(start, min(count, start + batch)):
            pick = rng.random()
            kind, _share, low, high, diagnosis = KINDS[-1]
            for option in KINDS:
                pick -= option[1]
                if pick < 0:
                    kind, _share, low, high, diagnosis = option
                    break
            total = Decimal(str(round(rng.uniform(low, high), 2)))
            lines = _lines(kind, total, seed, str(index))
            lines.insert(4, ("Y004", "材料费", "a", Decimal("0.00")))
            lines.insert(5, ("Y005", "化验费", "a", Decimal("0.00")))
            lines = lines[:8]
            admission = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(330))
            totals = {
                cls: sum((a for _c, _n, c, a in lines if c == cls), Decimal("0.00"))
                for cls in ("a", "b", "self")
            }
            claims.append(
                Claim(
                    person_id=persons[index % len(persons)],
                    hospital=by_kind.get(kind, township),
                    coverage_year=year,
                    kind=kind,
                    channel="hospital",
                    invoice_number=f"B{index:09d}",
                    admission_date=admission,
                    discharge_date=admission + datetime.timedelta(days=rng.randrange(10)),
                    diagnosis=diagnosis,
                    total=totals["a"] + totals["b"] + totals["self"],
                    class_a=totals["a"],
                    class_b=totals["b"],
                    self_paid=totals["self"],
                    submission_digest="0" * 64,
                )
            )
            lines_of.append(lines)
        with transaction.atomic():
            Claim.objects.bulk_create(claims, batch_size=5000)
            ClaimLine.objects.bulk_create(
                (
                    ClaimLine(
                        claim_id=claim.pk, number=n, code=c, name=name, line_class=cls, amount=a
                    )
                    for claim, lines in zip(claims, lines_of, strict=True)
                    for n, (c, name, cls, a) in enumerate(lines, start=1)
                ),
                batch_size=10_000,
            )
        made += len(claims)
    return made


def bare_write(rows) -> None:
    columns = ", ".join(SETTLEMENT_COLUMNS)
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        cursor.execute(
            f"CREATE TABLE {BARE_TABLE} (id integer PRIMARY KEY {'GENERATED BY DEFAULT AS IDENTITY' if connection.vendor == 'postgresql' else 'AUTOINCREMENT'}, "
            "claim_id bigint, person_id bigint, coverage_year smallint, policy_id bigint, policy_version integer, "
            "total numeric(14,2), eligible_cost numeric(14,2), basic numeric(14,2), critical_illness numeric(14,2), "
            f"assistance numeric(14,2), patient numeric(14,2), explanation {json_type}, reason varchar(100), created_at timestamp with time zone)"
        )
        placeholders = ", ".join(["%s"] * len(SETTLEMENT_COLUMNS))
        values = [(*row[:11], json.dumps(row[11], ensure_ascii=False), *row[12:]) for row in rows]
        with transaction.atomic():
            for start in range(0, len(values), 10_000):
                cursor.executemany(
                    f"INSERT INTO {BARE_TABLE} ({columns}) VALUES ({placeholders})",
                    values[start : start + 10_000],
                )


# --------------------------------------------------------------------------- the API


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api_bench(
    report, county_code: str, year: int, hospitals: dict, clients: int, per_client: int
) -> None:
    hospital = hospitals["county"][0]
    _token, key = hospital_token_create(acting_user=None, hospital=hospital)
    persons = list(  # covered for the year (a person left out of the year is refused: 422)
        Person.objects.filter(
            village__pk__startswith=county_code[:6],
            pk__in=MedicalEnrolment.objects.filter(coverage_year=year).values("person_id"),
        ).values_list("id_number", flat=True)[: clients * per_client]
    )
    gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "JUMIN_DEBUG": "0",
        "JUMIN_SECRET_KEY": "bench-" + "x" * 50,
        "JUMIN_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "JUMIN_SECURE_COOKIES": "0",
    }
    workers = os.cpu_count() or 2
    server = subprocess.Popen(
        [
            gunicorn,
            "jumin.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port)
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            for request_number in range(per_client):
                index = number * per_client + request_number
                body = {
                    "id_number": persons[index % len(persons)],
                    "hospital_code": hospital.code,
                    "kind": "inpatient",
                    "invoice_number": f"API{index:08d}",
                    "admission_date": f"{year}-11-01",
                    "discharge_date": f"{year}-11-05",
                    "diagnosis": "K35.8",
                    "total": "5000.00",
                    "lines": [
                        {"name": "诊疗费", "line_class": "a", "amount": "800"},
                        {"name": "床位费", "line_class": "a", "amount": "400"},
                        {"name": "检查费", "line_class": "a", "amount": "600"},
                        {"name": "甲类药品", "line_class": "a", "amount": "1000"},
                        {"name": "材料费", "line_class": "a", "amount": "500"},
                        {"name": "化验费", "line_class": "a", "amount": "400"},
                        {"name": "乙类药品", "line_class": "b", "amount": "1000"},
                        {"name": "自费耗材", "line_class": "self", "amount": "300"},
                    ],
                }
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/medical/claims",
                    data=json.dumps(body).encode(),
                    headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                    method="POST",
                )
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        answer.read()
                        status = answer.status
                except urllib.error.HTTPError as error:
                    status = error.code
                    detail = error.read()[:200]
                    with lock:
                        failures.append(f"{status} {detail!r}")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status in (200, 201):
                        latencies.append(elapsed)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        report.latencies(
            "api", f"5 接口提交补偿（{clients} 个并发客户端，gunicorn {workers}×4 线程）", latencies
        )
        report.note(
            f"接口：{len(latencies):,} 笔成功，{len(failures)} 笔失败，{len(latencies) / seconds:,.0f} 笔/秒"
        )
        if failures:
            report.note("失败示例：" + failures[0])
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise CommandError("gunicorn 没有启动")
