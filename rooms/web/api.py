"""The bots' door: POST /api/rooms/<slug>/messages with `Authorization: Bearer <token>` (DESIGN.md §1).

A bot's message goes through post_message like everybody's: the same validation, rate limits and
fan-out. The answer is JSON: the message's address (201), or what was wrong (400, 401, 404, 429).
"""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rooms.messages.posting import post_message
from rooms.people.bots import bot_for
from rooms.rate_limit import client_address
from rooms.web.rooms import refusal_status

logger = logging.getLogger(__name__)


@csrf_exempt  # no cookies: the token is the credential, and a page of another site cannot send it
@login_not_required
@require_POST
def post_as_bot(request: HttpRequest, slug: str) -> JsonResponse:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    bot = bot_for(token.strip()) if scheme.lower() == "bearer" else None
    if bot is None or bot.room.slug != slug:
        # Logged without the token (a secret, even a wrong one may be one mistyped).
        logger.info(
            "refused a bot's message for %r from %s: no such token for this room", slug, client_address(request)
        )
        response = JsonResponse({"error": "This token does not post in this room, or it was revoked."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="chat"'
        return response
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return JsonResponse(
            {"errors": {"body": ['The request\'s body must be a JSON object, such as {"body": "hello"}.']}}, status=400
        )
    try:
        result = post_message(
            room=bot.room, author=bot.user, data={"body": data.get("body"), "client_id": data.get("client_id")}
        )
    except PermissionDenied:  # no longer a member (an admin removed it)
        return JsonResponse({"error": "This bot is no longer a member of the room."}, status=401)
    if result.message is None:
        errors = {field: [str(error) for error in errors] for field, errors in result.form.errors.items()}
        return JsonResponse({"errors": errors}, status=refusal_status(result.form))
    address = reverse("rooms:message", kwargs={"slug": bot.room.slug, "pk": result.message.pk})
    return JsonResponse(
        {
            "id": result.message.pk,
            "permalink": request.build_absolute_uri(address),
            "created_at": result.message.created_at.isoformat(),
        },
        status=201,
    )
