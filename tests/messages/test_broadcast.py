"""A change is rendered once for every page: the frames, our words filled in per language, are what each
language's own render of the message is; and the numbering's kept rule is the rule."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rooms import access
from rooms.messages import changes, words
from rooms.messages.broadcast import render_change
from rooms.messages.deleting import delete_message
from rooms.messages.editing import edit_message
from rooms.messages.posting import post_message
from rooms.models import Message, Room, User
from rooms.people.membership import remove_member
from tests.conftest import say

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def own_render(message: Message, change: int, language: str) -> str:
    """The frame as a page in `language` would render it for itself, word by word."""
    partial = "message-appended" if change == message.seq else "message-replaced"
    with translation.override(language):
        context = {"message": message, "room": message.room, "cursor": change}
        return render_to_string(f"rooms/room.html#{partial}", context).strip()


def current(message: Message) -> Message:
    return Message.objects.select_related("author", "room").prefetch_related("mentions").get(pk=message.pk)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_an_edited_and_a_deleted_message_are_framed_in_each_language_as_its_own_render(
    design: Room, ana: User, ben: User, language: str
) -> None:
    new = say(design, ana, "hello @ben, see https://example.org")
    edited = say(design, ana, "helo")
    edit_message(room=design, editor=ana, message_id=edited.pk, data={"body": "hello"})
    deleted = say(design, ana, "oops")
    delete_message(room=design, deleter=ana, message_id=deleted.pk)

    for message in (current(new), current(edited), current(deleted)):
        frame = render_change(message, message.last_change)[language]
        assert frame == own_render(message, message.last_change, language)
        assert "\x00" not in frame, "no marker is left unfilled"


def test_each_language_gets_its_own_words_from_the_one_render(design: Room, ana: User) -> None:
    message = say(design, ana, "helo")
    edit_message(room=design, editor=ana, message_id=message.pk, data={"body": "hello"})
    frames = render_change(current(message), 2)

    assert set(frames) == set(LANGUAGES)
    assert "(edited)" in frames["en"]
    assert ">Edit<" in frames["en"]
    assert "수정됨" in frames["ko"]
    assert "(edited)" not in frames["ko"]


def test_a_person_who_types_a_markers_look_gets_their_text_not_our_words(design: Room, ana: User) -> None:
    # NUL is refused in a message (tests/test_hostile_input.py); what looks like a key without it is text.
    message = say(design, ana, "edit deleted mentions-you")
    frame = render_change(current(message), message.seq)["ko"]
    assert "edit deleted mentions-you" in frame


def test_posting_keeps_its_compiled_rule_and_it_is_the_rule_compiled_afresh(design: Room, ana: User) -> None:
    say(design, ana, "first")
    kept = [
        compiled for (_alias, key), compiled in changes._compiled_rules.items() if key == ("post", ana.pk, design.pk)
    ]
    fresh = changes.compile_rule(lambda: access.rooms_writable_by(ana).filter(pk=design.pk))

    assert kept == [fresh]


def test_a_member_removed_after_posting_is_refused_though_the_rule_was_kept(design: Room, ana: User, ben: User) -> None:
    say(design, ben, "first")
    remove_member(room=design, user=ben)

    with pytest.raises(PermissionDenied):
        post_message(room=design, author=ben, data={"body": "second"})
    assert list(design.messages.values_list("body", flat=True)) == ["first"]


def test_the_kept_rules_are_bounded(design: Room, ana: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "COMPILED_RULES_KEPT", 2)
    monkeypatch.setattr(changes, "_compiled_rules", type(changes._compiled_rules)())
    for n in range(5):
        changes.compile_rule(lambda: access.rooms_writable_by(ana).filter(pk=design.pk), ("post", n))
    assert [remembered for _alias, remembered in changes._compiled_rules] == [("post", 3), ("post", 4)]


def test_a_word_with_places_is_filled_in_each_language_even_with_another_word_inside_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(words.WORDS, "test-and", "{names} and {last}")
    monkeypatch.setitem(words.WORDS, "test-you", "you")
    you = words.phrase("test-you", later=True)
    html = "<p>" + words.phrase("test-and", later=True, names="<bdi>Ana</bdi>, <bdi>Ben</bdi>", last=you) + "</p>"

    assert "\x00" in html
    assert words.fill(html) == "<p><bdi>Ana</bdi>, <bdi>Ben</bdi> and you</p>"
    now = words.word("test-and", names="<bdi>Ana</bdi>, <bdi>Ben</bdi>", last=words.word("test-you"))
    assert words.fill(html) == f"<p>{now}</p>", "as a page's own render says it"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("csrf_token", [None, "a-real-token"])
def test_the_kept_reaction_picker_is_a_fresh_render_of_it_for_each_message(
    design: Room, ana: User, language: str, csrf_token: str | None
) -> None:
    """In a page (its reader's language, a CSRF token in each form) and in a frame (markers, no token)."""
    messages = [say(design, ana, "one"), say(design, ana, "two")]
    picker = Template("{% load reactions %}{% reaction_picker %}")
    for message in messages:
        context = {
            "message": message,
            "message_url": reverse("rooms:message", args=[design.slug, message.pk]),
            "csrf_token": csrf_token,
        }
        with translation.override(language):
            fresh = render_to_string("rooms/reactions.html#reaction-picker", context)
            assert picker.render(Context(context)) == fresh
            assert f'for="react-{message.pk}-emoji"' in fresh
            if csrf_token:
                assert 'value="a-real-token"' in fresh
        later = {**context, words.LATER: True}
        with translation.override(None):
            fresh_later = render_to_string("rooms/reactions.html#reaction-picker", later)
            kept_later = picker.render(Context(later))
        with translation.override(language):
            assert words.fill(kept_later) == words.fill(fresh_later) == fresh


def test_a_reader_who_may_not_write_gets_no_reaction_picker(design: Room, ana: User) -> None:
    message = say(design, ana, "one")
    context = {
        "message": message,
        "message_url": reverse("rooms:message", args=[design.slug, message.pk]),
        "is_member": False,
    }
    assert Template("{% load reactions %}{% reaction_picker %}").render(Context(context)) == ""
