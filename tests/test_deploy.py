"""The deploy/ files work: the cron lines run as written (paths swapped for a scratch install, the
registry for the fake one), and the systemd timers start services that run the same commands."""

import configparser
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import load_record

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def cron_commands() -> dict[str, str]:
    """manage.py command name → the shell command of its cron line (without time and user)."""
    commands = {}
    for line in (DEPLOY / "cron" / "als-tracker").read_text().splitlines():
        if not line.strip() or line.startswith("#") or "=" in line.split()[0]:
            continue
        command = line.split(None, 6)[6]
        name = command.split("manage.py ", 1)[1].split()[0]
        commands[name] = command
    return commands


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


def scratch_install(command: str, tmp_path: Path, env_file: Path) -> str:
    return (
        command.replace("/srv/als-tracker", str(ROOT))
        .replace("/etc/als-tracker/env", str(env_file))
        .replace(".venv/bin/python", shlex.quote(sys.executable))
        .replace("/var/log/als-tracker", str(tmp_path))
    )


@pytest.fixture
def scratch_env(tmp_path, fake_registry):
    """An environment file like deploy/als-tracker.env.example, for a scratch SQLite database
    (migrated) and the fake registry serving one real study."""
    registry = fake_registry([load_record("snapshot/2022-10", "NCT03280056")])
    env_file = tmp_path / "env"
    env_file.write_text(
        "DEBUG=0\n"
        "SECRET_KEY=scratch-secret-key-for-the-deploy-test-only-0123456789abcdef\n"
        "ALLOWED_HOSTS=localhost\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'db.sqlite3'}\n"
        f"CTGOV_API_URL={registry.url}\n"
        "CTGOV_MIN_INTERVAL=0\n"
    )
    run = subprocess.run(
        f"set -a && . {env_file} && set +a && {shlex.quote(sys.executable)} manage.py migrate -v0",
        shell=True,
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return env_file, registry


def _clean_env() -> dict:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
    return {k: v for k, v in os.environ.items() if k in keep}


def sh(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cron_lines_import_then_report_healthy_printing_nothing(tmp_path, scratch_env):
    scratch_env, _registry = scratch_env
    commands = cron_commands()

    imported = sh(scratch_install(commands["import_trials"], tmp_path, scratch_env))
    checked = sh(scratch_install(commands["import_health"], tmp_path, scratch_env))

    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "", "")
    log = (tmp_path / "import.log").read_text()
    assert "full import succeeded: received 1, created 1" in log
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_the_cron_lines_print_a_line_to_mail_when_the_import_fails(tmp_path, scratch_env):
    scratch_env, registry = scratch_env
    registry.fail(page=1, status=400, message="bad query", permanent=True)
    commands = cron_commands()

    imported = sh(scratch_install(commands["import_trials"], tmp_path, scratch_env))
    checked = sh(scratch_install(commands["import_health"], tmp_path, scratch_env))

    assert imported.returncode == 0  # cron sees the echo succeed; the mail is the signal
    assert "nightly import_trials exited with 3" in imported.stdout
    assert checked.returncode == 1
    assert checked.stderr.startswith("import unhealthy: last registry sync #1 failed")
    assert checked.stderr.count("\n") == 1


def test_each_timer_starts_a_service_running_the_command_of_its_cron_line():
    commands = cron_commands()
    for timer in ("als-tracker-import.timer", "als-tracker-import-health.timer"):
        service_name = unit(timer)["Timer"]["Unit"]
        service = unit(service_name)["Service"]
        exec_start = service["ExecStart"]
        name = exec_start.split("manage.py ", 1)[1].split()[0]
        assert name in commands
        assert exec_start.startswith(f"{service['WorkingDirectory']}/.venv/bin/python manage.py")
        assert service["EnvironmentFile"] == "/etc/als-tracker/env"
        assert unit(timer)["Install"]["WantedBy"] == "timers.target"
