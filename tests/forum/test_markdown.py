"""Markdown rendering and sanitisation of member-written content.

Every XSS vector below goes through forum.markdown.render_markdown (what the site does with a post)
and the raw-HTML ones also straight through forum.markdown.sanitize_html (the nh3 layer alone, so
that the allow-list still holds if raw HTML in Markdown is ever switched on). The checks look at the
PARSED output, the way a browser sees it: attribute values are entity-decoded once by the parser,
then the URL scheme is read as the WHATWG URL parser reads it (tabs/newlines removed, leading and
trailing controls and spaces trimmed, case folded)."""

import re

import pytest
from bs4 import BeautifulSoup

from forum.markdown import count_links_and_images, extract_mentions, render_markdown, sanitize_html

FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "link",
    "meta", "base", "form", "input", "button", "textarea", "select", "template", "noscript", "xmp",
    "isindex", "body", "html", "head", "video", "audio", "source", "marquee",
}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset", "cite",
    "codebase", "dynsrc", "lowsrc", "ping",
}
SAFE_SCHEMES = {"http", "https", "mailto"}
# What the forum means to allow, written out here independently of forum/markdown.py.
EXPECTED_ATTRIBUTES = {
    "a": {"href", "title", "class", "rel"},
    "img": {"src", "alt", "title", "loading"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value):
    """The scheme a browser would use for an (already entity-decoded) attribute value, or None for a
    relative URL."""
    value = re.sub(r"[\t\n\r]", "", value)
    value = value.strip("".join(chr(c) for c in range(0x21)))
    m = SCHEME_RE.match(value)
    return m.group(1).lower() if m else None


def assert_safe(html):
    soup = BeautifulSoup(html, "html.parser")
    for el in soup.find_all(True):
        name = el.name.lower()
        assert name not in FORBIDDEN_ELEMENTS, f"<{name}> survived in {html!r}"
        assert ":" not in name, f"namespaced element <{name}> survived in {html!r}"
        for attr, value in el.attrs.items():
            attr_l = attr.lower()
            assert not attr_l.startswith("on"), f"event handler {attr}= survived on <{name}> in {html!r}"
            assert attr_l in EXPECTED_ATTRIBUTES.get(name, set()), (
                f"unexpected attribute {attr}= on <{name}> in {html!r}"
            )
            if isinstance(value, list):  # bs4 splits multi-valued attributes (class, rel)
                value = " ".join(value)
            if attr_l in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, (
                    f"{attr}={value!r} (scheme {scheme}) survived on <{name}> in {html!r}"
                )
            if attr_l == "style":
                declarations = [d.strip() for d in value.split(";") if d.strip()]
                for d in declarations:
                    assert re.fullmatch(r"text-align\s*:\s*(left|right|center)", d), (
                        f"style {value!r} survived in {html!r}"
                    )
    # And on the raw text: no tag of a forbidden element opens anywhere (escaped text is fine).
    assert not re.search(r"<\s*/?\s*(script|style|iframe|object|embed|svg|math)\b", html, re.I), html
    return soup


# Vectors written in Markdown syntax: links, images, autolinks and reference definitions.
MARKDOWN_VECTORS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a;alert(1))",
    "[x](jAvAsCrIpT&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "[x](\njavascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](javascript://%0Aalert(1))",
    '[x](javascript:alert(1) "title")',
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](JaVaScRiPt:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
    '![x](https://img.example/c.png"onerror="alert(1))',
    '![x](https://img.example/c.png "t\\" onerror=\\"alert(1)")',
    "![x](https://img.example/c.png 'a\" onerror=\"alert(1)')",
    '![x" onerror="alert(1)](https://img.example/c.png)',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "[x](https://ok.example/ 'a\" onclick=\"alert(1)')",
    "[<img src=x onerror=alert(1)>](https://ok.example/)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x][r]\n\n[r]: <&#106;avascript:alert(1)> "t"',
    "[r]\n\n[r]: JAVASCRIPT:alert(1)",
    "![x][r]\n\n[r]: javascript:alert(1)",
    "![x][r]\n\n[r]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "> [x](javascript:alert(1))\n> <iframe src=javascript:alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> [x](javascript:alert(1)) |",
    "- <svg onload=alert(1)>\n- [x](javascript:alert(1))",
    "# <img src=x onerror=alert(1)>",
]

