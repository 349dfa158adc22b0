"""Every rule about what people may type lives here, once (DESIGN.md §1).

The WebSocket consumer and the plain POST views both validate through these
forms, so the same text gets the same error whichever way it came.
"""

import logging
import unicodedata
import uuid
from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import Image

from rooms.emoji import is_single_emoji
from rooms.lookalikes import skeleton
from rooms.messages.file_types import IMAGE_TYPES, FileType, sniff
from rooms.messages.metadata import strip_metadata
from rooms.models import (
    ALT_TEXT_MAX_LENGTH,
    ATTACHMENT_NAME_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    REACTION_MAX_LENGTH,
    ROOM_DESCRIPTION_MAX_LENGTH,
    ROOM_NAME_MAX_LENGTH,
    Membership,
    Room,
    User,
)
from rooms.people.bot_webhooks import refusal_of
from rooms.rate_limit import RATE_LIMITED, client_address, count_failed_sign_in, minutes, sign_in_wait

logger = logging.getLogger(__name__)


def reject_unstorable_characters(value: str) -> None:
    """NUL and unpaired surrogates: no database stores them faithfully."""
    if "\x00" in value:
        raise ValidationError(
            _("This text contains a NUL character, which cannot be stored. Remove it and try again."),
            code="nul_character",
        )
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValidationError(
            _("This text contains a broken character (an unpaired surrogate). Remove it and try again."),
            code="unpaired_surrogate",
        )


# Characters that draw nothing: controls, format characters (zero-width
# spaces, direction overrides), separators, lone combining marks...
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# ...and the letters and symbols that are drawn as blanks (Hangul fillers,
# the braille blank, the Mongolian vowel separator), a favourite of fake names.
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


# Characters that reorder or hide what follows them, so that a name reads as another:
# bidirectional embeddings, overrides and isolates, and the direction marks.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Format characters a name may need: the joiners that shape Indic and Arabic
# script and join emoji (ZWNJ, ZWJ).
ALLOWED_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
WAVING_BLACK_FLAG = "\U0001f3f4"
TAG_CHARACTERS = range(0xE0020, 0xE007F)
CANCEL_TAG = "\U000e007f"


def _emoji_tag_positions(value: str) -> set[int]:
    """Where tag characters spell a flag (🏴 + tags + cancel tag, e.g. Scotland's): those are allowed."""
    allowed: set[int] = set()
    for start, char in enumerate(value):
        if char != WAVING_BLACK_FLAG:
            continue
        end = start + 1
        while end < len(value) and ord(value[end]) in TAG_CHARACTERS:
            end += 1
        if end > start + 1 and end < len(value) and value[end] == CANCEL_TAG:
            allowed.update(range(start + 1, end + 1))
    return allowed


def reject_disguising_characters(value: str) -> None:
    """Names (of people and rooms) may not carry characters that make them look like other names."""
    tags = _emoji_tag_positions(value)
    for position, char in enumerate(value):
        if char in DIRECTION_CONTROLS:
            raise ValidationError(
                _(
                    "This name contains an invisible character that changes the direction of text"
                    " (%(code_point)s), which can make it look like another name. Remove it and try again."
                ),
                code="direction_control",
                params={"code_point": f"U+{ord(char):04X}"},
            )
        category = unicodedata.category(char)
        if char == "\x00":
            continue  # reject_unstorable_characters says why
        if category == "Cc" or (category == "Cf" and char not in ALLOWED_FORMAT_CHARACTERS and position not in tags):
            raise ValidationError(
                _(
                    "This name contains an invisible control character (%(code_point)s), which can hide"
                    " or disguise part of it. Remove it and try again."
                ),
                code="control_character",
                params={"code_point": f"U+{ord(char):04X}"},
            )


def has_visible_character(value: str) -> bool:
    return any(
        unicodedata.category(char) not in INVISIBLE_CATEGORIES and char not in BLANK_LOOKALIKES for char in value
    )


def reject_invisible_only(value: str) -> None:
    if value and not has_visible_character(value):
        raise ValidationError(
            _("This text has no visible characters. Type at least one letter, digit or symbol."),
            code="invisible_only",
        )


