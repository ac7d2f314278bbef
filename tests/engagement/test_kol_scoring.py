"""KOL scoring on a synthetic community with planted ground truth: KOLs whom many distinct members
engage with, a vote ring of old accounts that vote and reply only among themselves, and a swarm of
brand-new accounts that all upvote one ordinary member."""

import datetime
import random
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone, translation

from engagement.kol import scoring, services
from engagement.kol.models import KolRun, KolScore
from engagement.kol.selectors import score_reasons
from forum.models import Category, Post, PostVote, Topic, User


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English text: pages and messages in English whatever the default language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

DAY = datetime.date(2026, 3, 20)


def at(days_ago, hour=12):
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(DAY, datetime.time(hour), tzinfo=tz) - datetime.timedelta(days=days_ago)


@dataclass
class Community:
    kols: list = field(default_factory=list)
    ring: list = field(default_factory=list)
    swarm: list = field(default_factory=list)
    swarm_target: object = None
    moderators: list = field(default_factory=list)
    normal: list = field(default_factory=list)
    category: object = None


class Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.users = []
        self.topics = []
        self.posts = []  # (topic index, author, days_ago, reply_to index or None)
        self.votes = {}  # (voter, post index) -> (value, days_ago)

    def member(self, name, joined_days_ago):
        user = User(username=name, email=f"{name}@example.com", password="!",
                    date_joined=at(joined_days_ago, 9))
        self.users.append(user)
        return user

    def topic(self, author, days_ago):
        self.topics.append((author, days_ago))
        t = len(self.topics) - 1
        self.posts.append((t, author, days_ago, None))
        return len(self.posts) - 1

    def reply(self, post_index, author, days_ago):
        t = self.posts[post_index][0]
        self.posts.append((t, author, days_ago, post_index))
        return len(self.posts) - 1

    def vote(self, voter, post_index, days_ago, value=1):
        if self.posts[post_index][1] is not voter:
            self.votes[(voter.username, post_index)] = (voter, value, days_ago)

    def save(self, category):
        User.objects.bulk_create(self.users)
        by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in self.users])}
        topics = Topic.objects.bulk_create([
            Topic(category=category, title=f"topic {i}", author=by_name[a.username], created_at=at(d),
                  last_activity_at=at(d)) for i, (a, d) in enumerate(self.topics)])
        numbers = {}
        rows = []
        for t, author, d, _reply in self.posts:
            numbers[t] = numbers.get(t, 0) + 1
            rows.append(Post(topic=topics[t], number=numbers[t], author=by_name[author.username], source="text",
                             html="<p>text</p>", created_at=at(d)))
        posts = Post.objects.bulk_create(rows)
        replies = []
        for i, (_t, _a, _d, reply) in enumerate(self.posts):
            if reply is not None:
                posts[i].reply_to = posts[reply]
                replies.append(posts[i])
        Post.objects.bulk_update(replies, ["reply_to"])
        PostVote.objects.bulk_create([
            PostVote(post=posts[p], user=by_name[voter.username], value=value, created_at=at(d))
            for (_name, p), (voter, value, d) in self.votes.items()])
        return by_name


def build_community(*, with_moderators=True, seed=7):
    b = Builder(seed)
    rng = b.rng
    c = Community()
    mods = [b.member(f"mod{i}", 800) for i in range(3)] if with_moderators else []
    normal = [b.member(f"user{i}", rng.randint(45, 700)) for i in range(220)]
    kols = [b.member(f"kol{i}", rng.randint(120, 900)) for i in range(5)]
    ring = [b.member(f"ring{i}", 300) for i in range(15)]
    swarm = [b.member(f"fresh{i}", 2) for i in range(80)]
    target = normal[0]

    posts_by = {}
    for author in normal:
        for _ in range(rng.randint(1, 4)):
            posts_by.setdefault(author.username, []).append(b.topic(author, rng.randint(1, 28)))
    for kol in kols:
        for _ in range(6):
            posts_by.setdefault(kol.username, []).append(b.topic(kol, rng.randint(1, 28)))
    for member in ring:
        for _ in range(8):
            posts_by.setdefault(member.username, []).append(b.topic(member, rng.randint(1, 28)))
    everyday = [p for name, ps in posts_by.items() if not name.startswith("ring") for p in ps]

    # ordinary life: everyone votes on a few random posts and replies now and then
    for member in normal:
        for p in rng.sample(everyday, 8):
            b.vote(member, p, rng.randint(0, 27))
        for p in rng.sample(everyday, 2):
            b.reply(p, member, rng.randint(0, 27))
    for mod in mods:
        for p in rng.sample(everyday, 40):
            b.vote(mod, p, rng.randint(0, 27))
        for p in rng.sample(everyday, 6):
            b.reply(p, mod, rng.randint(0, 27))
    # planted KOLs: many distinct members upvote and reply
    for kol in kols:
        audience = rng.sample(normal[1:], rng.randint(45, 70))
        for member in audience:
            for p in rng.sample(posts_by[kol.username], rng.randint(1, 2)):
                b.vote(member, p, rng.randint(0, 27))
        for member in audience[: rng.randint(18, 28)]:
            b.reply(rng.choice(posts_by[kol.username]), member, rng.randint(0, 27))
    # the ring: every member upvotes every post of every other member, replies to each other
    for voter in ring:
        for other in ring:
            if other is not voter:
                for p in posts_by[other.username]:
                    b.vote(voter, p, rng.randint(0, 27))
                for p in rng.sample(posts_by[other.username], 3):
                    b.reply(p, voter, rng.randint(0, 27))
    # the swarm: 80 accounts made two days ago upvote every post of one ordinary member and reply
    for fresh in swarm:
        for p in posts_by[target.username]:
            b.vote(fresh, p, rng.randint(0, 1))
        b.reply(posts_by[target.username][0], fresh, rng.randint(0, 1))

    c.category = Category.objects.create(name="General", slug="general")
    by_name = b.save(c.category)
    if with_moderators:
        group = Group.objects.get(name="Moderators")
        for m in mods:
            by_name[m.username].groups.add(group)
    c.moderators = [by_name[m.username] for m in mods]
    c.kols = [by_name[k.username] for k in kols]
    c.ring = [by_name[r.username] for r in ring]
    c.swarm = [by_name[s.username] for s in swarm]
    c.swarm_target = by_name[target.username]
    c.normal = [by_name[n.username] for n in normal]
    return c