# Vectors written as raw HTML: Markdown escapes them, and nh3 alone must also strip them.
HTML_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)",
    "<<script>alert(1);//<</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    '<img src="x" onerror="alert(1)"',
    "<img src=x oNeRrOr=alert(1)>",
    '<img src="https://ok.example/a.png" ONERROR="alert(1)">',
    "<img src=`javascript:alert(1)`>",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" alt="a" / onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">x</text></a></svg>",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror=alert(1)&gt;\">",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<table><tr><td style=\"background-image:url(javascript:alert(1));text-align:center\">x</td></tr></table>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)\">x</a>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
    "<a href=\" &#14;  javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"https://ok.example/\" onclick=\"alert(1)\">x</a>",
    "<a href=\"https://ok.example/\" target=\"_blank\" rel=\"opener\">x</a>",
    "<div onmouseover=\"alert(1)\">x</div>",
    "<b OnClick=alert(1)>x</b>",
    "<b ONFOCUS=alert(1) tabindex=1>x</b>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<a href=\"javas\x00cript:alert(1)\">x</a>",
    "<p><a href=\"https://ok.example/\"><img src=\"javascript:alert(1)\"></a></p>",
]

EVENT_HANDLERS = ["onerror", "onload", "onclick", "onmouseover", "onfocus", "onanimationstart", "onpointerenter"]


def casings(word):
    return sorted({word.lower(), word.upper(), word.capitalize(), "".join(
        c.upper() if i % 2 else c for i, c in enumerate(word))})


EVENT_VECTORS = [
    f'<img src="https://ok.example/a.png" {variant}="alert(1)">'
    for handler in EVENT_HANDLERS
    for variant in casings(handler)
]


def test_there_are_enough_vectors():
    assert len(MARKDOWN_VECTORS) + len(HTML_VECTORS) >= 40


@pytest.mark.parametrize("source", MARKDOWN_VECTORS + HTML_VECTORS + EVENT_VECTORS)
def test_render_markdown_neutralises_vector(source):
    assert_safe(render_markdown(source))


@pytest.mark.parametrize("source", HTML_VECTORS + EVENT_VECTORS)
def test_sanitizer_alone_strips_raw_html_vector(source):
    assert_safe(sanitize_html(source))


def test_assert_safe_catches_what_it_should():
    """The checker itself fails on the dangerous outputs it is meant to catch."""
    dangerous = [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" &#14; java&#x09;script:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<img src="JAVASCRIPT:alert(1)">',
        '<td style="background:url(x)">x</td>',
        "<svg></svg>",
        '<p class="x">x</p>',
    ]
    for html in dangerous:
        with pytest.raises(AssertionError):
            assert_safe(html)
    assert url_scheme("\x01 JavaScript:alert(1)") == "javascript"
    assert url_scheme("/u/bob/") is None
    assert url_scheme("%6A%61vascript:alert(1)") is None  # a relative path to the browser


def test_raw_html_is_shown_as_text_not_run():
    html = render_markdown("Look: <script>alert(1)</script>")
    soup = assert_safe(html)
    assert soup.get_text() == "Look: <script>alert(1)</script>\n"


def test_javascript_link_stays_visible_as_text():
    soup = assert_safe(render_markdown("[click](javascript:alert(1))"))
    assert soup.find("a") is None
    assert "[click](javascript:alert(1))" in soup.get_text()


def test_dangerous_attribute_parts_are_dropped_but_safe_parts_stay():
    soup = assert_safe(sanitize_html('<a href="https://ok.example/" onclick="alert(1)">ok</a>'))
    a = soup.find("a")
    assert a["href"] == "https://ok.example/"
    assert a.get_text() == "ok"

    soup = assert_safe(sanitize_html('<table><tr><td style="color:red;text-align:center">x</td></tr></table>'))
    assert soup.find("td")["style"].replace(" ", "") == "text-align:center"


def test_image_quote_breakout_stays_inside_the_attribute():
    soup = assert_safe(render_markdown('![x](https://img.example/c.png "t\\" onerror=\\"alert(1)")'))
    img = soup.find("img")
    assert img["src"] == "https://img.example/c.png"
    assert img["title"] == 't" onerror="alert(1)'
    assert set(img.attrs) == {"src", "alt", "title", "loading"}  # loading="lazy": every image has it


# --- ordinary Markdown ------------------------------------------------------------------------


def test_fenced_code_block_keeps_language_and_escapes_content():
    soup = assert_safe(render_markdown("```python\nprint('<b>hi</b>')\n```"))
    code = soup.select_one("pre > code")
    assert code["class"] == ["language-python"]
    assert code.get_text() == "print('<b>hi</b>')\n"
    assert soup.find("b") is None


