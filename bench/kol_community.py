"""Generated forum communities with planted ground truth, for testing KOL scoring against adversaries.

A community is a `Shape` (every adversary has its parameters) turned into members, topics, posts and
votes spread over 90 days by `generate(shape, seed)`. The result can be scored directly
(`community.columns(window_days)` gives engagement.kol.scoring.Columns, no database) or loaded through
the forum's models (`community.load()`, then engagement.kol.services.kol_scores_compute). `evaluate()`
gives precision at 10 and 20 for the genuine KOLs and the best rank of each adversary group.

Who is in a community:
- ordinary members, who post topics, reply and vote on random content now and then;
- genuine KOLs: they write regularly and an audience of ordinary members votes for and replies to
  them (audiences of neighbouring KOLs share `kol_overlap` of their members); KOLs answer some replies;
- rings (`Ring`): old accounts that vote for each other's posts with probability `density` and reply
  to each other; with `decent` their content also draws ordinary members' votes like anyone's, and
  each member casts `outward` votes on other members' posts (most on genuine KOLs, to look normal);
- sybil swarms (`Swarm`): accounts of a given age that vote for every post of one ordinary member
  (the beneficiary), post `posts` topics of their own, and cast `camouflage` votes elsewhere;
- spammers: many topics and replies, few votes, some downvotes;
- staff / moderators and a bot: very active and popular; they must never be candidates.

The tests (tests/engagement/test_kol_family.py) run a small family of shapes; bench/kol_family.py
runs the large one and prints the table.
"""

import datetime
from dataclasses import dataclass, field

import numpy as np

DAY = 86400
SPAN_DAYS = 90
END = datetime.datetime(2026, 3, 21, tzinfo=datetime.UTC)


@dataclass
class Ring:
    size: int = 150
    density: float = 0.8  # the probability that a member votes for a given post of another member
    topics: int = 8  # topics per member over the 90 days
    reply: float = 0.15  # the probability that a member replies to a given topic of another member
    decent: bool = False  # ordinary members vote on ring content as on anyone's
    outward: int = 0  # votes each member casts outside the ring (70 % of them on genuine KOLs)


@dataclass
class Swarm:
    size: int = 400
    age_days: int = 3  # account age at the end of the window
    posts: int = 0  # topics each sybil posts (aged sybils that post to look like members)
    camouflage: int = 0  # votes each sybil casts on random posts
    vote: float = 1.0  # the probability of voting for a given post of the beneficiary


@dataclass
class Shape:
    name: str = "base"
    members: int = 3000
    kols: int = 10
    kol_topics: int = 20  # per KOL over 90 days
    audience: tuple = (60, 140)  # fans per KOL
    fan_vote: float = 0.35  # the probability that a fan votes for a given post of their KOL
    fan_reply: float = 0.06
    kol_overlap: float = 0.0  # the share of a KOL's fans that are also the next KOL's fans
    topic_rate: float = 2.0  # topics per ordinary member over 90 days (Poisson)
    reply_rate: float = 6.0
    vote_rate: float = 25.0
    rings: list = field(default_factory=list)
    swarms: list = field(default_factory=list)
    spammers: int = 1
    moderators: int = 3


