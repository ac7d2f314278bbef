"""KOL scores over a rolling window, computed with SQL aggregations and numpy / scipy.sparse.

What the score rewards: content that draws real engagement from many *different* members. Every
signal is read as one GROUP BY query (engagement.kol.sql) and combined with array operations; no
Python loop runs per member.

Signals (window [start, end), optionally one category)
------------------------------------------------------
voters       upvotes received, counted per distinct voter and weighted by the voter's standing
repliers     distinct members who replied to the member (to a post of theirs, or in their topic),
             weighted by the replier's standing
provoked     replies their topics drew from others, per distinct replier with diminishing returns
featured     posts of theirs featured (精华) by editors (engagement.kol.sql.featured_counts)
active_days  days with a post or a vote
influence    personalised PageRank (TrustRank) over the vote + reply graph, seeded from trusted members

Each raw value x becomes a component c = min(1, log(1 + x) / log(1 + ref)) with a fixed reference
`ref` per signal (settings.KOL["REFERENCES"]), so scores are comparable between runs; the score is
100 * sum(weight * c) / sum(weight).

Damping, and why a ring or a swarm does not get through
-------------------------------------------------------
1. Diminishing returns per voter. A voter who upvotes k posts of the same member counts
   g(k) = 2 * (1 - 0.5**k): 1 for the first vote, 1.5 for two, never more than 2. A hundred votes
   from one account are worth less than two votes each from two accounts; the log in the component
   then flattens the total, so breadth (many distinct members) beats volume.
2. Voter standing. Every voter's weight is w = age * (0.2 + 0.8 * trust):
   - age ramps linearly from 0 for accounts younger than NEW_ACCOUNT_DAYS (7) to 1 at
     ESTABLISHED_DAYS (30): a swarm of fresh accounts weighs nothing, whatever it does;
   - trust is the voter's percentile in the TrustRank below (0 when no trust reaches them).
3. TrustRank (personalised PageRank, damping factor d = 0.85). The random walk follows upvotes and
   replies (edge weight = the damped pair weight of 1. and 4.) and teleports only to *seeds*:
   staff, moderators, members of the KOL programme and authors of featured posts: people whose
   judgement the community already relies on. A ring that only votes for itself receives no walk
   from a seed, so its trust is 0 and each of its votes weighs 0.2 at most; a swarm's accounts are
   never seeds and nobody trusted votes for them. Dangling mass returns to the seeds. When the
   community has no seed at all yet (seed_mode "fallback"), the walk teleports to members in
   proportion to the established accounts that upvoted them *without being upvoted back*: a
   mutual-voting ring gets no teleport share at all. This is weaker than named seeds (a ring laid
   out as a one-way cycle would earn a share), so name moderators to get the full protection.
4. Reciprocity discount. A vote (or reply) from A to B where B also upvoted (or replied to) A in
   the window counts a quarter (RECIPROCAL_WEIGHT). Rings are reciprocal by construction; a real
   KOL's audience mostly is not.
5. Downvotes from a voter subtract half of what the same upvotes would add (never below zero).
6. Active days are self-produced, so they carry the smallest weight; the engagement-by-others
   signals carry most of it.

The result for a ring member is roughly an ordinary member's score, and the swarm's target keeps
only what its real audience gives it. tests/engagement/test_kol_scoring.py plants both.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.stats import rankdata

from . import sql as q
from .conf import DEFAULTS, SIGNALS, config  # noqa: F401  (the scoring settings, importable without numpy)


@dataclass
class Result:
    member_ids: np.ndarray  # every member, sorted by id
    score: np.ndarray
    components: dict  # signal -> points contributed (0..weight share of 100)
    raw: dict  # signal -> raw value per member; plus distinct_voters, distinct_repliers
    seed_mode: str = ""
    seed_count: int = 0
    timings: dict = field(default_factory=dict)


def diminishing(n):
    """What k votes (or replies) from one member count: 1, 1.5, 1.75, ... never 2."""
    return 2.0 * (1.0 - np.power(0.5, n.astype(np.float64)))


def _index(ids, values):
    """Positions of `values` in the sorted id array `ids` (-1 when absent)."""
    pos = np.searchsorted(ids, values)
    pos = np.minimum(pos, max(len(ids) - 1, 0))
    found = (ids[pos] == values) if len(ids) else np.zeros(len(values), dtype=bool)
    return np.where(found, pos, -1)


def _wsum(index, weights, n):
    """Per-member sums of `weights` (float, also when there is nothing to sum)."""
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64)


def _reciprocal(src, dst, n):
    """For each edge src->dst, whether dst->src is also an edge."""
    keys = src.astype(np.int64) * n + dst
    back = dst.astype(np.int64) * n + src
    return np.isin(back, keys)


def trust_rank(src, dst, weight, n, seeds, *, damping, iterations, tolerance):
    """Personalised PageRank over the weighted edges src->dst, teleporting to `seeds` (a
    probability vector). Sparse power iteration; dangling mass goes back to the seeds."""
    if n == 0:
        return np.zeros(0)
    graph = sparse.csr_matrix((weight, (src, dst)), shape=(n, n))
    out = np.asarray(graph.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    transition_t = (sparse.diags(inv) @ graph).T.tocsr()
    dangling = out == 0
    r = seeds.copy()
    for _ in range(iterations):
        nxt = damping * (transition_t @ r) + (damping * r[dangling].sum() + (1 - damping)) * seeds
        delta = np.abs(nxt - r).sum()
        r = nxt
        if delta < tolerance:
            break
    return r


def compute(*, start, end, category_id=None, progress=None):
    """Score every member over [start, end). `progress(step, total, label)` is told of each stage."""
    stages = ("members", "votes", "replies", "activity", "trust rank", "signals", "score", "done")
    timings = {}
    clock = time.monotonic()

    def step(label):
        nonlocal clock
        now = time.monotonic()
        timings[label] = round(now - clock, 3)
        clock = now
        if progress:
            progress(stages.index(label) + 1, len(stages), label)

    scope = _scope(config(), start=start, end=end, category_id=category_id)
    members = _members(scope)
    step("members")
    votes = _votes(scope, members.ids)
    step("votes")
    replies = _replies(scope, members.ids)
    step("replies")
    activity = _activity(scope, members, votes, replies)
    step("activity")
    trust = _trust(scope, members, activity, votes, replies)
    step("trust rank")
    raw = _signals(scope, members, activity, votes, replies, trust)
    step("signals")
    score, components = _score(scope.cfg, raw)
    step("score")
    result = Result(member_ids=members.ids, score=score, components=components, raw=raw, seed_mode=trust.seed_mode,
                    seed_count=trust.seed_count, timings=timings)
    result.active = members.active.astype(bool)
    step("done")
    return result


@dataclass
class _Scope:
    """The window and the filters every query of one run shares."""
    cfg: dict
    start: object
    end: object
    category_id: object
    offset: int  # the site's UTC offset at `end`, in seconds (days are local days)
    window: list
    topics_sql: str  # posts count only in visible topics (of the category, when one is given)
    topics_params: list


def _scope(cfg, *, start, end, category_id):
    f = q.false()
    return _Scope(cfg=cfg, start=start, end=end, category_id=category_id,
                  offset=int(end.utcoffset().total_seconds()) if end.utcoffset() else 0,
                  window=[q.adapt(start), q.adapt(end)],
                  topics_sql=f"SELECT id FROM forum_topic WHERE is_hidden = {f}" + (
                      " AND category_id = %s" if category_id else ""),
                  topics_params=[category_id] if category_id else [])


@dataclass
class _Members:
    ids: np.ndarray  # sorted
    age: np.ndarray  # 0 (new account) .. 1 (established)
    active: np.ndarray  # 1 for an active account

    @property
    def n(self):
        return len(self.ids)


def _members(scope):
    """Step 1: every member with the age ramp of their account."""
    ids, joined, active = q.int_columns(
        f"SELECT u.id, {q.epoch('u.date_joined')}, CASE WHEN u.is_active THEN 1 ELSE 0 END FROM forum_user u", [], 3)
    order = np.argsort(ids)  # int_columns keeps no row order
    ids, joined, active = ids[order], joined[order], active[order]
    age_days = (scope.end.timestamp() - joined) / 86400.0
    new_days, est_days = scope.cfg["NEW_ACCOUNT_DAYS"], scope.cfg["ESTABLISHED_DAYS"]
    age = np.clip((age_days - new_days) / max(est_days - new_days, 1), 0.0, 1.0)
    return _Members(ids=ids, age=age, active=active)


@dataclass
class _Votes:
    vi: np.ndarray  # voter index, one row per (voter, author) pair
    ai: np.ndarray  # author index
    up: np.ndarray  # upvotes in the pair
    down: np.ndarray  # downvotes in the pair
    days: np.ndarray  # voter index * 100_000 + local day, one per day a member voted


def _votes(scope, ids):
    """Step 2: votes in the window on visible posts, grouped per (voter, author) pair (raw rows: the pairs are
    nearly as many, so the grouping is cheaper in numpy than in the database)."""
    f, n = q.false(), len(ids)
    v_voter, v_author, v_value, v_time = q.int_columns(
        f"SELECT v.user_id, p.author_id, v.value, {q.epoch('v.created_at')} FROM forum_postvote v "
        "JOIN forum_post p ON p.id = v.post_id "
        f"WHERE v.created_at >= %s AND v.created_at < %s AND p.is_hidden = {f} AND p.is_deleted = {f} "
        f"AND v.user_id <> p.author_id AND p.topic_id IN ({scope.topics_sql})", scope.window + scope.topics_params, 4)
    vi, ai = _index(ids, v_voter), _index(ids, v_author)
    keep = (vi >= 0) & (ai >= 0)
    vi, ai, v_value, v_time = vi[keep], ai[keep], v_value[keep], v_time[keep]
    pair_key, pair_inv = np.unique(vi.astype(np.int64) * n + ai, return_inverse=True)
    up = np.bincount(pair_inv, weights=(v_value > 0)).astype(np.int64)
    down = np.bincount(pair_inv, weights=(v_value < 0)).astype(np.int64)
    days = np.unique(vi.astype(np.int64) * 100_000 + (v_time + scope.offset) // 86400)
    return _Votes(vi=(pair_key // n).astype(np.int64), ai=(pair_key % n).astype(np.int64), up=up, down=down,
                  days=days)


@dataclass
class _Replies:
    rp_from: np.ndarray  # replies to a member's post: (replier, target) pairs and their count
    rp_to: np.ndarray
    rp_count: np.ndarray
    pv_from: np.ndarray  # replies in a member's topics from others: (replier, topic author) pairs
    pv_to: np.ndarray
    pv_count: np.ndarray
    days: np.ndarray  # author index * 100_000 + local day, one per day a member posted


def _replies(scope, ids):
    """Step 3: posts in the window: who replied to whom, in whose topic, and on which day."""
    f, n = q.false(), len(ids)
    p_author, p_target, p_topic_author, p_time, p_reply = q.int_columns(
        f"SELECT p.author_id, COALESCE(r.author_id, t.author_id), t.author_id, {q.epoch('p.created_at')}, "
        f"CASE WHEN p.number > 1 AND p.is_hidden = {f} THEN 1 ELSE 0 END FROM forum_post p "
        "JOIN forum_topic t ON t.id = p.topic_id LEFT JOIN forum_post r ON r.id = p.reply_to_id "
        f"WHERE p.created_at >= %s AND p.created_at < %s AND p.is_deleted = {f} AND p.topic_id IN ({scope.topics_sql})",
        scope.window + scope.topics_params, 5)
    pa = _index(ids, p_author)
    days = np.unique(pa[pa >= 0].astype(np.int64) * 100_000 + (p_time[pa >= 0] + scope.offset) // 86400)
    fi, ti, tai = pa, _index(ids, p_target), _index(ids, p_topic_author)
    ok = (fi >= 0) & (ti >= 0) & (tai >= 0) & (p_reply == 1)
    fi, ti, tai = fi[ok], ti[ok], tai[ok]
    direct = fi != ti
    pair_keys, rp_count = np.unique(fi[direct].astype(np.int64) * n + ti[direct], return_counts=True)
    prov = fi != tai
    pk, pv_count = np.unique(fi[prov].astype(np.int64) * n + tai[prov], return_counts=True)
    return _Replies(rp_from=(pair_keys // n).astype(np.int64), rp_to=(pair_keys % n).astype(np.int64),
                    rp_count=rp_count, pv_from=(pk // n).astype(np.int64), pv_to=(pk % n).astype(np.int64),
                    pv_count=pv_count, days=days)


@dataclass
class _Activity:
    active_days: np.ndarray  # days with a post or a vote
    featured: np.ndarray  # posts featured in the window
    featured_ids: np.ndarray  # members with a featured post (seeds of the trust rank)


def _activity(scope, members, votes, replies):
    """Step 4: active days and featured posts."""
    n = members.n
    member_days = np.union1d(votes.days, replies.days)
    active_days = np.bincount((member_days // 100_000).astype(np.int64), minlength=n).astype(np.float64)
    f_ids, f_counts = q.featured_counts(start=scope.start, end=scope.end, category_id=scope.category_id)
    fm = _index(members.ids, f_ids)
    featured = np.zeros(n)
    np.add.at(featured, fm[fm >= 0], f_counts[fm >= 0])
    return _Activity(active_days=active_days, featured=featured, featured_ids=f_ids[f_counts > 0])


@dataclass
class _Trust:
    standing: np.ndarray  # the weight of a member's votes and replies: age * (0.2 + 0.8 * trust)
    trust: np.ndarray  # percentile in the trust rank (0 when no trust reaches the member)
    influence: np.ndarray  # the rank relative to an average member's (1.0 = average)
    vote_w: np.ndarray  # the damped weight of each upvoting pair
    vote_src: np.ndarray
    vote_dst: np.ndarray
    reply_recip: np.ndarray
    seed_mode: str
    seed_count: int


def _seeds(scope, members, activity, vote_src, vote_dst, vote_recip):
    """Where the walk teleports: the trusted members, or with none named yet, members in proportion to the
    established accounts that upvoted them without being upvoted back."""
    n = members.n
    seed_idx = _index(members.ids, _seed_ids(scope.cfg, start=scope.start, end=scope.end,
                                             featured_ids=activity.featured_ids))
    seed_idx = seed_idx[seed_idx >= 0]
    seeds = np.zeros(n)
    if len(seed_idx):
        seeds[seed_idx] = 1.0
        return seeds / max(seeds.sum(), 1e-12), "seeded", int(len(seed_idx))
    one_way = ~vote_recip
    seeds = np.bincount(vote_dst[one_way], weights=members.age[vote_src[one_way]], minlength=n).astype(np.float64)
    if seeds.sum() == 0:
        seeds[(members.age >= 1.0) & (members.active == 1)] = 1.0
    if seeds.sum() == 0:
        seeds[:] = 1.0
    return seeds / max(seeds.sum(), 1e-12), "fallback", 0


def _trust(scope, members, activity, votes, replies):
    """Step 5: the trust rank over upvotes and replies, and each member's standing from it."""
    cfg, n = scope.cfg, members.n
    recip_w = cfg["RECIPROCAL_WEIGHT"]
    up = votes.up > 0
    vote_src, vote_dst = votes.vi[up], votes.ai[up]
    vote_recip = _reciprocal(vote_src, vote_dst, n)
    vote_w = diminishing(votes.up[up]) * np.where(vote_recip, recip_w, 1.0)
    reply_recip = _reciprocal(replies.rp_from, replies.rp_to, n)
    reply_w = diminishing(replies.rp_count) * np.where(reply_recip, recip_w, 1.0)
    seeds, seed_mode, seed_count = _seeds(scope, members, activity, vote_src, vote_dst, vote_recip)
    rank = trust_rank(np.concatenate([vote_src, replies.rp_from]), np.concatenate([vote_dst, replies.rp_to]),
                      np.concatenate([vote_w, 0.5 * reply_w]), n, seeds, damping=cfg["DAMPING"],
                      iterations=cfg["ITERATIONS"], tolerance=cfg["TOLERANCE"])
    trust = np.zeros(n)
    reached = rank > 1e-12
    if reached.any():
        trust[reached] = rankdata(rank[reached]) / reached.sum()
    return _Trust(standing=members.age * (0.2 + 0.8 * trust), trust=trust,
                  influence=rank * max(int((activity.active_days > 0).sum()), 1), vote_w=vote_w,
                  vote_src=vote_src, vote_dst=vote_dst, reply_recip=reply_recip, seed_mode=seed_mode,
                  seed_count=seed_count)


