"""Kill-and-resume in CI: a handful of kills of the
roster import, the dues generation, the bank result import and the posting — each command
killed with SIGKILL in a child process, at a named point or after a random delay, and run
again — end exactly where an uninterrupted run does. ``jumin bench faults`` runs a hundred.

The copies are SQLite files in a temporary folder, or databases on the PostgreSQL server
when the suite runs on PostgreSQL.
"""

from jumin.bench.faults import OPERATIONS, compare, run_faults


def test_killed_jobs_run_again_end_where_uninterrupted_runs_end():
    said = []
    trials = run_faults(
        trials=len(OPERATIONS),
        people=200,
        seed=5,
        operations=list(OPERATIONS),
        say=said.append,
        point_share=1.0,  # at named points where there are any: every such kill lands
    )
    assert [trial.operation for trial in trials] == list(OPERATIONS)
    assert {trial.operation: trial.differences for trial in trials if trial.differences} == {}, (
        "\n".join(said)
    )
    # the kills landed while the commands ran (the result import, killed after a random
    # delay, may finish first on a fast machine)
    assert sum(trial.killed for trial in trials) >= len(trials) - 1, "\n".join(said)
    assert all(trial.reruns >= 1 for trial in trials if trial.killed)


def test_the_comparison_names_every_difference_and_every_broken_check():
    reference = {"persons": 10, "credited_twice": 0, "dues_audit_honest": True}
    found = {"persons": 11, "credited_twice": 0, "dues_audit_honest": False}
    assert compare(reference, found) == [
        "dues_audit_honest: True → False",
        "persons: 10 → 11",
        "dues_audit_honest 不成立",
    ]
    assert compare(reference, dict(reference)) == []
