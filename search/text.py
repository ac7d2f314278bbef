"""Text handling shared by every backend: Chinese segmentation (jieba), English stemming,
query cleaning and safe highlighting.

The same functions turn a document into index terms and a query into query terms, so both sides
of the database backend agree token for token:

- documents: ``jieba.cut_for_search`` (gives 如何 发掘 社区 中 的 KOL 用户 and, for long words, their
  sub-words too), each token lower-cased, ASCII words stemmed with the Snowball English stemmer,
  stop words dropped;
- queries: ``jieba.cut`` (precise mode: the longest dictionary words, all of which
  ``cut_for_search`` also emits for the documents), normalised the same way.

Every token keeps only word characters, so no operator of any query language (``& | ! ( ) : * "``,
quotes, SQL) survives into a term: the backends build their queries from these terms only.
"""

import functools
import html
import logging
import os
import re
import tempfile
import threading

from django.conf import settings

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 16
SNIPPET_CHARS = 160

STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 也 都 就 而 之 吗 呢 吧 啊 "
    "a an and are as at be by for from in is it of on or the to with".split()
)

_TOKEN_CHARS = re.compile(r"\w+", re.UNICODE)
_ASCII_WORD = re.compile(r"^[a-z][a-z0-9]*$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_jieba = None
_jieba_lock = threading.Lock()
_stemmer = None


def _tokenizer():
    """jieba, loaded on first use (about 0.8 s the first time, then from its cache file)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                tmp_dir = getattr(settings, "SEARCH_JIEBA_CACHE_DIR", "") or os.path.join(
                    tempfile.gettempdir(), "huoli-jieba"
                )
                os.makedirs(tmp_dir, exist_ok=True)
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = tmp_dir
                jieba.dt.initialize()
                _jieba = jieba
    return _jieba


def warm_up():
    """Load jieba and the stemmer now (before forking workers, or at a process's start)."""
    _tokenizer()
    _stem("warm")


def _stem(word):
    global _stemmer
    if _stemmer is None:
        import snowballstemmer

        _stemmer = snowballstemmer.stemmer("english")
    return _stemmer.stemWord(word)


@functools.lru_cache(maxsize=100_000)
def normalize_token(token):
    """One raw token -> a tuple of index terms (word characters only, lower case, stemmed).
    Cached: a forum's vocabulary repeats, and stemming dominates indexing time otherwise."""
    out = []
    for part in _TOKEN_CHARS.findall(token.lower()):
        part = part.strip("_")
        if not part or part in STOP_WORDS:
            continue
        if _ASCII_WORD.match(part):
            part = _stem(part)
        out.append(part)
    return tuple(out)


def index_terms(text):
    """Terms a document is found by (``cut_for_search``: words and their sub-words)."""
    if not text:
        return []
    terms = []
    for token in _tokenizer().cut_for_search(text):
        terms.extend(normalize_token(token))
    return terms


def clean_query(raw):
    """The query as the user meant it: whitespace collapsed, control characters dropped, cut to
    MAX_QUERY_CHARS. Never raises: forms report the length, backends get a bounded string."""
    raw = "".join(ch if ch.isprintable() else " " for ch in str(raw or ""))
    return " ".join(raw.split())[:MAX_QUERY_CHARS]


def query_words(raw):
    """Distinct words of a query in order (precise ``jieba.cut``), lower case, not stemmed, stop
    words and every non-word character dropped: what an engine that analyses text itself (Elasticsearch)
    is given, joined by spaces. At most MAX_QUERY_TERMS."""
    text = clean_query(raw)
    if not text:
        return []
    words = []
    for token in _tokenizer().cut(text):
        for part in _TOKEN_CHARS.findall(token.lower()):
            part = part.strip("_")
            if part and part not in STOP_WORDS and part not in words:
                words.append(part)
    return words[:MAX_QUERY_TERMS]


def query_terms(raw):
    """The query's index terms (stemmed words), distinct, in order."""
    terms = []
    for word in query_words(raw):
        term = _stem(word) if _ASCII_WORD.match(word) else word
        if term not in terms:
            terms.append(term)
    return terms


def query_chunks(raw):
    """Runs of word characters of the query, for substring (trigram / LIKE) matching of short and
    partial queries: '社', 'postg', 'KOL用户'. Stop words kept: a substring is a substring."""
    text = clean_query(raw)
    chunks = []
    for chunk in _TOKEN_CHARS.findall(text):
        chunk = chunk.strip("_")
        if chunk and chunk.lower() not in {c.lower() for c in chunks}:
            chunks.append(chunk)
    return chunks[:MAX_QUERY_TERMS]


def has_cjk(text):
    return bool(_CJK.search(text or ""))


def is_short_query(raw):
    """One CJK character or fewer than three Latin characters: the full-text index cannot find
    those inside longer words, a substring search can."""
    chunks = query_chunks(raw)
    if len(chunks) != 1:
        return False
    chunk = chunks[0]
    return (has_cjk(chunk) and len(chunk) == 1) or (not has_cjk(chunk) and len(chunk) < 3)


# --- highlighting --------------------------------------------------------------------------------
def _highlight_pattern(terms, chunks=()):
    parts = []
    for term in sorted(set(terms) | {c.lower() for c in chunks}, key=len, reverse=True):
        if not term:
            continue
        if _ASCII_WORD.match(term):
            # a stem matches its inflections: 'run' marks run, running, runs
            parts.append(r"\b" + re.escape(term) + r"\w*")
        else:
            parts.append(re.escape(term))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text, terms, *, chunks=(), length=SNIPPET_CHARS, whole=False):
    """A safe HTML snippet of ``text`` around the first match, every match wrapped in <mark>.

    Everything is escaped; the only markup in the result is our own <mark></mark>."""
    text = " ".join((text or "").split())
    pattern = _highlight_pattern(terms, chunks)
    matches = list(pattern.finditer(text)) if pattern else []
    if whole or len(text) <= length:
        start, end = 0, len(text)
    else:
        first = matches[0].start() if matches else 0
        start = max(0, first - length // 4)
        end = min(len(text), start + length)
        start = max(0, end - length)
    out = ["…" if start > 0 else ""]
    pos = start
    for m in matches:
        if m.start() < pos or m.end() > end:
            continue
        out.append(html.escape(text[pos:m.start()]))
        out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)


_MARK_SPLIT = re.compile(r"(</?mark>)")


def sanitize_highlight(fragment):
    """Make an engine's highlight fragment safe: our <mark> tags stay, every other character is
    (re-)escaped, so markup smuggled into a post can never come back as HTML."""
    out = []
    depth = 0
    for part in _MARK_SPLIT.split(fragment or ""):
        if part == "<mark>":
            if depth == 0:
                out.append(part)
            depth += 1
        elif part == "</mark>":
            if depth == 1:
                out.append(part)
            depth = max(0, depth - 1)
        else:
            out.append(html.escape(html.unescape(part)))
    if depth:
        out.append("</mark>")
    return "".join(out)


def plain_text(html_text):
    """Visible text of sanitised post HTML (tags dropped, entities decoded, spaces collapsed)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html_text or "", flags=re.S | re.I)
    text = re.sub(r"<br\s*/?>|</(p|div|li|h\d|pre|blockquote|tr)>", "\n", text, flags=re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())
