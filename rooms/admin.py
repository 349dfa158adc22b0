"""Django's admin, for staff (/admin/): people, rooms and their members; messages to look at, not to change.

A message is changed only through its verbs (rooms/messages/), which number the change and tell every open
page: staff delete one from the room page, like its author. Deactivating someone, removing a member or
deleting a room closes the sockets concerned (rooms/signals.py), whichever way it is done.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from rooms.models import Membership, Message, Reaction, Room, User


@admin.register(User)
class ChatUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "last_login")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("Chat", {"fields": ("display_name", "announce")}),
    )


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fields = ("user", "is_admin", "joined_at")
    readonly_fields = ("joined_at",)
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "slug", "last_activity_at")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    fields = ("name", "kind", "description", "slug")
    readonly_fields = (
        "kind",
        "slug",
    )  # an address and a kind change through the room's settings, which keep them hidden
    inlines = (MembershipInline,)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("room", "author", "created_at", "edited_at", "deleted_at")
    list_filter = ("room",)
    search_fields = ("author__username",)
    raw_id_fields = ("room", "author")
    exclude = ("mentions",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """To look at: a reaction comes and goes through its verb (rooms/messages/reacting.py), which numbers it."""

    list_display = ("message", "user", "emoji", "created_at")
    raw_id_fields = ("message", "user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
