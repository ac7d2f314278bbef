#!/usr/bin/env python3
"""Check the Simplified Chinese catalogue: every entry translated, nothing fuzzy, placeholders kept.

    python3 tools/check_translations.py [path/to/django.po]

Exits 0 when the catalogue is complete, 1 (listing each problem with its source location) when an
entry is untranslated, fuzzy, left in English, or its msgstr does not keep exactly the placeholders
(%(name)s, %s, %d, {name}) and HTML tags of its msgid. Standard library only: it parses the .po
itself, so it runs before any dependency is installed.
"""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# %(name)s with optional flags/width/precision, bare %s/%d/%i/%f, {name} (python-brace, used by the
# data-text-* attributes live.js fills in), and HTML tags. "%%" is a literal percent and is dropped
# before matching.
TOKEN = re.compile(r"%\([^)]+\)[-+ #0]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[A-Za-z_][A-Za-z0-9_]*\}|</?[a-zA-Z][^<>]*>")
# Entries whose Chinese text is rightly the same as the English.
SAME_AS_SOURCE_OK = {"API", "CSV"}

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)
    locations: list = field(default_factory=list)
    line: int = 0

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def where(self):
        return self.locations[0] if self.locations else f"line {self.line}"

    def translations(self):
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]


def _unquote(text, lineno):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"line {lineno}: expected a quoted string, got {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(path):
    """Return (header, [Entry]) for a .po file; obsolete (#~) entries are skipped.

    An entry is its comment lines, then msgctxt?, msgid, msgid_plural?, msgstr or msgstr[N]; a
    comment or a msgctxt/msgid after a msgstr starts the next entry."""
    entries = []
    cur = Entry()
    key = None  # what a continuation line extends
    in_msgstr = False

    def start_new_if_done(lineno):
        nonlocal cur, key, in_msgstr
        if in_msgstr:
            entries.append(cur)
            cur, key, in_msgstr = Entry(line=lineno), None, False

    for lineno, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            start_new_if_done(lineno)
            if line.startswith("#,"):
                cur.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            elif line.startswith("#:"):
                cur.locations += line[2:].split()
            key = None
            continue
        m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$", line)
        if m:
            keyword, index, rest = m.group(1), m.group(2), m.group(3)
            if keyword in ("msgctxt", "msgid"):
                start_new_if_done(lineno)
                if not cur.line:
                    cur.line = lineno
            value = _unquote(rest, lineno)
            if index is not None:
                key, in_msgstr = ("plural", int(index)), True
                cur.msgstr_plural[int(index)] = value
            else:
                key = keyword
                in_msgstr = in_msgstr or keyword == "msgstr"
                setattr(cur, keyword, value)
            continue
        if line.startswith('"') and key is not None:
            value = _unquote(line, lineno)
            if isinstance(key, tuple):
                cur.msgstr_plural[key[1]] += value
            else:
                setattr(cur, key, getattr(cur, key) + value)
            continue
        raise ValueError(f"{path}:{lineno}: cannot read {raw!r}")
    if in_msgstr:
        entries.append(cur)
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    return header, [e for e in entries if e is not header]


def tokens(text):
    return sorted(TOKEN.findall(text.replace("%%", "")))


def placeholder_problem(entry):
    """A message when a translation does not keep the msgid's placeholders and tags, else None."""
    wanted = [tokens(entry.msgid)]
    if entry.msgid_plural is not None:
        # With one plural form, msgstr[0] stands for every count: it follows msgid_plural (or the
        # singular when both carry the same placeholders).
        wanted.append(tokens(entry.msgid_plural))
    for text in entry.translations():
        if text and tokens(text) not in wanted:
            return f"placeholders/tags {wanted[-1]} in the source but {tokens(text)} in the translation"
    return None


def problems(path=DEFAULT_PO):
    header, entries = parse_po(path)
    found = []
    if header is None:
        found.append(("header", "the catalogue has no header entry"))
    elif "nplurals=1; plural=0;" not in header.msgstr:
        found.append(("header", "Plural-Forms must be 'nplurals=1; plural=0;' for Chinese"))
    for e in entries:
        label = f"{e.where}: {e.msgid!r}"
        if e.fuzzy:
            found.append((label, "fuzzy"))
        texts = e.translations()
        if not texts or any(not t.strip() for t in texts):
            found.append((label, "untranslated"))
            continue
        if e.msgid_plural is not None and sorted(e.msgstr_plural) != [0]:
            found.append((label, f"expected only msgstr[0], found {sorted(e.msgstr_plural)}"))
        if any(t == e.msgid for t in texts) and e.msgid not in SAME_AS_SOURCE_OK and re.search("[A-Za-z]{2}", e.msgid):
            found.append((label, "left in English"))
        issue = placeholder_problem(e)
        if issue:
            found.append((label, issue))
    return entries, found


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PO
    if not path.exists():
        print(f"{path}: no such file (run makemessages -l zh_Hans first)")
        return 1
    entries, found = problems(path)
    for where, what in found:
        print(f"{where}: {what}")
    if found:
        print(f"{len(found)} problem(s) in {len(entries)} entries of {path}")
        return 1
    print(f"OK: {len(entries)} entries translated in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