def test_indented_code_block_and_code_span():
    soup = assert_safe(render_markdown("Run `rm -rf <dir>` now.\n\n    x = 1 < 2\n"))
    spans = soup.find_all("code")
    assert spans[0].get_text() == "rm -rf <dir>"
    assert spans[1].parent.name == "pre"
    assert spans[1].get_text() == "x = 1 < 2\n"


def test_quotes_lists_tables_emphasis():
    soup = assert_safe(render_markdown(
        "> quoted **bold** _em_ ~~gone~~\n\n1. one\n2. two\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n"
    ))
    assert soup.select_one("blockquote strong").get_text() == "bold"
    assert soup.select_one("blockquote em").get_text() == "em"
    assert soup.select_one("blockquote s, blockquote del").get_text() == "gone"
    assert [li.get_text() for li in soup.select("ol > li")] == ["one", "two"]
    assert [td.get_text() for td in soup.select("tbody td")] == ["1", "2"]
    assert soup.select("thead th")[0]["style"].replace(" ", "").rstrip(";") == "text-align:center"


def test_links_get_nofollow_ugc_noopener():
    soup = assert_safe(render_markdown(
        "[site](https://ok.example/path?q=1 \"Title\") <https://auto.example/> [mail](mailto:a@b.example)"
    ))
    links = soup.find_all("a")
    assert [a["href"] for a in links] == [
        "https://ok.example/path?q=1", "https://auto.example/", "mailto:a@b.example",
    ]
    for a in links:
        assert set(a["rel"]) == {"nofollow", "ugc", "noopener"}
    assert links[0]["title"] == "Title"


def test_member_supplied_rel_is_replaced():
    soup = assert_safe(sanitize_html('<a href="https://ok.example/" rel="opener">x</a>'))
    assert set(soup.find("a")["rel"]) == {"nofollow", "ugc", "noopener"}


def test_images_with_https_src_are_kept():
    soup = assert_safe(render_markdown('![a cat](https://img.example/cat.png "Cat")'))
    img = soup.find("img")
    assert img["src"] == "https://img.example/cat.png"
    assert img["alt"] == "a cat"
    assert img["title"] == "Cat"


def test_image_with_data_uri_loses_its_src():
    soup = assert_safe(render_markdown("![x](data:image/png;base64,iVBORw0KGgo=)"))
    img = soup.find("img")
    assert img is None or not img.get("src")


def test_empty_and_none_source():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


# --- mentions ---------------------------------------------------------------------------------


def test_mentions_become_profile_links():
    soup = assert_safe(render_markdown("Hi @alice and @张三丰, see @bob_99."))
    mentions = soup.select("a.mention")
    assert [(a.get_text(), a["href"]) for a in mentions] == [
        ("@alice", "/u/alice/"),
        ("@张三丰", "/u/%E5%BC%A0%E4%B8%89%E4%B8%B0/"),
        ("@bob_99", "/u/bob_99/"),
    ]
    for a in mentions:
        assert set(a["rel"]) == {"nofollow", "ugc", "noopener"}


@pytest.mark.parametrize("source", [
    "`@alice`",
    "```\n@alice\n```",
    "    @alice in an indented block",
    "[@alice](https://ok.example/)",
    "<https://ok.example/@alice>",
    "mail alice@example.com",
    "@al",  # too short to be a username
    "@" + "a" * 31,  # too long: not a mention of the user named by its first 30 characters
])
def test_no_mention_inside_code_links_or_emails(source):
    soup = assert_safe(render_markdown(source))
    assert soup.select("a.mention") == []
    assert extract_mentions(source) == []


def test_extract_mentions_in_order_without_duplicates():
    source = "@carol said to @alice: ask @carol.\n\n```\n@dave\n```\n\n> @张三丰 `@erin`"
    assert extract_mentions(source) == ["carol", "alice", "张三丰"]
    assert extract_mentions("") == []
    assert extract_mentions(None) == []


def test_count_links_and_images():
    source = (
        "[a](https://a.example/) <https://b.example/> ![i](https://img.example/i.png)\n\n"
        "@alice is not a link here\n\n"
        "`[c](https://c.example/)`\n\n"
        "[bad](javascript:alert(1))\n\n"
        "[![j](https://img.example/j.png)](https://d.example/)\n"
    )
    assert count_links_and_images(source) == (3, 2)
    assert count_links_and_images("") == (0, 0)
    assert count_links_and_images("just text") == (0, 0)
