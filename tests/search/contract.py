"""The one contract every search backend passes: the same forum content, the same questions, the
same answers, in Chinese and English. Subclasses provide the ``backend`` fixture (and may
override ``refresh``); see test_database.py and test_elasticsearch.py."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from forum import services as forum
from forum.moderation import registry
from search import services
from search.backends.base import get_backend
from search.documents import SearchParams
from search.models import SearchEntry
from search.visibility import visibility_for
from tests.factories import CategoryFactory, TopicFactory, UserFactory

INJECTIONS = [
    "& | ! ( ) : *",
    "社区 & !KOL",
    "社区 | 运营",
    "!(社区)",
    "社区:*",
    '"社区',
    "title:社区",
    "社区' OR 1=1 --",
    "'; DROP TABLE huoli_search_searchentry; --",
    "1) UNION SELECT password FROM forum_user --",
    "\\' \\\" %_% ; -- /*",
    "NEAR(社区 KOL) AND * OR NOT",
]


class Corpus:
    pass


@pytest.mark.django_db
class SearchBackendContract:
    """Subclass and provide the ``backend`` fixture (a fresh, empty backend made current); the
    base is not collected (its name does not start with Test), so it needs no fixture of its own."""

    def refresh(self, backend):
        """Make writes visible to searches (near-real-time engines)."""

    # --- content ---------------------------------------------------------------------------
    @pytest.fixture
    def corpus(self, backend, moderator):
        c = Corpus()
        c.moderator = moderator
        c.alice = UserFactory(username="alice")
        c.bob = UserFactory(username="bob")
        c.insider = UserFactory(username="insider")
        staff_room = Group.objects.create(name="Staff room")
        c.insider.groups.add(staff_room)
        c.open = CategoryFactory(name="运营", slug="ops")
        c.other = CategoryFactory(name="Tech", slug="tech")
        c.private = CategoryFactory(name="管理", slug="private", read_group=staff_room)

        c.kol = TopicFactory.create(author=c.alice, category=c.open, title="如何发掘社区中的KOL用户",
                                    body="KOL 用户的运营方法，社区增长 growth hacking。", tags=["运营"])
        c.pg = TopicFactory.create(author=c.bob, category=c.other, title="Running PostgreSQL databases in production",
                                   body="Tips for tuning databases: vacuum, indexes and full-text search.",
                                   tags=["postgres"])
        c.event = TopicFactory.create(author=c.alice, category=c.open, title="社区活动策划经验分享",
                                      body="我们在上海举办了线下活动 meetup，效果很好。")
        c.secret = TopicFactory.create(author=c.insider, category=c.private, title="私密版块：社区管理员讨论",
                                       body="内部讨论 secret roadmap 社区")
        c.hidden_topic = TopicFactory.create(author=c.bob, category=c.open, title="被隐藏的社区垃圾话题",
                                             body="hidden spam jackpot 社区")
        registry.run("topic", "hide", actor=moderator, obj=c.hidden_topic)
        c.xss = forum.post_create(actor=c.alice, topic=c.pg,
                                  body="I run databases with `<img src=x onerror=alert(1)>` care & love")
        c.spam = forum.post_create(actor=c.bob, topic=c.kol, body="违规广告 casino 社区 bonus")
        registry.run("post", "hide", actor=moderator, obj=c.spam)
        c.gone = forum.post_create(actor=c.bob, topic=c.event, body="deleted reply about roulette")
        forum.post_delete(actor=c.bob, post=c.gone)
        forum.post_vote(actor=c.bob, post=c.event.posts.get(number=1), value=1)
        forum.post_vote(actor=c.insider, post=c.event.posts.get(number=1), value=1)
        services.rebuild()
        self.refresh(backend)
        return c

    def search(self, user, q="", include_hidden=False, **kwargs):
        return get_backend().search(SearchParams(q=q, **kwargs), visibility_for(user, include_hidden=include_hidden))

    def topics(self, results):
        return {hit.topic_id for hit in results.hits}

    def anon(self):
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()

    # --- words ------------------------------------------------------------------------------
    def test_chinese_word_inside_a_sentence(self, corpus):
        results = self.search(self.anon(), "社区")
        assert {corpus.kol.pk, corpus.event.pk} <= self.topics(results)
        assert results.total == len(results.hits)

    def test_chinese_phrase_is_segmented(self, corpus):
        results = self.search(self.anon(), "发掘社区")
        assert self.topics(results) == {corpus.kol.pk}

    def test_english_is_stemmed(self, corpus):
        assert corpus.pg.pk in self.topics(self.search(self.anon(), "run database"))
        assert corpus.pg.pk in self.topics(self.search(self.anon(), "DATABASE"))

    def test_mixed_chinese_and_latin(self, corpus):
        assert self.topics(self.search(self.anon(), "KOL用户")) == {corpus.kol.pk}
        assert self.topics(self.search(self.anon(), "社区meetup")) == {corpus.event.pk}

    def test_all_words_must_match(self, corpus):
        assert self.search(self.anon(), "社区 PostgreSQL").total == 0
        broader = self.search(self.anon(), "社区 PostgreSQL", match_any=True)
        assert {corpus.kol.pk, corpus.event.pk, corpus.pg.pk} <= self.topics(broader)

    def test_punctuation_is_ignored(self, corpus):
        plain = self.topics(self.search(self.anon(), "KOL 用户"))
        assert plain == {corpus.kol.pk}
        for q in ("KOL，用户？", "「KOL」用户！！！", "KOL... 用户;", "#KOL @用户"):
            assert self.topics(self.search(self.anon(), q)) == plain, q

    def test_short_query_finds_partial_words(self, corpus):
        assert {corpus.kol.pk, corpus.event.pk} <= self.topics(self.search(self.anon(), "社"))
        assert corpus.pg.pk in self.topics(self.search(self.anon(), "Postgre"))

    def test_empty_query_finds_nothing(self, corpus):
        for q in ("", "   ", "\n\t", "！？。", "&|!"):
            results = self.search(self.anon(), q)
            assert results.total == 0 and results.hits == [], repr(q)

    def test_very_long_query(self, corpus):
        results = self.search(self.anon(), "社区" * 5000)
        assert corpus.kol.pk in self.topics(results)
        long_mixed = " ".join(["KOL", "用户"] + [f"word{i}" for i in range(500)])
        assert self.search(self.anon(), long_mixed).total == 0

    @pytest.mark.parametrize("q", INJECTIONS)
    def test_operators_and_sql_are_plain_text(self, corpus, q):
        before = SearchEntry.objects.count()
        results = self.search(self.anon(), q)
        assert SearchEntry.objects.count() == before
        visible = {corpus.kol.pk, corpus.pg.pk, corpus.event.pk}
        assert self.topics(results) <= visible
        # operators never act: '&' is not AND-NOT, '|' is not OR, ':*' is not a prefix
        if q == "社区 & !KOL":
            assert self.topics(results) == {corpus.kol.pk}
        if q == "社区 | 运营":
            assert self.topics(results) == {corpus.kol.pk}

    # --- filters, sort, pages ---------------------------------------------------------------
    def test_category_tag_author_filters(self, corpus):
        assert self.topics(self.search(self.anon(), "社区", category_id=corpus.other.pk)) == set()
        assert self.topics(self.search(self.anon(), "社区", tag="运营")) == {corpus.kol.pk}
        assert self.topics(self.search(self.anon(), "database", tag="postgres")) == {corpus.pg.pk}
        by_alice = self.search(self.anon(), "database", author="alice")
        assert [h.object_id for h in by_alice.hits] == [corpus.xss.pk]

    def test_filters_without_words_list_newest(self, corpus):
        results = self.search(self.anon(), "", author="alice")
        assert results.total == 3  # two opening posts and a reply; nothing hidden
        dates = [h.created_at for h in results.hits]
        assert dates == sorted(dates, reverse=True)

    def test_date_range(self, corpus):
        today = timezone.localdate()
        assert self.search(self.anon(), "社区", date_from=today, date_to=today).total >= 2
        tomorrow = today + datetime.timedelta(days=1)
        assert self.search(self.anon(), "社区", date_from=tomorrow).total == 0
        assert self.search(self.anon(), "社区", date_to=today - datetime.timedelta(days=1)).total == 0

    def test_featured_only(self, corpus, backend):
        assert self.search(self.anon(), "社区", featured=True).total == 0
        from search.indexes import posts

        doc = posts.document(corpus.event.posts.get(number=1))
        doc.featured = True
        backend.index([doc])
        self.refresh(backend)
        assert self.topics(self.search(self.anon(), "社区", featured=True)) == {corpus.event.pk}

    def test_sort_by_votes_and_newest(self, corpus):
        by_votes = self.search(self.anon(), "社区", sort="votes")
        assert by_votes.hits[0].topic_id == corpus.event.pk and by_votes.hits[0].votes == 2
        newest = self.search(self.anon(), "社区", sort="newest")
        dates = [h.created_at for h in newest.hits]
        assert dates == sorted(dates, reverse=True)

    def test_pagination(self, corpus):
        everything = self.search(self.anon(), "社区", sort="newest")
        assert everything.total >= 2
        first = self.search(self.anon(), "社区", sort="newest", per_page=1, page=1)
        second = self.search(self.anon(), "社区", sort="newest", per_page=1, page=2)
        assert first.total == second.total == everything.total
        assert len(first.hits) == len(second.hits) == 1
        assert [first.hits[0].object_id, second.hits[0].object_id] == [h.object_id for h in everything.hits[:2]]
        assert first.has_next and not first.has_previous and second.has_previous
        beyond = self.search(self.anon(), "社区", per_page=1, page=50)
        assert beyond.hits == [] and beyond.total == everything.total

    def test_facets(self, corpus):
        results = self.search(self.anon(), "社区", facets=True)
        assert dict(results.facets["category"]) == {corpus.open.pk: 2}
        assert dict(results.facets["author"]) == {"alice": 2}
        assert dict(results.facets["tag"]) == {"运营": 1}

    # --- highlights -------------------------------------------------------------------------
    def test_highlight_marks_the_words(self, corpus):
        hit = next(h for h in self.search(self.anon(), "社区").hits if h.topic_id == corpus.kol.pk)
        assert "<mark>社区</mark>" in hit.title_html
        assert "<mark>社区</mark>" in hit.snippet_html

    def test_highlight_is_escaped(self, corpus):
        results = self.search(self.anon(), "love databases")
        hit = next(h for h in results.hits if h.object_id == corpus.xss.pk)
        assert "<img" not in hit.snippet_html and "&lt;img" in hit.snippet_html
        assert "&amp;" in hit.snippet_html
        assert hit.snippet_html.replace("<mark>", "").replace("</mark>", "").count("<") == 0

    # --- visibility -------------------------------------------------------------------------
    def test_private_category_only_for_its_readers(self, corpus):
        assert self.search(self.anon(), "secret roadmap").total == 0
        assert self.search(corpus.alice, "secret roadmap").total == 0
        assert self.topics(self.search(corpus.insider, "secret roadmap")) == {corpus.secret.pk}
        everything = self.search(self.anon(), "社区")
        assert corpus.secret.pk not in self.topics(everything)
        assert all("私密" not in h.title_html + h.snippet_html for h in everything.hits)

    def test_hidden_and_deleted_never_shown_to_members(self, corpus):
        for user in (self.anon(), corpus.alice, corpus.bob):
            assert self.search(user, "casino").total == 0
            assert self.search(user, "jackpot").total == 0
            assert self.search(user, "roulette").total == 0
            # even when they ask: only moderators may include hidden content
            assert self.search(user, "casino", include_hidden=True).total == 0
        texts = " ".join(h.title_html + h.snippet_html for h in self.search(corpus.alice, "社区").hits)
        assert "casino" not in texts and "垃圾" not in texts

    def test_moderators_find_hidden_content_when_they_ask(self, corpus):
        assert self.search(corpus.moderator, "casino").total == 0
        found = self.search(corpus.moderator, "casino", include_hidden=True)
        assert [h.object_id for h in found.hits] == [corpus.spam.pk]
        assert found.hits[0].is_visible is False

    # --- suggestions ------------------------------------------------------------------------
    def suggest(self, user, q):
        return get_backend().suggest(q, visibility_for(user))

    def test_suggest_titles_as_you_type(self, corpus):
        assert {s.topic_id for s in self.suggest(self.anon(), "社区")} == {corpus.kol.pk, corpus.event.pk}
        assert [s.topic_id for s in self.suggest(self.anon(), "running postg")] == [corpus.pg.pk]
        assert [s.title for s in self.suggest(self.anon(), "社区活动")] == ["社区活动策划经验分享"]
        hit = next(s for s in self.suggest(self.anon(), "社区") if s.topic_id == corpus.kol.pk)
        assert "<mark>" in hit.title_html and hit.url == corpus.kol.get_absolute_url()

    def test_suggest_respects_visibility(self, corpus):
        for q in ("私密", "垃圾", "社区"):
            ids = {s.topic_id for s in self.suggest(self.anon(), q)}
            assert corpus.secret.pk not in ids and corpus.hidden_topic.pk not in ids, q
        assert {s.topic_id for s in self.suggest(corpus.insider, "私密")} == {corpus.secret.pk}

    def test_suggest_empty_and_injection(self, corpus):
        assert self.suggest(self.anon(), "") == []
        assert self.suggest(self.anon(), " !?* ") == []
        for q in INJECTIONS:
            ids = {s.topic_id for s in self.suggest(self.anon(), q)}
            assert ids <= {corpus.kol.pk, corpus.pg.pk, corpus.event.pk}, q

    # --- writes ----------------------------------------------------------------------------
    def test_index_replaces_and_delete_removes(self, corpus, backend):
        from search.indexes import posts

        post = corpus.pg.posts.get(number=1)
        doc = posts.document(post)
        doc.body = "completely new words: kubernetes 容器编排"
        backend.index([doc])
        self.refresh(backend)
        assert self.topics(self.search(self.anon(), "容器编排")) == {corpus.pg.pk}
        assert self.search(self.anon(), "vacuum").total == 0
        backend.delete("post", [post.pk, 987654321])
        self.refresh(backend)
        assert self.search(self.anon(), "容器编排").total == 0
