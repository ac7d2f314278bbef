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
    cfg = config()
    steps = 8
    timings = {}
    clock = time.monotonic()

    def step(number, label):
        nonlocal clock
        now = time.monotonic()
        timings[label] = round(now - clock, 3)
        clock = now
        if progress:
            progress(number, steps, label)

    offset = int(end.utcoffset().total_seconds()) if end.utcoffset() else 0
    window = [q.adapt(start), q.adapt(end)]
    f = q.false()
    # posts count only in visible topics (of the category, when one is given)
    topics_sql = f"SELECT id FROM forum_topic WHERE is_hidden = {f}" + (" AND category_id = %s" if category_id else "")
    topics_params = [category_id] if category_id else []

    # 1. members: id, joined (epoch), active, staff
    ids, joined, active, staff = q.int_columns(
        f"SELECT u.id, {q.epoch('u.date_joined')}, CASE WHEN u.is_active THEN 1 ELSE 0 END, "
        f"CASE WHEN u.is_staff OR u.is_superuser THEN 1 ELSE 0 END FROM forum_user u", [], 4)
    order = np.argsort(ids)  # int_columns keeps no row order
    ids, joined, active, staff = ids[order], joined[order], active[order], staff[order]
    n = len(ids)
    end_ts = end.timestamp()
    age_days = (end_ts - joined) / 86400.0
    new_days, est_days = cfg["NEW_ACCOUNT_DAYS"], cfg["ESTABLISHED_DAYS"]
    age = np.clip((age_days - new_days) / max(est_days - new_days, 1), 0.0, 1.0)
    step(1, "members")

    # 2. votes in the window on visible posts (raw rows: the pairs are nearly as many, so the
    # grouping is cheaper in numpy than in the database)
    v_voter, v_author, v_value, v_time = q.int_columns(
        f"SELECT v.user_id, p.author_id, v.value, {q.epoch('v.created_at')} FROM forum_postvote v "
        "JOIN forum_post p ON p.id = v.post_id "
        f"WHERE v.created_at >= %s AND v.created_at < %s AND p.is_hidden = {f} AND p.is_deleted = {f} "
        f"AND v.user_id <> p.author_id AND p.topic_id IN ({topics_sql})", window + topics_params, 4)
    vi, ai = _index(ids, v_voter), _index(ids, v_author)
    keep = (vi >= 0) & (ai >= 0)
    vi, ai, v_value, v_time = vi[keep], ai[keep], v_value[keep], v_time[keep]
    del v_voter, v_author
    pair_key, pair_inv = np.unique(vi.astype(np.int64) * n + ai, return_inverse=True)
    v_up = np.bincount(pair_inv, weights=(v_value > 0)).astype(np.int64)
    v_down = np.bincount(pair_inv, weights=(v_value < 0)).astype(np.int64)
    vote_days = np.unique(vi.astype(np.int64) * 100_000 + (v_time + offset) // 86400)
    vi, ai = (pair_key // n).astype(np.int64), (pair_key % n).astype(np.int64)
    del pair_key, pair_inv, v_value, v_time
    step(2, "votes")

    # 3. posts in the window: who replied to whom, in whose topic, and on which day
    p_author, p_target, p_topic_author, p_time, p_reply = q.int_columns(
        f"SELECT p.author_id, COALESCE(r.author_id, t.author_id), t.author_id, {q.epoch('p.created_at')}, "
        f"CASE WHEN p.number > 1 AND p.is_hidden = {f} THEN 1 ELSE 0 END FROM forum_post p "
        "JOIN forum_topic t ON t.id = p.topic_id LEFT JOIN forum_post r ON r.id = p.reply_to_id "
        f"WHERE p.created_at >= %s AND p.created_at < %s AND p.is_deleted = {f} AND p.topic_id IN ({topics_sql})",
        window + topics_params, 5)
    pa = _index(ids, p_author)
    post_days = np.unique(pa[pa >= 0].astype(np.int64) * 100_000 + (p_time[pa >= 0] + offset) // 86400)
    fi, ti, tai = pa, _index(ids, p_target), _index(ids, p_topic_author)
    ok = (fi >= 0) & (ti >= 0) & (tai >= 0) & (p_reply == 1)
    fi, ti, tai = fi[ok], ti[ok], tai[ok]
    del p_author, p_target, p_topic_author, p_time, p_reply
    # replies to a member: one (replier, target) pair with its count
    direct = fi != ti
    pair_keys, rp_count = np.unique(fi[direct].astype(np.int64) * n + ti[direct], return_counts=True)
    rp_from, rp_to = (pair_keys // n).astype(np.int64), (pair_keys % n).astype(np.int64)
    # replies in a member's topics from others: (replier, topic author) pairs
    prov = fi != tai
    pk, pv_count = np.unique(fi[prov].astype(np.int64) * n + tai[prov], return_counts=True)
    pv_from, pv_to = (pk // n).astype(np.int64), (pk % n).astype(np.int64)
    step(3, "replies")

    # 4. active days (a post or a vote), featured
    member_days = np.union1d(vote_days, post_days)
    active_days = np.bincount((member_days // 100_000).astype(np.int64), minlength=n).astype(np.float64)
    del vote_days, post_days, member_days
    f_ids, f_counts = q.featured_counts(start=start, end=end, category_id=category_id)
    fm = _index(ids, f_ids)
    featured = np.zeros(n)
    np.add.at(featured, fm[fm >= 0], f_counts[fm >= 0])
    step(4, "activity")

    # 5. trust rank over upvotes + replies
    recip_w = cfg["RECIPROCAL_WEIGHT"]
    up = v_up > 0
    vote_src, vote_dst = vi[up], ai[up]
    vote_recip = _reciprocal(vote_src, vote_dst, n)
    vote_w = diminishing(v_up[up]) * np.where(vote_recip, recip_w, 1.0)
    reply_recip = _reciprocal(rp_from, rp_to, n)
    reply_w = diminishing(rp_count) * np.where(reply_recip, recip_w, 1.0)
    seed_ids = _seed_ids(cfg, start=start, end=end, featured_ids=f_ids[f_counts > 0])
    seed_idx = _index(ids, seed_ids)
    seed_idx = seed_idx[seed_idx >= 0]
    seeds = np.zeros(n)
    if len(seed_idx):
        seed_mode = "seeded"
        seeds[seed_idx] = 1.0
    else:
        # no trusted member named yet: start the walk from members in proportion to the
        # established accounts that upvoted them without being upvoted back
        seed_mode = "fallback"
        one_way = ~vote_recip
        seeds = np.bincount(vote_dst[one_way], weights=age[vote_src[one_way]], minlength=n).astype(np.float64)
        if seeds.sum() == 0:
            seeds[(age >= 1.0) & (active == 1)] = 1.0
        if seeds.sum() == 0:
            seeds[:] = 1.0
    seeds /= max(seeds.sum(), 1e-12)
    rank = trust_rank(np.concatenate([vote_src, rp_from]), np.concatenate([vote_dst, rp_to]),
                      np.concatenate([vote_w, 0.5 * reply_w]), n, seeds, damping=cfg["DAMPING"],
                      iterations=cfg["ITERATIONS"], tolerance=cfg["TOLERANCE"])
    trust = np.zeros(n)
    reached = rank > 1e-12
    if reached.any():
        trust[reached] = rankdata(rank[reached]) / reached.sum()
    standing = age * (0.2 + 0.8 * trust)
    # influence: the rank relative to an average member's (1.0 = average)
    influence = rank * max(int((active_days > 0).sum()), 1)
    step(5, "trust rank")

    # 6. the standing-weighted, damped signals
    voters = _wsum(vote_dst, standing[vote_src] * vote_w, n)
    down = v_down > 0
    down_recip = np.where(_reciprocal(vi[down], ai[down], n), recip_w, 1.0)
    voters -= 0.5 * _wsum(ai[down], standing[vi[down]] * diminishing(v_down[down]) * down_recip, n)
    voters = np.maximum(voters, 0.0)
    distinct_voters = np.bincount(vote_dst, minlength=n)
    repliers = _wsum(rp_to, standing[rp_from] * np.where(reply_recip, recip_w, 1.0), n)
    distinct_repliers = np.bincount(rp_to, minlength=n)
    prov_recip = _reciprocal(pv_from, pv_to, n)
    provoked = _wsum(pv_to, standing[pv_from] * diminishing(pv_count) * np.where(prov_recip, recip_w, 1.0), n)
    replies_drawn = _wsum(pv_to, pv_count, n)
    step(6, "signals")

    # 7. components and score
    raw = {"voters": voters, "repliers": repliers, "influence": influence, "featured": featured,
           "provoked": provoked, "active_days": active_days}
    weights, refs = cfg["WEIGHTS"], cfg["REFERENCES"]
    total_weight = float(sum(weights[s] for s in SIGNALS)) or 1.0
    components = {}
    score = np.zeros(n)
    for s in SIGNALS:
        c = np.minimum(1.0, np.log1p(np.maximum(raw[s], 0.0)) / np.log1p(refs[s]))
        components[s] = 100.0 * weights[s] * c / total_weight
        score += components[s]
    raw.update({"distinct_voters": distinct_voters.astype(np.float64),
                "distinct_repliers": distinct_repliers.astype(np.float64),
                "replies_drawn": replies_drawn, "standing": standing, "trust": trust})
    step(7, "score")
    result = Result(member_ids=ids, score=score, components=components, raw=raw, seed_mode=seed_mode,
                    seed_count=int(len(seed_idx)), timings=timings)
    result.active = active.astype(bool)
    step(8, "done")
    return result


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
