"""A room's settings, for its admins: its name, description and kind, and its members (DESIGN.md §4, §6).

Every change is a plain form POST that redirects back here and says what it did. Someone who may read
the room but not administer it is told so (403); someone who may not read it gets the 404 of a room
that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rooms import access
from rooms.forms import AddMemberForm, BotForm, BotWebhookForm, RoomSettingsForm
from rooms.models import Bot, Membership, Room, User
from rooms.people import bots, membership
from rooms.web.rooms import current_user, refusal_status


def administered_room(request: HttpRequest, slug: str) -> Room:
    user = current_user(request)
    room = access.get_room(user, slug)
    if not access.may_administer(user, room):
        raise PermissionDenied
    return room


def render_settings(
    request: HttpRequest,
    room: Room,
    form: RoomSettingsForm | None = None,
    add_form: AddMemberForm | None = None,
    bot_form: BotForm | None = None,
    new_token: tuple[Bot, str] | None = None,
    webhook_form: tuple[Bot, BotWebhookForm] | None = None,
) -> HttpResponse:
    """The settings page; a form that was refused is shown with its errors, the others as they are."""
    refused_bot, refused_webhook = webhook_form or (None, None)
    form = form or RoomSettingsForm(initial={"name": room.name, "description": room.description, "kind": room.kind})
    members = (
        Membership.objects.filter(room=room, user__bot__isnull=True).select_related("user").order_by("user__username")
    )
    context = {
        "room": room,
        "form": form,
        "add_form": add_form or AddMemberForm(),
        "bot_form": bot_form or BotForm(),
        "members": members,
        "bots": [
            (bot, refused_webhook if refused_webhook is not None and bot == refused_bot else webhook_form_of(bot))
            for bot in Bot.objects.filter(room=room, revoked_at=None).select_related("user").order_by("name")
        ],
        "new_token": new_token,
        "webhook_refused": refused_webhook is not None and bool(refused_webhook.errors),
    }
    refused = (add_form, bot_form, refused_webhook)
    status = max([refusal_status(form), *(refusal_status(f) for f in refused if f is not None)])
    return render(request, "rooms/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
def room_settings(request: HttpRequest, slug: str) -> HttpResponseBase:
    room = administered_room(request, slug)
    if request.method == "GET":
        return render_settings(request, room)
    form = RoomSettingsForm(request.POST)
    if not form.is_valid():
        return render_settings(request, room, form=form)
    room.name, room.description = form.cleaned_data["name"], form.cleaned_data["description"]
    room.save(update_fields=["name", "description"])
    membership.change_kind(room=room, kind=form.cleaned_data["kind"])
    messages.success(request, _("The room's settings are saved."))
    return redirect("rooms:settings", slug=room.slug)


@require_POST
def add_member(request: HttpRequest, slug: str) -> HttpResponseBase:
    room = administered_room(request, slug)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        return render_settings(request, room, add_form=form)
    person: User = form.cleaned_data["username"]
    if membership.add_member(room=room, user=person):
        messages.success(request, _("%(name)s is now a member.") % {"name": person.display_name})
    else:
        messages.info(request, _("%(name)s was a member already.") % {"name": person.display_name})
    return redirect("rooms:settings", slug=room.slug)


def member_of(room: Room, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), room=room, user_id=pk)


@require_POST
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Their open pages of the room stop at once (their sockets close); from now on it is a 404 to them if private."""
    room = administered_room(request, slug)
    removed = member_of(room, pk)
    membership.remove_member(room=room, user=removed.user)
    messages.success(request, _("%(name)s is no longer a member.") % {"name": removed.user.display_name})
    if removed.user_id == current_user(request).pk:
        return redirect("rooms:lobby")
    return redirect("rooms:settings", slug=room.slug)


@require_POST
def set_admin(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    room = administered_room(request, slug)
    member = member_of(room, pk)
    make_admin = request.POST.get("admin") == "yes"
    membership.set_admin(room=room, user=member.user, is_admin=make_admin)
    name = member.user.display_name
    text = _("%(name)s is now an admin.") if make_admin else _("%(name)s is no longer an admin.")
    messages.success(request, text % {"name": name})
    return redirect("rooms:settings", slug=room.slug)


@require_POST
def add_bot(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The new bot's token is on this answer only: it is not stored, so it cannot be shown again."""
    room = administered_room(request, slug)
    form = BotForm(request.POST)
    if not form.is_valid():
        return render_settings(request, room, bot_form=form)
    bot, token = bots.create_bot(
        room=room,
        name=form.cleaned_data["name"],
        created_by=current_user(request),
        webhook_url=form.cleaned_data["webhook_url"],
    )
    response = render_settings(request, room, new_token=(bot, token))
    response["Cache-Control"] = "no-store"
    return response


def webhook_form_of(bot: Bot) -> BotWebhookForm:
    return BotWebhookForm(initial={"webhook_url": bot.webhook_url}, bot_id=bot.pk)


@require_POST
def change_webhook(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    room = administered_room(request, slug)
    bot = get_object_or_404(Bot, room=room, pk=pk, revoked_at=None)
    form = BotWebhookForm(request.POST, bot_id=bot.pk)
    if not form.is_valid():
        return render_settings(request, room, webhook_form=(bot, form))
    url = form.cleaned_data["webhook_url"]
    bots.set_webhook(bot, url=url, changed_by=current_user(request))
    if url:
        text = _("Mentions of %(name)s now go to %(address)s.") % {"name": bot.name, "address": url}
    else:
        text = _("Mentions of %(name)s are no longer sent anywhere.") % {"name": bot.name}
    messages.success(request, text)
    return redirect("rooms:settings", slug=room.slug)


@require_POST
def revoke_bot(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    room = administered_room(request, slug)
    bot = get_object_or_404(Bot, room=room, pk=pk, revoked_at=None)
    bots.revoke_bot(bot)
    messages.success(request, _("%(name)s is revoked: its token no longer works.") % {"name": bot.name})
    return redirect("rooms:settings", slug=room.slug)