@dataclass
class Community:
    shape: Shape
    joined: np.ndarray  # epoch seconds, per member (member id = index + 1)
    excluded: np.ndarray  # staff, moderators, bots
    seeds: np.ndarray  # member ids of the moderators (seeds of the trusted configuration)
    t_author: np.ndarray
    t_time: np.ndarray
    p_author: np.ndarray
    p_topic: np.ndarray
    p_time: np.ndarray
    p_reply_to: np.ndarray  # post index or -1
    p_number: np.ndarray
    v_voter: np.ndarray
    v_post: np.ndarray
    v_value: np.ndarray
    v_time: np.ndarray
    groups: dict  # "kol", "ring0", "ring1", ..., "swarm0", "beneficiary0", ..., "spam", "staff" -> member ids

    @property
    def n(self):
        return len(self.joined)

    def columns(self, window_days, *, seeded=True, context_days=90):
        """engagement.kol.scoring.Columns of the window of `window_days` days that ends at END (with the
        rows of the `context_days` before it as context, as engagement.kol.scoring.compute reads them)."""
        from engagement.kol.scoring import Columns

        end = END.timestamp()
        window_start = end - window_days * DAY
        start = min(window_start, end - context_days * DAY)  # the context the structure is read over
        ids = np.arange(1, self.n + 1, dtype=np.int64)
        v = (self.v_time >= start) & (self.v_time < end)
        p = (self.p_time >= start) & (self.p_time < end)
        topic_author = self.t_author[self.p_topic]
        target = np.where(self.p_reply_to >= 0, self.p_author[np.maximum(self.p_reply_to, 0)], topic_author)
        return Columns(member_ids=ids, joined=self.joined.astype(np.int64), active=np.ones(self.n, dtype=bool),
                       excluded=self.excluded, vote_voter=self.v_voter[v], vote_author=self.p_author[self.v_post[v]],
                       vote_value=self.v_value[v], vote_time=self.v_time[v].astype(np.int64),
                       post_author=self.p_author[p], post_target=target[p], post_topic_author=topic_author[p],
                       post_time=self.p_time[p].astype(np.int64), post_reply=(self.p_number[p] > 1).astype(np.int64),
                       featured_ids=np.zeros(0, dtype=np.int64), featured_counts=np.zeros(0, dtype=np.int64),
                       seed_ids=self.seeds if seeded else np.zeros(0, dtype=np.int64), end=end,
                       start=window_start)

    def load(self, *, seeded=True):
        """Write the community through the forum's models (bulk); returns {member index + 1: User}."""
        from django.contrib.auth.models import Group

        from forum.models import Category, Post, PostVote, Topic, User
        from forum.permissions import MODERATORS

        def when(ts):
            return datetime.datetime.fromtimestamp(float(ts), tz=datetime.UTC)

        names = {}
        for group, members in self.groups.items():
            for m in members:
                names.setdefault(int(m), group)
        users = User.objects.bulk_create([
            User(username=f"{names.get(i + 1, 'm')}_{i + 1}"[:30], email=f"g{i + 1}@example.invalid", password="!",
                 date_joined=when(self.joined[i])) for i in range(self.n)], batch_size=2000)
        by_id = dict(enumerate(users, start=1))
        category = Category.objects.create(name="Generated", slug="generated")
        topics = Topic.objects.bulk_create([
            Topic(category=category, title=f"topic {i}", author=by_id[int(a)], created_at=when(t),
                  last_activity_at=when(t)) for i, (a, t) in enumerate(zip(self.t_author, self.t_time, strict=True))],
            batch_size=2000)
        posts = Post.objects.bulk_create([
            Post(topic=topics[int(t)], number=int(num), author=by_id[int(a)], source="text", html="<p>text</p>",
                 created_at=when(ts))
            for a, t, ts, num in zip(self.p_author, self.p_topic, self.p_time, self.p_number, strict=True)], batch_size=2000)
        replies = []
        for i in np.flatnonzero(self.p_reply_to >= 0).tolist():
            posts[i].reply_to = posts[int(self.p_reply_to[i])]
            replies.append(posts[i])
        Post.objects.bulk_update(replies, ["reply_to"], batch_size=2000)
        PostVote.objects.bulk_create([
            PostVote(post=posts[int(p)], user=by_id[int(u)], value=int(val), created_at=when(ts))
            for u, p, val, ts in zip(self.v_voter, self.v_post, self.v_value, self.v_time, strict=True)], batch_size=5000)
        staff = self.groups.get("staff", [])
        if seeded and len(staff):
            group, _created = Group.objects.get_or_create(name=MODERATORS)
            group.user_set.add(*[by_id[int(m)] for m in staff])
        bots = self.groups.get("bot", [])
        if len(bots):
            group, _created = Group.objects.get_or_create(name="Bots")
            group.user_set.add(*[by_id[int(m)] for m in bots])
        return by_id


def adversary_groups(community):
    return {k: v for k, v in community.groups.items()
            if k.startswith(("ring", "swarm", "beneficiary", "spam"))}


def evaluate(community, member_ids, score, candidate):
    """Precision at 10 and 20 of the genuine KOLs among the candidates ranked by score, the best rank of
    each adversary group (None: not ranked), and whether a staff member or bot was a candidate."""
    idx = np.flatnonzero(candidate)
    order = idx[np.lexsort((member_ids[idx], -score[idx]))]
    ranked = member_ids[order]
    rank_of = {int(m): r + 1 for r, m in enumerate(ranked.tolist())}
    kols = set(community.groups["kol"].tolist())
    top10, top20 = set(ranked[:10].tolist()), set(ranked[:20].tolist())
    best = {}
    for name, members in adversary_groups(community).items():
        ranks = [rank_of[int(m)] for m in members if int(m) in rank_of]
        best[name] = min(ranks) if ranks else None
    excluded = set(community.groups.get("staff", []).tolist()) | set(community.groups.get("bot", []).tolist())
    return {"p10": len(top10 & kols) / 10, "p20": len(top20 & kols) / min(20, max(len(kols), 1)),
            "kols_top10": len(top10 & kols), "best": best, "staff_candidates": len(set(ranked.tolist()) & excluded),
            "adversaries_top20": sum(1 for r in best.values() if r is not None and r <= 20)}


