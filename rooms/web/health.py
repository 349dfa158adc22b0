"""/healthz for load balancers: does this process reach its database and its channel layer?"""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0


def _database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _channel_layer_answers() -> None:
    # A group send reaches Redis (when that is the layer) and needs no listener.
    await get_channel_layer().group_send("healthz", {"type": "healthz.ping"})


@login_not_required
async def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": sync_to_async(_database_answers)(),
        "channel_layer": _channel_layer_answers(),
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as error:
            logger.warning("health check failed: %s: %s", name, type(error).__name__)
            results[name] = "unavailable"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(results, status=200 if healthy else 503)