class ChatFormMixin:
    """How every form here presents itself: labels without a trailing colon;
    required fields marked for assistive technology but checked by the server
    (a browser's own `required` bubble vanishes, and would stop a send over
    the socket before any answer of ours), so every error is ours, persistent and next to
    its field; and, after a refused submit, the cursor in the first field to fix.

    The field's error is tied to it (aria-describedby), so focusing it also
    reads the error out; without JavaScript this is what `autofocus` does.
    A checkbox comes before its label (includes/checkbox_field.html).
    """

    fields: dict[str, forms.Field]
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Not on radio buttons: ARIA allows aria-required on a radio group, not on its radios.
            if field.required and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-required"] = "true"
            if isinstance(field.widget, forms.CheckboxInput):
                # Field.template_name (Django 5.0) is not in django-stubs yet.
                field.template_name = "includes/checkbox_field.html"  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        invalid = [name for name in self.errors if name in self.fields]  # type: ignore[attr-defined]
        if not invalid:
            return
        for name, field in self.fields.items():
            if name == invalid[0]:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)


class StorableCharField(forms.CharField):
    """A stripped CharField that refuses what no database stores faithfully.

    Error texts are whole sentences per field (not a noun slotted into one
    template), so that they translate into languages with other grammar.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strip=True, **kwargs)
        # Django adds its own NUL check; ours says more and also covers surrogates.
        self.validators = [v for v in self.validators if getattr(v, "code", None) != "null_characters_not_allowed"]
        self.validators += [reject_unstorable_characters, reject_invisible_only]


class NameField(StorableCharField):
    """A name people are known by: also refuses what would disguise it (bidi and control characters)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(reject_disguising_characters)


class OptionalUUIDField(forms.UUIDField):
    """An id that cannot be read is no id: the message still goes, only without duplicate protection."""

    def to_python(self, value: Any) -> uuid.UUID | None:  # type: ignore[override]  # django-stubs says str
        try:
            return super().to_python(value)
        except ValidationError:
            return None


def message_text_field(
    *, label: "str | Promise", help_text: "str | Promise", required: bool = True
) -> StorableCharField:
    """What a message's text may be, whether it is new or edited: the same rules and the same errors.

    The box has no `maxlength`: a browser would cut a longer paste silently, and send what the writer never
    chose to. Text over the limit is sent and refused with its error instead (DESIGN.md, "What bad input gets")."""
    field = StorableCharField(
        label=label,
        help_text=help_text,
        max_length=MESSAGE_MAX_LENGTH,
        required=required,
        # The box has the cursor when it appears: the composer when the page
        # opens (chat pages are for typing), the edit box when it opens. Replies
        # to a send over the socket morph the composer's fields in place and
        # leave the focus where it is (rooms/messages/composing.py).
        widget=forms.Textarea(attrs={"rows": 2, "autofocus": True, "data-enter-sends": True}),
        error_messages={
            "required": _("The message is empty. Type something to send."),
            "max_length": _("A message can be at most %(limit_value)s characters long; this one has %(show_value)s."),
        },
    )
    field.widget.attrs.pop("maxlength", None)
    return field


class MessageForm(ChatFormMixin, forms.Form):
    # A fresh id for every message the composer starts; see Message.client_id.
    client_id = OptionalUUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)
    body = message_text_field(
        label=_("Message"),
        # The other keys are listed beside the box, behind a disclosure (the room page's composer).
        help_text=_("Enter sends; Shift+Enter starts a new line."),
    )