def _signals(scope, members, activity, votes, replies, trust):
    """Step 6: the standing-weighted, damped signals (and the raw counts the queue shows)."""
    n, recip_w, standing = members.n, scope.cfg["RECIPROCAL_WEIGHT"], trust.standing
    voters = _wsum(trust.vote_dst, standing[trust.vote_src] * trust.vote_w, n)
    down = votes.down > 0
    down_recip = np.where(_reciprocal(votes.vi[down], votes.ai[down], n), recip_w, 1.0)
    voters -= 0.5 * _wsum(votes.ai[down], standing[votes.vi[down]] * diminishing(votes.down[down]) * down_recip, n)
    voters = np.maximum(voters, 0.0)
    repliers = _wsum(replies.rp_to, standing[replies.rp_from] * np.where(trust.reply_recip, recip_w, 1.0), n)
    prov_recip = _reciprocal(replies.pv_from, replies.pv_to, n)
    provoked = _wsum(replies.pv_to, standing[replies.pv_from] * diminishing(replies.pv_count)
                     * np.where(prov_recip, recip_w, 1.0), n)
    return {"voters": voters, "repliers": repliers, "influence": trust.influence, "featured": activity.featured,
            "provoked": provoked, "active_days": activity.active_days,
            "distinct_voters": np.bincount(trust.vote_dst, minlength=n).astype(np.float64),
            "distinct_repliers": np.bincount(replies.rp_to, minlength=n).astype(np.float64),
            "replies_drawn": _wsum(replies.pv_to, replies.pv_count, n), "standing": standing, "trust": trust.trust}