@pytest.fixture
def community(db):
    return build_community()


def ranks(run):
    return {s.member_id: s.rank for s in KolScore.objects.filter(run=run)}


@pytest.mark.django_db
def test_planted_kols_rank_top_ten_and_ring_and_swarm_stay_out_of_top_twenty(community):
    run = services.kol_scores_compute(day=DAY)
    assert run.status == KolRun.Status.DONE and run.seed_mode == "seeded"
    r = ranks(run)
    for kol in community.kols:
        assert r.get(kol.pk, 10**6) <= 10, (kol.username, r.get(kol.pk))
    top20 = {m for m, rank in r.items() if rank <= 20}
    assert not top20 & {m.pk for m in community.ring}
    assert community.swarm_target.pk not in top20
    assert not top20 & {m.pk for m in community.swarm}


@pytest.mark.django_db
def test_without_trusted_seeds_the_ring_and_swarm_still_stay_out_of_top_twenty(db):
    community = build_community(with_moderators=False, seed=11)
    run = services.kol_scores_compute(day=DAY)
    assert run.seed_mode == "fallback"
    r = ranks(run)
    for kol in community.kols:
        assert r.get(kol.pk, 10**6) <= 10
    top20 = {m for m, rank in r.items() if rank <= 20}
    assert not top20 & {m.pk for m in community.ring}
    assert community.swarm_target.pk not in top20


@pytest.mark.django_db
def test_swarm_of_new_accounts_adds_nothing_to_the_votes_signal(community):
    start, end = services._window(DAY, 30)
    result = scoring.compute(start=start, end=end)
    i = int(np.searchsorted(result.member_ids, community.swarm_target.pk))
    assert result.raw["distinct_voters"][i] >= 80  # the swarm's votes are counted as distinct voters...
    fresh = np.searchsorted(result.member_ids, [m.pk for m in community.swarm])
    assert (result.raw["standing"][fresh] == 0).all()  # ...but their standing is zero
    kol = int(np.searchsorted(result.member_ids, community.kols[0].pk))
    assert result.raw["voters"][kol] > 3 * result.raw["voters"][i]


def test_diminishing_returns_per_voter():
    got = scoring.diminishing(np.array([0, 1, 2, 3, 50]))
    assert got.tolist()[:4] == [0.0, 1.0, 1.5, 1.75]
    assert got[-1] < 2.0


def test_trust_rank_gives_a_closed_ring_nothing_when_seeds_are_elsewhere():
    # 0 (seed) -> 1 -> 2 ; ring 3 <-> 4 <-> 5
    src = np.array([0, 1, 3, 4, 5, 4])
    dst = np.array([1, 2, 4, 5, 3, 3])
    seeds = np.array([1.0, 0, 0, 0, 0, 0])
    r = scoring.trust_rank(src, dst, np.ones(6), 6, seeds, damping=0.85, iterations=100, tolerance=1e-12)
    assert r[3:].sum() == 0
    assert r[1] > 0 and r[2] > 0
    assert abs(r.sum() - 1.0) < 1e-9


@pytest.mark.django_db
def test_snapshot_has_change_since_last_run_and_reasons_in_words(community):
    first = services.kol_scores_compute(day=DAY - datetime.timedelta(days=1))
    second = services.kol_scores_compute(day=DAY)
    kol = community.kols[0]
    before = KolScore.objects.get(run=first, member=kol)
    now = KolScore.objects.get(run=second, member=kol)
    assert now.previous_rank == before.rank and now.previous_score == before.score
    assert now.change == round(now.score - before.score, 1)
    words = score_reasons(now)
    assert any(f"{now.signals['distinct_voters']} distinct members upvoted" in w for w in words)
    assert len(words) >= 2


@pytest.mark.django_db
def test_rerun_on_the_same_day_replaces_the_snapshot(community):
    first = services.kol_scores_compute(day=DAY)
    rows = list(KolScore.objects.filter(run=first).order_by("rank").values_list("member_id", "rank", "score"))
    again = services.kol_scores_compute(day=DAY)
    assert again.pk == first.pk
    assert KolRun.objects.count() == 1
    assert list(KolScore.objects.filter(run=again).order_by("rank").values_list("member_id", "rank", "score")) == rows


@pytest.mark.django_db
def test_category_filter_scores_only_that_category(community):
    other = Category.objects.create(name="Other", slug="other")
    run = services.kol_scores_compute(day=DAY, category=other)
    assert run.category == other and KolScore.objects.filter(run=run).count() == 0
    run = services.kol_scores_compute(day=DAY, category=community.category)
    assert KolScore.objects.filter(run=run).count() > 0


@pytest.mark.django_db
def test_command_prints_progress_and_the_top(community, capsys):
    call_command("kol_compute", "--day", DAY.isoformat(), "--window", "30")
    out, err = capsys.readouterr()
    assert "10/10 done" in err and "top:" in out
    assert any(k.username in out for k in community.kols)


@pytest.mark.django_db
def test_command_refuses_a_bad_window(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 to 365"):
        call_command("kol_compute", "--window", "0", "--no-progress")
    assert KolRun.objects.count() == 0
