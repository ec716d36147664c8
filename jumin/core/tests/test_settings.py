"""The settings module refuses to start production without a secret key."""

import os
import subprocess
import sys


def run_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JUMIN_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import jumin.settings"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_settings({})
    assert result.returncode != 0
    assert "JUMIN_SECRET_KEY" in result.stderr


def test_production_with_secret_key_starts():
    assert run_settings({"JUMIN_SECRET_KEY": "x" * 50}).returncode == 0


def test_development_machine_starts_without_secret_key():
    assert run_settings({"JUMIN_DEBUG": "1"}).returncode == 0


def test_deploy_check_refuses_sqlite_and_debug():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JUMIN_")}
    clean.update(
        {"JUMIN_SECRET_KEY": "k" * 60, "DATABASE_URL": "sqlite:////tmp/jumin-check.sqlite3"}
    )
    result = subprocess.run(
        [sys.executable, "-m", "jumin.cli", "check", "--deploy"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "jumin.E001" in result.stderr + result.stdout
