"""/healthz tells a load balancer whether this process can serve chat."""

import json

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from tests.servers import free_port


@pytest.mark.django_db
def test_healthz_says_ok_without_signing_in_when_database_and_channel_layer_answer() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_healthz_fails_when_the_channel_layer_is_unreachable(settings: Settings) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [dead]}}
    }

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "channel_layer": "unavailable"}
