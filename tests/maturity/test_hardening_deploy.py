"""The deployment guide and a real production configuration: check --deploy clean, gunicorn's
control socket off, the proxy's limits and the email requirement written down."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.assessments.test_hardening import manage, production_environment

ROOT = Path(settings.BASE_DIR)
DEPLOY = (ROOT / "docs/deploy.md").read_text()


def test_check_deploy_is_clean_with_a_real_configuration():
    env = production_environment(
        SITE_URL="https://maturity.example.gov.uk",
        CSRF_TRUSTED_ORIGINS="https://maturity.example.gov.uk",
        ADMIN_URL="site-admin-7f3a/",
        PROXY_COUNT="1",
        DEFAULT_FROM_EMAIL="maturity@example.gov.uk",
        CONTACT_EMAIL="digital@example.gov.uk",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def gunicorn_commands():
    """Every gunicorn command line in the guide, continuation lines joined."""
    text = DEPLOY.replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if re.search(r"\bgunicorn maturity", line)]


def test_every_documented_gunicorn_command_turns_the_control_socket_off():
    commands = gunicorn_commands()
    assert len(commands) >= 2
    for command in commands:
        assert "--no-control-socket" in command, command


def test_the_installed_gunicorn_accepts_the_documented_options():
    (command,) = [c for c in gunicorn_commands() if c.startswith(".venv/bin/gunicorn")]
    args = shlex.split(command)[1:]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [gunicorn, *args, "--check-config"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "unrecognized arguments" not in result.stderr


def test_the_guide_gives_the_proxy_the_apps_request_limits():
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    assert f"client_max_body_size {megabytes}m;" in DEPLOY
    for name in [
        "DATA_UPLOAD_MAX_MEMORY_SIZE",
        "DATA_UPLOAD_MAX_NUMBER_FIELDS",
        "FILE_UPLOAD_MAX_MEMORY_SIZE",
    ]:
        assert f"`{name}`" in DEPLOY
    assert f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields" in DEPLOY


def test_the_guide_has_services_refuse_to_start_while_email_stays_on_the_server():
    unit_line = r"^ExecStartPre=/srv/maturity/\.venv/bin/python manage\.py check --deploy$"
    assert re.search(unit_line, DEPLOY, re.M)
    assert "with `ExecStartPre=/srv/maturity/.venv/bin/python manage.py check --deploy`" in DEPLOY
    assert "worker: python manage.py check --deploy &&" in DEPLOY
    assert "`maturity.E001`" in DEPLOY