def safe_file_name(name: str, file_type: FileType) -> str:
    """The sender's name for a file, without folders, invisible or direction-changing characters, shortened,
    and ending with the extension of what the file really is (a JPEG called photo.png becomes photo.jpg)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp"})
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    stem = stem[: ATTACHMENT_NAME_MAX_LENGTH - 10].strip(" .") or "file"
    return f"{stem}.{file_type.extension}"


FILE_TYPE_REFUSED = _(
    "This kind of file cannot be attached. Attach an image (PNG, JPEG, GIF or WebP), a PDF"
    " or a plain text file; what the file contains decides, not its name."
)


class RefusedUpload(UploadedFile):  # type: ignore[type-arg]
    """A file refused while it arrived, for going over `limit` (rooms/web/uploads.py): nothing of it is kept.
    It stands in its field, so that the form refuses it as it does any file too large."""

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(BytesIO(), name or "file", "application/octet-stream", size=limit + 1)


TOO_LARGE = _("This file is larger than %(limit)s, the most a file can be. Choose a smaller one.")


class AttachmentForm(MessageForm):
    """A message with a file or an image: its text, a caption, may then be empty. What the file is, is told
    by its content (rooms/messages/file_types.py), and an image must say what it shows (alt text). Its ids
    are its own, beside the composer's."""

    body = message_text_field(
        label=_("Caption (optional)"),
        help_text=_("Shown with the file, formatted like a message."),
        required=False,
    )
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to attach."),
            "empty": _("This file is empty. Choose a file with something in it."),
            "invalid": _("No file arrived. Choose the file again."),
        },
    )
    alt_text = StorableCharField(
        label=_("Alt text (required for images)"),
        help_text=_("What the image shows, for people who cannot see it."),
        max_length=ALT_TEXT_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Alt text can be at most %(limit_value)s characters long; this one has %(show_value)s."),
        },
    )
    file_type: FileType | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "attach-%s")
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.pop("autofocus", None)
        self.fields["body"].widget.attrs.pop("data-enter-sends", None)
        self.fields["file"].help_text = attachment_limits()
        # For static/js/attach.js, which says so as soon as a file too large is chosen, before it is sent.
        limit = settings.ATTACHMENT_MAX_BYTES
        self.fields["file"].widget.attrs["data-max-bytes"] = str(limit)
        self.fields["file"].widget.attrs["data-text-too-large"] = TOO_LARGE % {"limit": filesizeformat(limit)}

    def clean_file(self) -> "UploadedFile[bytes]":
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = settings.ATTACHMENT_MAX_BYTES
        if isinstance(upload, RefusedUpload):  # its size unknown: more than the limit is what is known
            raise ValidationError(
                TOO_LARGE,
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _("This file is %(size)s, and a file can be at most %(limit)s. Choose a smaller one."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        self.file_type = sniff(upload)
        if self.file_type is None:
            raise ValidationError(FILE_TYPE_REFUSED, code="file_type")
        upload.name = safe_file_name(upload.name or "", self.file_type)
        if self.file_type.is_image:
            return self.without_metadata(upload, self.file_type)
        return upload

    def without_metadata(self, upload: "UploadedFile[bytes]", file_type: FileType) -> "UploadedFile[bytes]":
        """The image as it is stored: without where and with what it was taken, upright
        (rooms/messages/metadata.py); the file type then says its upright size."""
        format_name = next(
            name for name, (content_type, _ext) in IMAGE_TYPES.items() if content_type == file_type.content_type
        )
        upload.seek(0)
        try:
            stripped = strip_metadata(upload.read(), format_name)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            # Pillow read its header, but cannot draw it (a file cut short, say), and it had to be drawn
            # again to be turned upright: refused as a file that is not an image of ours.
            logger.info("refused an image that could not be stripped of its metadata: %r", error)
            raise ValidationError(FILE_TYPE_REFUSED, code="file_type") from error
        self.file_type = FileType(file_type.content_type, file_type.extension, stripped.width, stripped.height)
        return SimpleUploadedFile(upload.name or "", stripped.content, content_type=file_type.content_type)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.file_type is not None and self.file_type.is_image and not cleaned.get("alt_text"):
            self.add_error(
                "alt_text",
                ValidationError(
                    _("Describe the image in a few words: alt text is required, for people who cannot see it."),
                    code="alt_text_required",
                ),
            )
        return cleaned


def attachment_limits() -> str:
    """The limits, in words, said beside the field before anything is sent."""
    return _("Images (PNG, JPEG, GIF or WebP), PDF or plain text, up to %(limit)s.") % {
        "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    }


class EditMessageForm(ChatFormMixin, forms.Form):
    """A message's new text. Its ids name the message: the composer and several edit boxes may be on one page,
    and each box's label, help and error must point at that box."""

    body = message_text_field(
        label=_("Edit your message"),
        help_text=_("Enter saves; Shift+Enter starts a new line; Escape cancels."),
    )

    def __init__(self, *args: Any, message_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"edit-{message_id}-%s")
        super().__init__(*args, **kwargs)


class DeleteMessageForm(ChatFormMixin, forms.Form):
    """Nothing to fill in: it carries the refusal (a rate limit, the database) to show next to the button."""


class ReactionForm(ChatFormMixin, forms.Form):
    """The emoji to add to a message, or to take off it again: one, of any kind. Its ids name the message,
    for every message has its own field on the page."""

    emoji = StorableCharField(
        label=_("Any emoji"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 4, "maxlength": REACTION_MAX_LENGTH}),
        error_messages={"required": _("Choose an emoji to react with.")},
    )

    def __init__(self, *args: Any, message_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"react-{message_id}-%s")
        super().__init__(*args, **kwargs)

    def clean_emoji(self) -> str:
        emoji: str = self.cleaned_data["emoji"]
        if len(emoji) > REACTION_MAX_LENGTH or not is_single_emoji(emoji):
            text = _("A reaction is one emoji, such as 👍. Type or paste just one.")
            raise ValidationError(text, code="not_one_emoji")
        return emoji


class RoomForm(ChatFormMixin, forms.Form):
    name = NameField(
        label=_("What chat room would you like to enter?"),
        max_length=ROOM_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        error_messages={
            "required": _("Type the name of the room you want to enter."),
            "max_length": _("A room name can be at most %(limit_value)s characters long; this one has %(show_value)s."),
        },
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        slug = slugify(name, allow_unicode=True)
        if not slug:
            raise ValidationError(
                _(
                    "A room's address is made from the letters and digits in its name,"
                    " and this name has none. Use at least one letter or digit."
                )
            )
        # Some characters spell out as several in the address (NFKC: ﷺ is a phrase
        # of 18), so a name within the limit can make an address beyond the column's.
        if len(slug) > ROOM_NAME_MAX_LENGTH:
            raise ValidationError(
                _(
                    "This name makes a room address of %(length)s characters, and an address can have at most"
                    " %(limit)s (some characters, such as ﷺ, are spelled out in several). Shorten the name."
                ),
                code="slug_too_long",
                params={"length": len(slug), "limit": ROOM_NAME_MAX_LENGTH},
            )
        return name

    @property
    def slug(self) -> str:
        name: str = self.cleaned_data["name"]
        return slugify(name, allow_unicode=True)


def room_name_field(label: "str | Promise") -> NameField:
    return NameField(
        label=label,
        max_length=ROOM_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Type a name for the room."),
            "max_length": _("A room name can be at most %(limit_value)s characters long; this one has %(show_value)s."),
        },
    )


def room_description_field() -> StorableCharField:
    return StorableCharField(
        label=_("Description"),
        help_text=_("Optional: what the room is for, shown under its name."),
        max_length=ROOM_DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": _(
                "A description can be at most %(limit_value)s characters long; this one has %(show_value)s."
            ),
        },
    )


