"""Production settings come from the environment and pass Django's deployment checklist."""

import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests.servers import ROOT, server_environment

PRODUCTION = {"HTTPS": "true", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "chat.example.org"}


def check_deploy(**environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=server_environment(**environment),
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist() -> None:
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checklist_catches_a_deployment_that_forgot_https() -> None:
    result = check_deploy(**{**PRODUCTION, "HTTPS": "false"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


@pytest.mark.django_db
def test_every_page_carries_the_security_headers() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_rate_limit_the_server_cannot_read_stops_it_instead_of_turning_the_limit_off() -> None:
    result = check_deploy(**PRODUCTION, ROOM_MESSAGE_RATE_LIMIT="a hundred, roughly")
    assert result.returncode != 0
    assert "ROOM_MESSAGE_RATE_LIMIT='a hundred, roughly' is not a rate limit" in result.stderr
