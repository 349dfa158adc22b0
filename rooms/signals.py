"""Receivers for changes that can come from anywhere (sign-out, the admin, a shell).

Signals are the one way to hear about those; what to do lives in cutoff.py.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from rooms.models import Attachment, Membership, User
from rooms.people import cutoff


def on_sign_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        cutoff.cut_off_session(user, request.session.session_key)


def on_user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        cutoff.cut_off_user(instance)


def on_membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """Left, removed by an admin or staff, or the room deleted: the sockets to that room close."""
    cutoff.cut_off_from_room(instance.user_id, instance.room_id)


def on_attachment_deleted(sender: Any, instance: Attachment, **kwargs: Any) -> None:
    """With its message deleted, or its room, or its author (the admin, a shell): its files go from the
    storage once that is committed, so that nothing is left there that no row names."""
    transaction.on_commit(instance.delete_files)


def connect() -> None:
    user_logged_out.connect(on_sign_out, dispatch_uid="rooms.cut_off_signed_out_session")
    post_save.connect(on_user_saved, sender=User, dispatch_uid="rooms.cut_off_deactivated_user")
    post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid="rooms.cut_off_removed_member")
    post_delete.connect(on_attachment_deleted, sender=Attachment, dispatch_uid="rooms.delete_attachment_files")
