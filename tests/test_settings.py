"""Settings fail loudly on bad values instead of running with a surprise."""

import subprocess
import sys

import pytest

from config.settings import BASE_DIR


def start_with(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x",
        "ALLOWED_HOSTS": "localhost",
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()",
        ],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_start():
    assert start_with({}).returncode == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is off"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "is not a boolean"),
        ({"CTGOV_PAGE_SIZE": "0"}, "CTGOV_PAGE_SIZE='0' must be at least 1"),
        ({"CTGOV_TIMEOUT": "soon"}, "CTGOV_TIMEOUT='soon' is not a number"),
        ({"CTGOV_QUERY": "{not json"}, "CTGOV_QUERY is not valid JSON"),
        ({"CTGOV_QUERY": '["ALS"]'}, "CTGOV_QUERY must be a JSON object"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(env, message):
    result = start_with(env)

    assert result.returncode != 0
    assert message in result.stderr


def test_debug_mode_has_development_defaults():
    assert start_with({"DEBUG": "1", "SECRET_KEY": "", "ALLOWED_HOSTS": ""}).returncode == 0
