"""The Simplified Chinese catalogue: complete, nothing fuzzy, placeholders kept, compiled, and used.

The .po is read with tools/check_translations.py (standard library only); the compiled .mo is read
with the standard gettext module and must hold exactly what the .po says, so a forgotten
compilemessages fails here instead of showing English to readers."""

import gettext
import importlib.util
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

_spec = importlib.util.spec_from_file_location("check_translations", ROOT / "tools" / "check_translations.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


@pytest.fixture(scope="module")
def catalogue():
    header, entries = check.parse_po(PO)
    return header, entries


def test_catalogue_has_the_chinese_plural_header(catalogue):
    header, entries = catalogue
    assert header is not None
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr
    assert "charset=UTF-8" in header.msgstr
    assert len(entries) > 500  # the whole project, not a stub


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    _, entries = catalogue
    untranslated = [e.msgid for e in entries if any(not t.strip() for t in e.translations())]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_exactly_one_form(catalogue):
    _, entries = catalogue
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals, "the project has ngettext/blocktranslate count strings"
    assert [e.msgid for e in plurals if sorted(e.msgstr_plural) != [0]] == []


def test_placeholders_and_tags_are_kept(catalogue):
    _, entries = catalogue
    mismatched = [(e.msgid, issue) for e in entries if (issue := check.placeholder_problem(e))]
    assert mismatched == []


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    entry = check.Entry(msgid="Hello %(name)s, {n} new", msgstr="你好 %(nom)s，{n} 条新")
    assert check.placeholder_problem(entry)
    entry.msgstr = "你好，{n} 条新"
    assert check.placeholder_problem(entry)
    entry.msgstr = "{n} 条新，%(name)s 你好"
    assert check.placeholder_problem(entry) is None


def test_checker_reports_untranslated_and_fuzzy_entries(tmp_path):
    bad = tmp_path / "django.po"
    bad.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\nmsgid "Reply"\nmsgstr ""\n\n'
        '#: b.py:2\n#, fuzzy\nmsgid "Topic"\nmsgstr "话题"\n\n'
        '#: c.py:3\nmsgid "%(n)d reply"\nmsgid_plural "%(n)d replies"\nmsgstr[0] "%(n)d 条回复"\n',
        encoding="utf-8",
    )
    entries, found = check.problems(bad)
    assert len(entries) == 3
    assert found == [("a.py:1: 'Reply'", "untranslated"), ("b.py:2: 'Topic'", "fuzzy")]
    assert check.main(["check", str(bad)]) == 1
    assert check.main(["check", str(PO)]) == 0


def test_compiled_catalogue_matches_the_po(catalogue):
    _, entries = catalogue
    assert MO.exists(), "run: python manage.py compilemessages --ignore=.venv -l zh_Hans"
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in entries:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if compiled.get(key) != e.msgstr:
                stale.append(e.msgid)
        elif compiled.get((key, 0)) != e.msgstr_plural[0]:
            stale.append(e.msgid)
    assert stale == [], "django.mo is out of date: run compilemessages"


def test_python_messages_are_chinese_by_default():
    with translation.override("zh-hans"):
        assert translation.gettext("Please sign in first.") == "请先登录。"
        assert translation.ngettext("%(n)d topic updated.", "%(n)d topics updated.", 3) % {"n": 3} == \
            "已更新 3 个话题。"
    with translation.override("en"):
        assert translation.gettext("Please sign in first.") == "Please sign in first."


@pytest.mark.django_db
def test_forum_index_is_rendered_in_chinese(category):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("forum:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-Hans">' in html
    for text in ("论坛", "最新", "登录", "注册", "跳到正文", "最新话题"):
        assert text in html, text
    assert ">Sign in<" not in html


@pytest.mark.django_db
def test_forum_index_is_english_when_asked(category):
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("forum:index")).content.decode()
    assert "Sign in" in html
    assert "登录" not in html
