"""Backend-neutral values that cross the search interface: what is indexed (SearchDocument),
what is asked (SearchParams), and what comes back (SearchResults of SearchHit)."""

from dataclasses import dataclass, field
from datetime import date, datetime

SORTS = ("relevance", "newest", "votes")
MAX_PER_PAGE = 50
MAX_PAGE = 200  # deeper pages are not useful to a person and cost every engine


@dataclass
class SearchDocument:
    object_type: str
    object_id: int
    topic_id: int
    post_number: int
    category_id: int
    author_id: int
    author_username: str
    author_name: str
    title: str
    body: str
    url: str
    created_at: datetime
    tag_slugs: list = field(default_factory=list)
    is_visible: bool = True
    featured: bool = False
    votes: int = 0

    @property
    def key(self):
        return f"{self.object_type}:{self.object_id}"

    @property
    def is_topic(self):
        return self.post_number == 1


@dataclass
class Visibility:
    """Who is asking, reduced to what the index needs: the categories they may read (None: all)
    and whether hidden or deleted entries may be shown (moderators who ask for them)."""

    category_ids: frozenset | None
    include_hidden: bool = False
    # the same rule seen from the other side, when known: the categories that may NOT be read,
    # and the highest category id that existed when it was decided. A database can test
    # "category_id <= max AND category_id NOT IN excluded" on every row for free, where a long
    # "IN (readable)" list makes PostgreSQL intersect a bitmap of the whole category index.
    excluded_category_ids: frozenset | None = None
    max_category_id: int | None = None


@dataclass
class SearchParams:
    q: str = ""
    category_id: int | None = None
    tag: str = ""
    author: str = ""  # username
    date_from: date | None = None
    date_to: date | None = None
    featured: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    match_any: bool = False  # broaden: any word instead of all words
    facets: bool = False

    def __post_init__(self):
        if self.sort not in SORTS:
            self.sort = "relevance"
        self.per_page = max(1, min(int(self.per_page or 20), MAX_PER_PAGE))
        self.page = max(1, min(int(self.page or 1), MAX_PAGE))

    @property
    def offset(self):
        return (self.page - 1) * self.per_page

    @property
    def has_filters(self):
        return bool(self.category_id or self.tag or self.author or self.date_from or self.date_to or self.featured)


@dataclass
class SearchHit:
    object_type: str
    object_id: int
    topic_id: int
    post_number: int
    category_id: int
    author_username: str
    author_name: str
    title: str
    url: str
    created_at: datetime
    votes: int
    featured: bool
    title_html: str  # safe: escaped, only <mark> tags
    snippet_html: str  # safe: escaped, only <mark> tags
    score: float = 0.0
    is_visible: bool = True


@dataclass
class SearchResults:
    hits: list
    total: int
    params: SearchParams
    terms: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)  # {"category": [(id, count)], "tag": [(slug, count)], "author": ...}
    spelling: list = field(default_factory=list)  # alternative queries, best first
    substring: bool = False  # found by substring (trigram / LIKE) matching instead of words
    total_capped: bool = False  # there are more than ``total`` matches: counting stopped there

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.params.per_page))

    @property
    def has_next(self):
        return self.params.page < min(self.num_pages, MAX_PAGE)

    @property
    def has_previous(self):
        return self.params.page > 1


@dataclass
class Suggestion:
    topic_id: int
    title: str
    url: str
    title_html: str
