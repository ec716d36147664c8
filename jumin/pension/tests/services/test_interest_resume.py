"""The year-end interest killed part-way (SIGKILL in a child process, as a power cut would)
finishes on the next start without crediting anyone twice."""

from jumin.bench.faults import Databases

COMMAND = ["credit-interest", "--county", "341125", "--year", "2025", "--no-progress"]


def test_a_killed_interest_run_finishes_on_the_next_start_crediting_nobody_twice(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("JUMIN_INTEREST_CHUNK", "40")
    databases = Databases.for_configured(tmp_path)
    try:
        databases.create_empty("interest")
        databases.cli("interest", ["migrate", "--no-input", "-v", "0"], check=True)
        code = "from jumin.bench.interest import prepare_in_child; prepare_in_child(150)"
        databases.cli("interest", ["shell", "-c", code], check=True)
        killed = databases.cli("interest", COMMAND, fault="interest_chunk:2")
        assert killed.returncode == -9, killed.output

        def one(sql):
            with databases.connect("interest") as cursor:
                cursor.execute(sql)
                return cursor.fetchone()[0]

        people = one("SELECT COUNT(*) FROM people_person")
        assert people == 150
        interest = "SELECT COUNT(*) FROM pension_accountentry WHERE source = 'interest'"
        assert one(interest) == 80  # two chunks committed, the third lost whole
        again = databases.cli("interest", COMMAND)
        assert again.returncode == 0, again.output
        assert one(interest) == people
        assert (
            one(
                "SELECT COUNT(*) FROM (SELECT person_id FROM pension_accountentry "
                "WHERE source = 'interest' GROUP BY person_id HAVING COUNT(*) > 1) x"
            )
            == 0
        )
        # the run's totals are what its entries hold; the killed job is not left running
        assert one("SELECT COUNT(*) FROM pension_interestrun") == 1
        assert one("SELECT entry_count FROM pension_interestrun") == people
        assert one("SELECT CAST(amount_sum * 100 AS BIGINT) FROM pension_interestrun") == one(
            "SELECT CAST(SUM(amount) * 100 AS BIGINT) FROM pension_accountentry "
            "WHERE source = 'interest'"
        )
        assert one("SELECT COUNT(*) FROM core_jobrun WHERE status = 'running'") == 0
        databases.cli("interest", COMMAND, check=True)  # once more: nothing added
        assert one(interest) == people
    finally:
        databases.drop_all()