class PrivateRoomForm(ChatFormMixin, forms.Form):
    """A new private room: only the people its admins add will see it."""

    name = room_name_field(_("Name of the private room"))
    description = room_description_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "private-%s")  # beside the lobby's other forms
        super().__init__(*args, **kwargs)


class RoomSettingsForm(ChatFormMixin, forms.Form):
    name = room_name_field(_("Name"))
    description = room_description_field()
    kind = forms.ChoiceField(
        label=_("Who may see it"),
        choices=[(Room.Kind.OPEN, Room.Kind.OPEN.label), (Room.Kind.PRIVATE, Room.Kind.PRIVATE.label)],
        widget=forms.RadioSelect,
        help_text=_("Making a room private gives it a new address: its name no longer leads anyone to it."),
    )


def find_people(value: str) -> list[User]:
    """The active people named in `value` (usernames, separated by spaces or commas, with or without "@")."""
    names = {name.lstrip("@") for name in value.replace(",", " ").split()} - {""}
    found = {user.username: user for user in User.objects.filter(username__in=names, is_active=True)}
    unknown = sorted(names - set(found))
    if unknown:
        raise ValidationError(
            ngettext_lazy(
                "Nobody here has the username %(names)s. Check the spelling (usernames are exact).",
                "Nobody here has these usernames: %(names)s. Check the spelling (usernames are exact).",
                "count",
            ),
            code="unknown_people",
            params={"names": ", ".join(unknown), "count": len(unknown)},
        )
    return list(found.values())


class ConversationForm(ChatFormMixin, forms.Form):
    """Who to talk with, by username: the people picker without JavaScript."""

    people = forms.CharField(
        label=_("Start a conversation with"),
        help_text=_("Their usernames, separated by spaces or commas."),
        max_length=1000,
        error_messages={"required": _("Type the username of at least one person.")},
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "conversation-%s")
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_people(self) -> list[User]:
        people = [person for person in find_people(self.cleaned_data["people"]) if person.pk != self.viewer.pk]
        if not people:
            raise ValidationError(_("Name someone other than yourself."), code="only_yourself")
        return people


class AddMemberForm(ChatFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Add a member"),
        help_text=_("Their username."),
        max_length=150,
        error_messages={"required": _("Type the username of the person to add.")},
    )

    def clean_username(self) -> User:
        people = find_people(self.cleaned_data["username"])
        if len(people) != 1:
            raise ValidationError(_("Add one person at a time."), code="one_at_a_time")
        return people[0]


