from search import text


def test_segmentation_for_index_and_query():
    assert text.index_terms("如何发掘社区中的KOL用户") == ["如何", "发掘", "社区", "中", "kol", "用户"]
    assert "中华人民共和国" in text.index_terms("中华人民共和国成立") and "人民" in text.index_terms("中华人民共和国成立")
    assert text.query_terms("中华人民共和国") == ["中华人民共和国"]
    assert text.query_terms("Running DATABASES, C++ & PostgreSQL's FTS!") == ["run", "databas", "c", "postgresql", "s", "fts"]


def test_operators_never_survive_into_terms():
    for q in ["& | ! ( ) : *", "'; DROP TABLE x; --", '"a" OR b:*', "社区\\'"]:
        for term in text.query_terms(q):
            assert term.isalnum(), term


def test_clean_query_bounds_and_strips_control_characters():
    assert text.clean_query("  a\x00b\n\tc  ") == "a b c"
    assert len(text.clean_query("社" * 1000)) == text.MAX_QUERY_CHARS
    assert len(text.query_terms(" ".join(f"w{i}" for i in range(100)))) == text.MAX_QUERY_TERMS


def test_short_queries():
    assert text.is_short_query("社") and text.is_short_query("po")
    assert not text.is_short_query("社区") and not text.is_short_query("post") and not text.is_short_query("a b")


def test_highlight_escapes_everything_but_marks():
    html = text.highlight('<b>Running</b> & "runs" 社区', text.query_terms("run 社区"), whole=True)
    assert html == '&lt;b&gt;<mark>Running</mark>&lt;/b&gt; &amp; &quot;<mark>runs</mark>&quot; <mark>社区</mark>'


def test_highlight_snippet_is_around_the_match():
    body = "前言" * 200 + "关键的社区段落" + "后记" * 200
    snippet = text.highlight(body, ["社区"], length=40)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>社区</mark>" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 42


def test_plain_text_of_post_html():
    assert text.plain_text("<p>Hello <code>&lt;img&gt;</code></p><script>x()</script><p>世界</p>") == "Hello <img> 世界"