def generate(shape, seed):
    """The community of `shape` drawn with `seed` (deterministic)."""
    rng = np.random.default_rng(seed)
    end = END.timestamp()
    span = SPAN_DAYS * DAY
    ids = iter(range(1, 10**9))
    groups = {}
    joined = []

    def members(group, count, age_lo, age_hi):
        got = np.array([next(ids) for _ in range(count)], dtype=np.int64)
        groups[group] = got
        joined.extend((end - rng.uniform(age_lo, age_hi, count) * DAY).tolist())
        return got

    ordinary = members("ordinary", shape.members, 60, 900)
    kols = members("kol", shape.kols, 120, 900)
    staff = members("staff", shape.moderators, 700, 900)
    bot = members("bot", 1, 400, 400)
    rings = [members(f"ring{i}", r.size, 100, 400) for i, r in enumerate(shape.rings)]
    swarms = [members(f"swarm{i}", s.size, s.age_days, s.age_days + 0.5) for i, s in enumerate(shape.swarms)]
    spam = members("spam", shape.spammers, 20, 40)
    beneficiaries = rng.choice(ordinary, size=len(shape.swarms), replace=False)
    for i, b in enumerate(beneficiaries):
        groups[f"beneficiary{i}"] = np.array([b])
    join = np.array(joined)

    t_author, t_time = [], []

    def topics(authors, per_member, poisson=False):
        counts = rng.poisson(per_member, len(authors)) if poisson else np.full(len(authors), int(per_member))
        a = np.repeat(authors, counts)
        lo = np.maximum(join[a - 1], end - span)
        t_author.append(a)
        t_time.append(rng.uniform(lo, end))

    topics(ordinary, shape.topic_rate, poisson=True)
    topics(kols, shape.kol_topics)
    topics(staff, 15)
    topics(bot, 30)
    for r, m in zip(shape.rings, rings, strict=True):
        topics(m, r.topics)
    for s, m in zip(shape.swarms, swarms, strict=True):
        if s.posts:
            topics(m, s.posts)
    topics(spam, 120)
    t_author, t_time = np.concatenate(t_author), np.concatenate(t_time)
    n_topics = len(t_author)
    # opening posts first: post i < n_topics opens topic i
    p_author, p_topic, p_time, p_reply = [t_author], [np.arange(n_topics)], [t_time], [np.full(n_topics, -1)]

    def later(base, mean_days=1.5):
        return base + rng.exponential(mean_days * DAY, len(base))

    def replies(authors, topic_idx):
        """Replies to the opening posts of `topic_idx` (answers to replies are added further down)."""
        if len(authors) == 0:
            return
        p_author.append(np.asarray(authors))
        p_topic.append(np.asarray(topic_idx))
        p_time.append(later(t_time[topic_idx]))
        p_reply.append(np.full(len(authors), -1))

    by_author = {}
    for i, a in enumerate(t_author.tolist()):
        by_author.setdefault(a, []).append(i)
    spam_set = set(spam.tolist())
    normal_topics = np.array([i for i, a in enumerate(t_author.tolist()) if a not in spam_set])
    # ordinary replies to random topics; fans reply to their KOL; the ring replies to itself; spam everywhere
    counts = rng.poisson(shape.reply_rate, len(ordinary))
    replies(np.repeat(ordinary, counts), rng.choice(normal_topics, counts.sum()))
    audiences = []
    previous = None
    for k in kols:
        size = int(rng.integers(*shape.audience))
        if previous is not None and shape.kol_overlap > 0:
            shared = rng.choice(previous, int(shape.kol_overlap * min(size, len(previous))), replace=False)
            rest = rng.choice(np.setdiff1d(ordinary, shared), size - len(shared), replace=False)
            fans = np.concatenate([shared, rest])
        else:
            fans = rng.choice(ordinary, size, replace=False)
        audiences.append(fans)
        previous = fans
        kt = np.array(by_author[int(k)])
        hit = rng.random((len(fans), len(kt))) < shape.fan_reply
        f, t = np.nonzero(hit)
        replies(fans[f], kt[t])
    for r, m in zip(shape.rings, rings, strict=True):
        rt = np.concatenate([by_author[int(a)] for a in m])
        hit = rng.random((len(m), len(rt))) < r.reply
        f, t = np.nonzero(hit)
        keep = t_author[rt[t]] != m[f]
        replies(m[f][keep], rt[t][keep])
    for m, b in zip(swarms, beneficiaries, strict=True):
        bt = np.array(by_author.get(int(b), []), dtype=np.int64)
        if len(bt):
            replies(m, rng.choice(bt, len(m)))
    replies(np.repeat(spam, 200), rng.choice(normal_topics, 200 * len(spam)))
    p_author, p_topic = np.concatenate(p_author), np.concatenate(p_topic)
    p_time, p_reply = np.concatenate(p_time), np.concatenate(p_reply)
    # KOLs answer a third of the replies in their topics (a conversation: reciprocal replies)
    kol_set = np.isin(t_author[p_topic], kols) & (np.arange(len(p_author)) >= n_topics) & ~np.isin(p_author, kols)
    answered = np.flatnonzero(kol_set & (rng.random(len(p_author)) < 0.33))
    p_author = np.concatenate([p_author, t_author[p_topic[answered]]])
    p_topic = np.concatenate([p_topic, p_topic[answered]])
    p_time = np.concatenate([p_time, later(p_time[answered], 0.3)])
    p_reply = np.concatenate([p_reply, answered])
    keep = p_time < end
    keep[:n_topics] = True
    # post numbers within topics, in time order (opening posts first)
    order = np.lexsort((p_time, np.arange(len(p_author)) >= n_topics, p_topic))
    number = np.empty(len(order), dtype=np.int64)
    topic_sorted = p_topic[order]
    starts = np.r_[0, np.flatnonzero(np.diff(topic_sorted)) + 1]
    run = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    number[order] = run + 1
    # drop posts after the end (and replies to them)
    keep &= (p_reply < 0) | keep[np.maximum(p_reply, 0)]
    remap = np.cumsum(keep) - 1
    p_author, p_topic, p_time, number = p_author[keep], p_topic[keep], p_time[keep], number[keep]
    p_reply = np.where(p_reply[keep] >= 0, remap[np.maximum(p_reply[keep], 0)], -1)
    posts_of = {}
    for i, a in enumerate(p_author.tolist()):
        posts_of.setdefault(a, []).append(i)
    is_spam_post = np.isin(p_author, spam)
    ring_posts = np.isin(p_author, np.concatenate(rings)) if rings else np.zeros(len(p_author), dtype=bool)
    decent_rings = [m for r, m in zip(shape.rings, rings, strict=True) if r.decent]
    indecent = ring_posts & ~np.isin(p_author, np.concatenate(decent_rings) if decent_rings else [])
    random_pool = np.flatnonzero(~is_spam_post & ~indecent)
    kol_posts = np.flatnonzero(np.isin(p_author, kols))

    v_voter, v_post, v_value = [], [], []

    def vote(voters, post_idx, value=1):
        v_voter.append(np.asarray(voters, dtype=np.int64))
        v_post.append(np.asarray(post_idx, dtype=np.int64))
        v_value.append(np.full(len(voters), value))

    counts = rng.poisson(shape.vote_rate, len(ordinary))
    vote(np.repeat(ordinary, counts), rng.choice(random_pool, counts.sum()))
    counts = np.full(len(staff), 300)
    vote(np.repeat(staff, counts), rng.choice(random_pool, counts.sum()))
    vote(np.repeat(bot, 100), rng.choice(random_pool, 100))
    # the staff and the bot are popular: many members vote for them
    for m in np.concatenate([staff, bot]):
        mp = np.array(posts_of.get(int(m), []), dtype=np.int64)
        hit = rng.random((len(ordinary), len(mp))) < 0.03
        f, t = np.nonzero(hit)
        vote(ordinary[f], mp[t])
    for k, fans in zip(kols, audiences, strict=True):
        kp = np.array([i for i in posts_of[int(k)] if number[i] == 1])
        hit = rng.random((len(fans), len(kp))) < shape.fan_vote
        f, t = np.nonzero(hit)
        vote(fans[f], kp[t])
    for r, m in zip(shape.rings, rings, strict=True):
        rp = np.concatenate([posts_of.get(int(a), []) for a in m]).astype(np.int64)
        hit = rng.random((len(m), len(rp))) < r.density
        f, t = np.nonzero(hit)
        vote(m[f], rp[t])
        if r.outward:
            n_out = r.outward * len(m)
            to_kol = rng.random(n_out) < 0.7
            targets = np.where(to_kol, rng.choice(kol_posts, n_out), rng.choice(random_pool, n_out))
            vote(np.repeat(m, r.outward), targets)
    for s, m, b in zip(shape.swarms, swarms, beneficiaries, strict=True):
        bp = np.array(posts_of.get(int(b), []), dtype=np.int64)
        hit = rng.random((len(m), len(bp))) < s.vote
        f, t = np.nonzero(hit)
        vote(m[f], bp[t])
        if s.camouflage:
            vote(np.repeat(m, s.camouflage), rng.choice(random_pool, s.camouflage * len(m)))
    spam_posts = np.flatnonzero(is_spam_post)
    if len(spam_posts):
        # spam draws a few upvotes and more than half as many downvotes, in proportion to the audience
        ups, downs = max(3, len(ordinary) // 50), max(2, len(ordinary) // 75)
        vote(rng.choice(ordinary, ups), rng.choice(spam_posts, ups))
        vote(rng.choice(ordinary, downs), rng.choice(spam_posts, downs), value=-1)
    v_voter, v_post, v_value = np.concatenate(v_voter), np.concatenate(v_post), np.concatenate(v_value)
    ok = v_voter != p_author[v_post]
    ok &= join[v_voter - 1] <= end  # (every account exists by the end)
    key, first = np.unique(v_voter[ok] * 10_000_000 + v_post[ok], return_index=True)
    sel = np.flatnonzero(ok)[first]
    v_voter, v_post, v_value = v_voter[sel], v_post[sel], v_value[sel]
    v_time = np.maximum(later(p_time[v_post]), join[v_voter - 1])
    inside = v_time < end
    v_voter, v_post, v_value, v_time = v_voter[inside], v_post[inside], v_value[inside], v_time[inside]
    excluded = np.zeros(len(join), dtype=bool)
    excluded[np.concatenate([staff, bot]) - 1] = True
    return Community(shape=shape, joined=join, excluded=excluded, seeds=staff, t_author=t_author, t_time=t_time,
                     p_author=p_author, p_topic=p_topic, p_time=p_time, p_reply_to=p_reply, p_number=number,
                     v_voter=v_voter, v_post=v_post, v_value=v_value, v_time=v_time, groups=groups)


def family(count=20, *, scale=1.0):
    """`count` shapes of varied size and adversaries (rings of 50-200 that post decent content and vote
    outward, several rings, aged sybils that post and camouflage, overlapping audiences)."""
    rng = np.random.default_rng(12345)
    shapes = []
    for i in range(count):
        kind = i % 5
        rings, swarms = [], []
        if kind in (0, 2, 3, 4):
            rings.append(Ring(size=int(rng.integers(50, 201)), density=float(rng.uniform(0.3, 0.9)),
                              topics=int(rng.integers(4, 12)), reply=float(rng.uniform(0.05, 0.2)),
                              decent=kind != 0, outward=int(rng.integers(0, 40)) if kind != 0 else 0))
        if kind == 3:
            rings.append(Ring(size=int(rng.integers(20, 80)), density=float(rng.uniform(0.5, 1.0)), decent=True,
                              outward=int(rng.integers(5, 30))))
        if kind in (1, 2, 4):
            swarms.append(Swarm(size=int(rng.integers(100, 500)), age_days=int(rng.choice([2, 45, 120])),
                                posts=int(rng.integers(0, 4)), camouflage=int(rng.integers(0, 6))))
        if kind == 1:
            swarms.append(Swarm(size=int(rng.integers(50, 200)), age_days=90, posts=2, camouflage=3))
        shapes.append(Shape(name=f"s{i:02d}-{'abcde'[kind]}", members=int(rng.integers(1500, 4000) * scale),
                            kol_topics=int(rng.integers(12, 30)), audience=(60, 140),
                            kol_overlap=float(rng.choice([0.0, 0.3, 0.6])), vote_rate=float(rng.uniform(15, 35)),
                            rings=rings, swarms=swarms, spammers=int(rng.integers(1, 3))))
    return shapes