class SignUpForm(ChatFormMixin, UserCreationForm[User]):
    display_name = NameField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        required=False,
        help_text=_("How others see you in rooms. Leave it empty to use your username."),
        error_messages={
            "max_length": _(
                "A display name can be at most %(limit_value)s characters long; this one has %(show_value)s."
            ),
        },
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django's own check refuses these too, but without saying which character or why.
        self.fields["username"].validators.insert(0, reject_disguising_characters)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username_skeleton=skeleton(username)).exists():
            # A look-alike is "taken", like the name itself: nothing more about who has it.
            raise ValidationError(username_taken_message(), code="unique")
        return username

    def clean_display_name(self) -> str:
        # Empty means "use my username" (cleaned just before, being the first field).
        name: str = self.cleaned_data["display_name"] or self.cleaned_data.get("username", "")
        return name


def username_taken_message() -> str:
    """Django's own words for a taken username (translated by Django)."""
    return str(User._meta.get_field("username").error_messages["unique"])


class SignInForm(ChatFormMixin, AuthenticationForm):
    """Django's sign-in, throttled: failed attempts count per account and per client address (rooms/rate_limit.py).

    Over either limit the password is not even checked, and the answer is the
    same whether or not the account exists.
    """

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()  # the missing field has its own error
        address = client_address(self.request) if self.request else ""
        if (wait := sign_in_wait(username=username, address=address)) is not None:
            logger.info("refused a sign-in from %s: too many failed attempts", address)
            raise ValidationError(TOO_MANY_SIGN_INS, code=RATE_LIMITED, params={"minutes": minutes(wait)})
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                count_failed_sign_in(username=username, address=address)
            raise


TOO_MANY_SIGN_INS = ngettext_lazy(
    "Too many sign-in attempts. Try again in %(minutes)s minute.",
    "Too many sign-in attempts. Try again in %(minutes)s minutes.",
    "minutes",
)


class NotifyForm(ChatFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """One member's choice for one room: what of it counts as news."""

    class Meta:
        model = Membership
        fields = ("notify",)
        widgets = {"notify": forms.RadioSelect}
        help_texts = {
            "notify": _("Counted in your lists of rooms, and read out by your screen reader if it reads news.")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "notify-%s")
        super().__init__(*args, **kwargs)


def webhook_url_field(**kwargs: Any) -> forms.URLField:
    """Where mentions of a bot go: the same field, and the same errors, when it is made and when it is changed."""
    return forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": _("Type a web address, such as https://bots.example.com/hook."),
            "max_length": _(
                "A webhook address can be at most %(limit_value)s characters long; this one has %(show_value)s."
            ),
        },
        **kwargs,
    )


class WebhookAddressMixin:
    cleaned_data: dict[str, Any]

    def clean_webhook_url(self) -> str:
        url: str = self.cleaned_data["webhook_url"]
        if url and (refusal := refusal_of(url)) is not None:
            raise ValidationError(refusal, code="refused_address")
        return url


class BotForm(WebhookAddressMixin, ChatFormMixin, forms.Form):
    name = NameField(
        label=_("Bot's name"),
        max_length=50,
        help_text=_("Shown as the author of what it posts."),
        error_messages={
            "required": _("Type a name for the bot."),
            "max_length": _(
                "A bot's name can be at most %(limit_value)s characters long; this one has %(show_value)s."
            ),
        },
    )

    webhook_url = webhook_url_field(
        label=_("Webhook address (optional)"),
        help_text=_(
            "Messages that mention the bot are sent here as JSON, signed with the SHA-256 of its token; "
            "public addresses only."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bot-%s")
        super().__init__(*args, **kwargs)


class BotWebhookForm(WebhookAddressMixin, ChatFormMixin, forms.Form):
    """A bot's webhook address, changed or emptied (then its mentions go nowhere) after it was made."""

    webhook_url = webhook_url_field(
        label=_("Webhook address"),
        help_text=_("Empty: mentions of it are not sent anywhere."),
    )

    def __init__(self, *args: Any, bot_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"bot-{bot_id}-%s")
        super().__init__(*args, **kwargs)


class SearchForm(ChatFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search messages"),
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "required": _("Type what to search for."),
            "max_length": _("A search can be at most %(limit_value)s characters long; this one has %(show_value)s."),
        },
    )
    room = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)


class SettingsForm(ChatFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    display_name = SignUpForm.base_fields["display_name"]

    class Meta:
        model = User
        fields = ("display_name", "announce", "announce_typing")
        widgets = {"announce": forms.RadioSelect}
        help_texts = {
            "announce": _("What your screen reader is told when other people's messages arrive."),
            "announce_typing": _(
                "Whether your screen reader also says, now and then, who is typing in the room. It is always"
                " shown under the message box."
            ),
        }

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"] or self.instance.username
        return name