def _score(cfg, raw):
    """Step 7: each signal's component c = min(1, log(1 + x) / log(1 + ref)), weighted into a score of 0..100."""
    weights, refs = cfg["WEIGHTS"], cfg["REFERENCES"]
    total_weight = float(sum(weights[s] for s in SIGNALS)) or 1.0
    components = {}
    score = np.zeros(len(raw["voters"]))
    for s in SIGNALS:
        c = np.minimum(1.0, np.log1p(np.maximum(raw[s], 0.0)) / np.log1p(refs[s]))
        components[s] = 100.0 * weights[s] * c / total_weight
        score += components[s]
    return score, components


def _seed_ids(cfg, *, start, end, featured_ids):
    """Trusted members: staff, moderators, the KOL programme, authors featured in the window."""
    from django.contrib.auth.models import Group

    from forum.models import User
    from forum.permissions import MODERATORS

    groups = Group.objects.filter(name__in=[MODERATORS, cfg["GROUP"]])
    staff = User.objects.filter(is_active=True, is_staff=True).values_list("id", flat=True)
    members = User.objects.filter(is_active=True, groups__in=groups).values_list("id", flat=True)
    found = np.array(sorted(set(staff) | set(members)), dtype=np.int64)
    return np.unique(np.concatenate([found, np.asarray(featured_ids, dtype=np.int64)]))
