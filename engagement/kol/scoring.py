"""KOL scores over a rolling window, computed with SQL aggregations and numpy / scipy.sparse.

What the score rewards: content that draws engagement from many *independent* members. What it
discounts: engagement that circulates inside a dense group that mostly engages with itself (a vote
ring), engagement from accounts devoted to one member (a sybil swarm), and engagement from accounts
that nobody trusted engages with. Every signal is read as one query (engagement.kol.sql) into integer
columns (`read_columns`) and combined with array operations (`score_columns`, which the generated
communities of bench/kol_community.py feed directly); no Python loop runs per member.

Signals (window [start, end), optionally one category)
------------------------------------------------------
voters       upvotes received, counted per distinct voter and weighted by the voter's standing and
             the pair's independence (below)
repliers     distinct members who replied to the member (to a post of theirs, or in their topic)
provoked     replies their topics drew from others, per distinct replier with diminishing returns
featured     posts of theirs featured (精华) by editors (engagement.kol.sql.featured_counts)
active_days  days with a post or a vote
influence    trust (personalised PageRank) reaching the member over the *clean* edges only

Each raw value x becomes a component c = min(1, log(1 + x) / log(1 + ref)) with a fixed reference
`ref` per signal (settings.KOL["REFERENCES"]), so scores are comparable between runs; the score is
100 * sum(weight * c) / sum(weight).

The stages, and the literature behind them
------------------------------------------
1. Pairs. Votes and replies are grouped per (source, target) pair. A source's k votes for one member
   count g(k) = 2 * (1 - 0.5**k): 1, 1.5, 1.75, never 2 (diminishing returns per source; breadth
   beats volume).
2. Reciprocity. A pair whose target also engaged with the source in the window counts
   RECIPROCAL_WEIGHT: collusion in reputation systems shows up first as mutual rating
   (Lian et al., "An empirical study of collusion behavior in the Maze P2P file-sharing system",
   ICDCS 2007; Hoffman, Zage and Nita-Rotaru, "A survey of attack and defense techniques for
   reputation systems", ACM Computing Surveys 2009).
3. Devotion (concentration of a source's engagement). A source whose interactions go mostly to one
   member is not an independent judge of that member: with e = interactions(s, t) / (interactions(s)
   + DEVOTION_PRIOR), the pair keeps clip((1 - e) / (1 - DEVOTION_FREE), 0, 1). Fans who vote for a
   few members keep everything; an account that exists to vote for one beneficiary keeps little
   (the "target concentration" feature of Mukherjee, Liu and Glance, "Spotting fake reviewer groups
   in consumer reviews", WWW 2012).
4. Clusters. Label propagation (Raghavan, Albert and Kumara, "Near linear time algorithm to detect
   community structures in large-scale networks", Phys. Rev. E 76, 2007; semi-synchronous updates
   against oscillation, Cordasco and Gargano 2010) over the undirected engagement graph. For each
   cluster C its insularity is the share of C's outgoing engagement that stays inside C (reciprocal
   pairs in full, one-way pairs at half), in excess of what its size predicts, x = (I - p) / (1 - p)
   with p = |C| / engaged members: a conductance test (Kannan, Vempala and Vetta, "On clusterings:
   good, bad and spectral", J. ACM 2004) on the neighbourhood the propagation found. A cluster whose
   excess is above CLUSTER_FREE is *closed* to the degree q = clip((x - CLUSTER_FREE) /
   (CLUSTER_FULL - CLUSTER_FREE), 0, 1); engagement between two members of a closed cluster keeps
   (1 - q). A genuine KOL's audience is a star of one-way edges from members who engage widely
   elsewhere: it is not closed. A ring is: its members engage mostly with each other, mutually.
5. Trust (SybilRank-style: Cao, Sirivianos, Yang and Pregueiro, "Aiding the detection of fake
   accounts in large scale social online services", NSDI 2012; TrustRank: Gyöngyi, Garcia-Molina
   and Pedersen, VLDB 2004). A personalised PageRank (damping DAMPING) teleporting to *seeds*
   (staff, moderators, the KOL programme, featured authors) walks only the clean edges: never an
   edge inside a closed cluster, never a reciprocal edge inside one cluster, each edge at its
   devotion weight. A ring or a swarm receives trust only through the few edges that honest members
   give it (SybilRank's attack edges), so its members' votes carry the standing floor. Without
   seeds (seed_mode "fallback") the walk teleports to members in proportion to the clean one-way
   engagement they draw from established accounts. A member's trust level is min(1, rank / the
   median rank of the members it reached); their standing is age * (TRUST_FLOOR + (1 - TRUST_FLOOR)
   * trust), where age ramps from 0 (younger than NEW_ACCOUNT_DAYS) to 1 (ESTABLISHED_DAYS): a swarm
   of fresh accounts weighs nothing, whatever it does.
6. Signals: voters, repliers and provoked sum standing * g * reciprocity * devotion * (1 - q) per
   source; downvotes subtract half of what the same upvotes would add (never below zero); active
   days are self-produced and carry the smallest weight.

Every candidate is explained in words (engagement.kol.selectors.score_reasons); when more than half
of a member's engagement was discounted because it came from inside a closed cluster, from
reciprocal pairs or from devoted accounts, the reason "most of this engagement comes from a group that
mostly engages with itself" is given first. Staff, moderators and bots are scored (they can be
seeds) but never candidates (engagement.kol.services).

The 7, 30 and 90-day rankings agree because the structure (pairs, reciprocity, devotion, cohorts, clusters,
trust) is read over a context of at least CONTEXT_DAYS (90) days ending with the window, and only the signals
are counted over the window itself: a ring found over 90 days is the same ring in a 7-day window.

Members are also marked down as a whole (every component keeps 1 - CLOSED_MEMBER * m): m is the largest of
their cluster's q, how far more than 30 % of their engagement was discounted, the share of their own
engagement given in a same-day-registration cohort (a sybil's: lockstep, as in Beutel et al., "CopyCatch:
stopping group attacks by spotting lockstep behavior in social networks", WWW 2013), and how far their
downvoters exceed a fifth of their upvoters (spam). Active days count only in proportion to the engagement
others give (ACTIVITY_REF), and influence reads the trust walk along endorsements only.

tests/engagement/test_kol_scoring.py and tests/engagement/test_kol_family.py run generated
communities (bench/kol_community.py); bench/kol_family.py runs the large family and prints its table.
"""

import datetime
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from . import sql as q
from .conf import DEFAULTS, SIGNALS, config  # noqa: F401  (the scoring settings, importable without numpy)


@dataclass
class Result:
    member_ids: np.ndarray  # every member, sorted by id
    score: np.ndarray
    components: dict  # signal -> points contributed (0..weight share of 100)
    raw: dict  # signal -> raw value per member; plus distinct_voters, distinct_repliers, closed_share
    seed_mode: str = ""
    seed_count: int = 0
    timings: dict = field(default_factory=dict)
    active: np.ndarray = None  # active accounts
    excluded: np.ndarray = None  # staff, moderators and bots: never candidates


@dataclass
class Columns:
    """Everything a run reads, as integer columns (epoch seconds for times). The database gives them
    (`read_columns`); a generated community gives them directly (bench/kol_community.py)."""
    member_ids: np.ndarray
    joined: np.ndarray
    active: np.ndarray
    excluded: np.ndarray
    vote_voter: np.ndarray  # votes in the window on visible posts, not on one's own
    vote_author: np.ndarray
    vote_value: np.ndarray
    vote_time: np.ndarray
    post_author: np.ndarray  # posts in the window
    post_target: np.ndarray  # the author replied to (of the post replied to, else of the topic)
    post_topic_author: np.ndarray
    post_time: np.ndarray
    post_reply: np.ndarray  # 1 for a visible reply (not an opening post)
    featured_ids: np.ndarray
    featured_counts: np.ndarray
    seed_ids: np.ndarray  # trusted members: staff, moderators, the KOL programme
    end: float  # epoch seconds
    offset: int = 0  # the site's UTC offset at the end, in seconds (days are local days)
    start: float = None  # the window's start (epoch seconds); the rows before it are the context (see CONTEXT_DAYS)

    def window(self):
        """The same columns restricted to [start, end): what the signals count."""
        if self.start is None:
            return self
        v = self.vote_time >= self.start
        p = self.post_time >= self.start
        return Columns(member_ids=self.member_ids, joined=self.joined, active=self.active, excluded=self.excluded,
                       vote_voter=self.vote_voter[v], vote_author=self.vote_author[v], vote_value=self.vote_value[v],
                       vote_time=self.vote_time[v], post_author=self.post_author[p], post_target=self.post_target[p],
                       post_topic_author=self.post_topic_author[p], post_time=self.post_time[p],
                       post_reply=self.post_reply[p], featured_ids=self.featured_ids,
                       featured_counts=self.featured_counts, seed_ids=self.seed_ids, end=self.end, offset=self.offset)


STAGES = ("members", "votes", "replies", "activity", "pairs", "clusters", "trust rank", "signals", "score", "done")


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


def _pair_lookup(src, dst, n, key_src, key_dst, values, default=0.0):
    """values[] of the pair (key_src, key_dst) for each (src, dst), `default` where there is none."""
    keys = key_src.astype(np.int64) * n + key_dst
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    want = src.astype(np.int64) * n + dst
    pos = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    found = (keys[pos] == want) if len(keys) else np.zeros(len(want), dtype=bool)
    return np.where(found, values[pos] if len(keys) else default, default)


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


def label_propagation(src, dst, weight, n, *, iterations, seed=0):
    """Community labels by label propagation over the undirected weighted graph (src, dst): each
    member takes the label carrying the most weight among its neighbours (keeping its own on a tie),
    half of the members at a time (semi-synchronous, so two-colourable structures do not oscillate).
    Sparse: one relabelled matrix and a per-row argmax per round."""
    labels = np.arange(n, dtype=np.int64)
    if n == 0 or len(src) == 0:
        return labels
    rows = np.concatenate([src, dst]).astype(np.int64)
    cols = np.concatenate([dst, src]).astype(np.int64)
    data = np.concatenate([weight, weight]).astype(np.float64)
    order = np.argsort(rows, kind="stable")
    rows, cols, data = rows[order], cols[order], data[order]
    has = np.bincount(rows, minlength=n) > 0
    rng = np.random.default_rng(seed)
    for _ in range(iterations):
        # the weight each member sees per neighbouring label, plus a small bias for its own label
        own = np.flatnonzero(has)
        keys = np.concatenate([rows * n + labels[cols], own * n + labels[own]])
        vals = np.concatenate([data, np.full(len(own), 1e-6)])
        uk, inv = np.unique(keys, return_inverse=True)
        sums = np.bincount(inv, weights=vals)
        member, label = uk // n, uk % n
        # per member, the label with the largest sum (the smallest label on an exact tie)
        best = np.lexsort((label, -sums, member))
        first = np.ones(len(best), dtype=bool)
        first[1:] = member[best][1:] != member[best][:-1]
        winners = best[first]
        proposal = labels.copy()
        proposal[member[winners]] = label[winners]
        if not (proposal != labels).any():
            break
        labels = np.where(rng.random(n) < 0.5, proposal, labels)
    return labels


def read_columns(scope, step=None):
    """Stages 1-4: the window's members, votes, posts and featured content as integer columns."""
    step = step or (lambda label: None)
    f = q.false()
    ids, joined, active = q.int_columns(
        f"SELECT u.id, {q.epoch('u.date_joined')}, CASE WHEN u.is_active THEN 1 ELSE 0 END FROM forum_user u", [], 3)
    order = np.argsort(ids)  # int_columns keeps no row order
    ids, joined, active = ids[order], joined[order], active[order]
    excluded = np.isin(ids, _never_candidates(scope.cfg))
    step("members")
    v_voter, v_author, v_value, v_time = q.int_columns(
        f"SELECT v.user_id, p.author_id, v.value, {q.epoch('v.created_at')} FROM forum_postvote v "
        "JOIN forum_post p ON p.id = v.post_id "
        f"WHERE v.created_at >= %s AND v.created_at < %s AND p.is_hidden = {f} AND p.is_deleted = {f} "
        f"AND v.user_id <> p.author_id AND p.topic_id IN ({scope.topics_sql})", scope.window + scope.topics_params, 4)
    step("votes")
    p_author, p_target, p_topic_author, p_time, p_reply = q.int_columns(
        f"SELECT p.author_id, COALESCE(r.author_id, t.author_id), t.author_id, {q.epoch('p.created_at')}, "
        f"CASE WHEN p.number > 1 AND p.is_hidden = {f} THEN 1 ELSE 0 END FROM forum_post p "
        "JOIN forum_topic t ON t.id = p.topic_id LEFT JOIN forum_post r ON r.id = p.reply_to_id "
        f"WHERE p.created_at >= %s AND p.created_at < %s AND p.is_deleted = {f} AND p.topic_id IN ({scope.topics_sql})",
        scope.window + scope.topics_params, 5)
    step("replies")
    f_ids, f_counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)  # the window's: set by compute()
    seed_ids = _seed_ids(scope.cfg)
    step("activity")
    return Columns(member_ids=ids, joined=joined, active=active.astype(bool), excluded=excluded, vote_voter=v_voter,
                   vote_author=v_author, vote_value=v_value, vote_time=v_time, post_author=p_author,
                   post_target=p_target, post_topic_author=p_topic_author, post_time=p_time, post_reply=p_reply,
                   featured_ids=f_ids, featured_counts=f_counts, seed_ids=seed_ids, end=scope.end.timestamp(),
                   offset=scope.offset)


def compute(*, start, end, category_id=None, progress=None):
    """Score every member over [start, end). `progress(step, total, label)` is told of each stage."""
    timings = {}
    clock = time.monotonic()

    def step(label):
        nonlocal clock
        now = time.monotonic()
        timings[label] = round(now - clock, 3)
        clock = now
        if progress:
            progress(STAGES.index(label) + 1, len(STAGES), label)

    cfg = config()
    scope = _scope(cfg, start=min(start, end - datetime.timedelta(days=cfg["CONTEXT_DAYS"])), end=end,
                   category_id=category_id)
    cols = read_columns(scope, step)
    cols.start = start.timestamp()
    f_ids, f_counts = q.featured_counts(start=start, end=end, category_id=category_id)
    cols.featured_ids, cols.featured_counts = f_ids, f_counts
    result = score_columns(cols, cfg=scope.cfg, step=step)
    step("done")
    result.timings = timings
    return result


def score_columns(cols, *, cfg, step=None):
    """Stages 5-9 on the columns of one window: pairs, clusters, trust, signals, score."""
    step = step or (lambda label: None)
    ids = cols.member_ids
    n = len(ids)
    age_days = (cols.end - cols.joined) / 86400.0
    new_days, est_days = cfg["NEW_ACCOUNT_DAYS"], cfg["ESTABLISHED_DAYS"]
    age = np.clip((age_days - new_days) / max(est_days - new_days, 1), 0.0, 1.0)
    # the structure (pairs, clusters, cohorts, trust) is read over the context, the signals over the window: a
    # ring found over 90 days is the same ring in a 7-day window, so short windows are not where rings win
    window = cols.window()
    ctx_votes, ctx_replies = _votes(cols, n), _replies(cols, n)
    votes, replies = (_votes(window, n), _replies(window, n)) if window is not cols else (ctx_votes, ctx_replies)
    activity = _activity(window, n, votes, replies)
    pairs = _pairs(cfg, n, ctx_votes, ctx_replies, np.floor(np.asarray(cols.joined, dtype=np.float64) / 86400.0))
    del ctx_votes, ctx_replies, window  # the context's rows are no longer needed (memory at 3M votes)
    step("pairs")
    _clusters(cfg, n, pairs)
    step("clusters")
    trust = _trust(cfg, cols, n, age, activity, pairs)
    step("trust rank")
    raw = _signals(cfg, n, votes, replies, pairs, trust, activity)
    step("signals")
    # who is marked down as a member, not only per pair: a member of a closed cluster, one whose engagement came
    # mostly from closed groups, devoted or lockstep accounts, and an account that engages in lockstep itself
    # ... and content that others downvote (spam): downvoters above a fifth of the upvoters
    ups = np.bincount(votes.ai[votes.up > 0], minlength=n).astype(np.float64)
    downs = np.bincount(votes.ai[votes.down > 0], minlength=n).astype(np.float64)
    disliked = np.clip((np.divide(downs, ups, out=np.zeros(n), where=ups > 0) - 0.2) / 0.3, 0.0, 1.0)
    marked = np.maximum.reduce([pairs.cluster_closed, np.clip((raw["closed_share"] - 0.3) / 0.4, 0.0, 1.0),
                                pairs.lockstep, disliked])
    score, components = _score(cfg, raw, 1.0 - cfg["CLOSED_MEMBER"] * marked)
    step("score")
    return Result(member_ids=ids, score=score, components=components, raw=raw, seed_mode=trust.seed_mode,
                  seed_count=trust.seed_count, active=np.asarray(cols.active, dtype=bool),
                  excluded=np.asarray(cols.excluded, dtype=bool))


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
class _Votes:
    vi: np.ndarray  # voter index, one row per (voter, author) pair
    ai: np.ndarray  # author index
    up: np.ndarray  # upvotes in the pair
    down: np.ndarray  # downvotes in the pair
    days: np.ndarray  # voter index * 100_000 + local day, one per day a member voted


def _votes(cols, n):
    """Votes grouped per (voter, author) pair (raw rows: the pairs are nearly as many, so the grouping is
    cheaper in numpy than in the database)."""
    vi, ai = _index(cols.member_ids, cols.vote_voter), _index(cols.member_ids, cols.vote_author)
    keep = (vi >= 0) & (ai >= 0) & (vi != ai)
    vi, ai, value, when = vi[keep], ai[keep], cols.vote_value[keep], cols.vote_time[keep]
    pair_key, pair_inv = np.unique(vi.astype(np.int64) * n + ai, return_inverse=True)
    up = np.bincount(pair_inv, weights=(value > 0), minlength=len(pair_key)).astype(np.int64)
    down = np.bincount(pair_inv, weights=(value < 0), minlength=len(pair_key)).astype(np.int64)
    days = np.unique(vi.astype(np.int64) * 100_000 + (when + cols.offset) // 86400)
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


def _replies(cols, n):
    """Posts in the window: who replied to whom, in whose topic, and on which day."""
    ids = cols.member_ids
    pa = _index(ids, cols.post_author)
    days = np.unique(pa[pa >= 0].astype(np.int64) * 100_000 + (cols.post_time[pa >= 0] + cols.offset) // 86400)
    fi, ti, tai = pa, _index(ids, cols.post_target), _index(ids, cols.post_topic_author)
    ok = (fi >= 0) & (ti >= 0) & (tai >= 0) & (cols.post_reply == 1)
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
    featured_idx: np.ndarray  # members with a featured post (seeds of the trust rank)


def _activity(cols, n, votes, replies):
    member_days = np.union1d(votes.days, replies.days)
    active_days = np.bincount((member_days // 100_000).astype(np.int64), minlength=n).astype(np.float64)
    fm = _index(cols.member_ids, np.asarray(cols.featured_ids, dtype=np.int64))
    counts = np.asarray(cols.featured_counts, dtype=np.float64)
    featured = np.zeros(n)
    np.add.at(featured, fm[fm >= 0], counts[fm >= 0])
    return _Activity(active_days=active_days, featured=featured, featured_idx=fm[(fm >= 0) & (counts > 0)])


@dataclass
class _Pairs:
    """Every (source, target) pair that engaged (an upvote or a reply), with what decides its weight."""
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray  # g(upvotes) + 0.5 * g(replies)
    recip: np.ndarray  # the target engaged with the source too
    devotion: np.ndarray  # the share of the pair kept for the source's concentration (1 = independent)
    label: np.ndarray = None  # per member: the cluster label
    closed: np.ndarray = None  # per pair: q of the cluster both ends are in (0 when they are not in one)
    cluster_closed: np.ndarray = None  # per member: q of their cluster
    lockstep: np.ndarray = None  # per member: the share of their engagement given in a same-day cohort

    def factor(self, cfg):
        """The share of each pair that counts: reciprocity * devotion * (1 - q)."""
        return np.where(self.recip, cfg["RECIPROCAL_WEIGHT"], 1.0) * self.devotion * (1.0 - self.closed)


def _pairs(cfg, n, votes, replies, join_day):
    """Stage 5: the engagement pairs, their reciprocity and the devotion of their source."""
    up = votes.up > 0
    src = np.concatenate([votes.vi[up], replies.rp_from])
    dst = np.concatenate([votes.ai[up], replies.rp_to])
    weight = np.concatenate([diminishing(votes.up[up]), 0.5 * diminishing(replies.rp_count)])
    count = np.concatenate([votes.up[up], replies.rp_count]).astype(np.float64)
    key, inv = np.unique(src.astype(np.int64) * n + dst, return_inverse=True)
    weight = np.bincount(inv, weights=weight, minlength=len(key))
    count = np.bincount(inv, weights=count, minlength=len(key))
    src, dst = (key // n).astype(np.int64), (key % n).astype(np.int64)
    recip = _reciprocal(src, dst, n)
    share = count / (np.bincount(src, weights=count, minlength=n)[src] + cfg["DEVOTION_PRIOR"])
    devotion = np.clip((1.0 - share) / (1.0 - cfg["DEVOTION_FREE"]), 0.0, 1.0)
    # lockstep cohorts: sources of one target whose accounts were made on the same day count together as
    # COHORT_FREE sources at most (a swarm is registered in a burst; an audience joins over years)
    _key, cohort_inv, cohort_size = np.unique(dst * 1_000_000 + (join_day[src] - join_day.min()).astype(np.int64),
                                              return_inverse=True, return_counts=True)
    cohort = np.minimum(1.0, cfg["COHORT_FREE"] / cohort_size[cohort_inv])
    devotion = devotion * cohort
    # per member: the share of their own engagement that went out in such a lockstep cohort (a sybil's)
    lockstep = np.divide(_wsum(src, weight * (1.0 - cohort), n), _wsum(src, weight, n), out=np.zeros(n),
                         where=_wsum(src, weight, n) > 0)
    return _Pairs(src=src, dst=dst, weight=weight, recip=recip, devotion=devotion, lockstep=lockstep)


def _clusters(cfg, n, pairs):
    """Stage 6: label propagation, then each cluster's insularity in excess of its size, and q."""
    # propagation over the mutual edges only (each pair at the smaller of its two directions): one-way stars
    # (an audience, a swarm) stay apart instead of merging everything into one monster community
    back = _pair_lookup(pairs.dst, pairs.src, n, pairs.src, pairs.dst, pairs.weight, 0.0)
    mutual = pairs.recip & (pairs.src < pairs.dst)
    labels = label_propagation(pairs.src[mutual], pairs.dst[mutual], np.minimum(pairs.weight, back)[mutual], n,
                               iterations=cfg["LPA_ITERATIONS"])
    same = labels[pairs.src] == labels[pairs.dst]
    inside = pairs.weight * np.where(pairs.recip, 1.0, 0.5) * same
    out = _wsum(labels[pairs.src], pairs.weight, n)
    internal = _wsum(labels[pairs.src], inside, n)
    engaged = np.zeros(n, dtype=bool)
    engaged[pairs.src] = True
    engaged[pairs.dst] = True
    size = np.bincount(labels[engaged], minlength=n).astype(np.float64)
    p = size / max(int(engaged.sum()), 1)
    share = np.divide(internal, out, out=np.zeros(n), where=out > 0)
    excess = np.divide(share - p, 1.0 - p, out=np.zeros(n), where=p < 1.0)
    free, full = cfg["CLUSTER_FREE"], cfg["CLUSTER_FULL"]
    # ... and dense: members have several mutual partners inside on average (a ring), not one hub that
    # answers its repliers (a KOL's conversation is a star: about 2 mutual partners per member at most)
    degree = np.divide(2.0 * np.bincount(labels[pairs.src[mutual]], minlength=n), size, out=np.zeros(n),
                       where=size > 0)
    dense = np.clip((degree - cfg["CLUSTER_DEGREE"]) / 2.0, 0.0, 1.0)
    q_label = np.clip((excess - free) / max(full - free, 1e-9), 0.0, 1.0) * dense * (size >= 3)
    pairs.label = labels
    pairs.cluster_closed = q_label[labels]
    pairs.closed = np.where(same, q_label[labels[pairs.src]], 0.0)


@dataclass
class _Trust:
    standing: np.ndarray  # the weight of a member's votes and replies: age * (floor + (1 - floor) * trust)
    trust: np.ndarray  # 0..1: the trust rank relative to the median reached member's
    influence: np.ndarray  # the rank relative to an average member's (1.0 = average)
    seed_mode: str
    seed_count: int


def _trust(cfg, cols, n, age, activity, pairs):
    """Stage 7: the trust rank over the clean edges, and each member's standing from it."""
    same = pairs.label[pairs.src] == pairs.label[pairs.dst]
    clean = ~((pairs.closed >= 0.5) | (same & pairs.recip))
    edge_w = pairs.weight * pairs.devotion * (1.0 - pairs.closed) * clean
    seed_idx = np.union1d(_index(cols.member_ids, np.asarray(cols.seed_ids, dtype=np.int64)), activity.featured_idx)
    seed_idx = seed_idx[seed_idx >= 0]
    seeds = np.zeros(n)
    if len(seed_idx):
        seeds[seed_idx] = 1.0
        seed_mode, seed_count = "seeded", int(len(seed_idx))
    else:
        one_way = clean & ~pairs.recip
        seeds = _wsum(pairs.dst[one_way], age[pairs.src[one_way]] * edge_w[one_way], n)
        seed_mode, seed_count = "fallback", 0
        if seeds.sum() == 0:
            seeds[(age >= 1.0) & np.asarray(cols.active, dtype=bool)] = 1.0
        if seeds.sum() == 0:
            seeds[:] = 1.0
    seeds = seeds / max(seeds.sum(), 1e-12)
    # the walk follows endorsements (source -> target) and, at BACKFLOW, acknowledgements back (target ->
    # source): a member who engages with trusted members earns a little of their trust, one who engages only
    # with an untrusted beneficiary earns almost none
    keep = edge_w > 0
    rank = trust_rank(np.concatenate([pairs.src[keep], pairs.dst[keep]]),
                      np.concatenate([pairs.dst[keep], pairs.src[keep]]),
                      np.concatenate([edge_w[keep], cfg["BACKFLOW"] * edge_w[keep]]), n, seeds,
                      damping=cfg["DAMPING"], iterations=cfg["ITERATIONS"], tolerance=cfg["TOLERANCE"])
    # influence reads the walk along endorsements only: acknowledgements earned by spraying replies everywhere
    # (a spammer's) raise nobody's influence
    forward = trust_rank(pairs.src[keep], pairs.dst[keep], edge_w[keep], n, seeds, damping=cfg["DAMPING"],
                         iterations=cfg["ITERATIONS"], tolerance=cfg["TOLERANCE"])
    reached = rank > 1e-12
    ref = float(np.median(rank[reached])) if reached.any() else 1.0
    trust = np.minimum(1.0, rank / max(ref, 1e-300))
    floor = cfg["TRUST_FLOOR"]
    return _Trust(standing=age * (floor + (1.0 - floor) * trust), trust=trust,
                  influence=forward * max(int((activity.active_days > 0).sum()), 1), seed_mode=seed_mode,
                  seed_count=seed_count)


def _signals(cfg, n, votes, replies, pairs, trust, activity):
    """Stage 8: the standing-weighted, discounted signals (and the raw counts the queue shows)."""
    standing = trust.standing
    factor = pairs.factor(cfg)
    f_vote = _pair_lookup(votes.vi, votes.ai, n, pairs.src, pairs.dst, factor, 1.0)
    up = votes.up > 0
    voters = _wsum(votes.ai[up], standing[votes.vi[up]] * diminishing(votes.up[up]) * f_vote[up], n)
    # what the engagement would weigh without the discounts: at the sources' trust, whatever their age (so that
    # a swarm of fresh accounts shows as the reason too)
    nominal = cfg["TRUST_FLOOR"] + (1.0 - cfg["TRUST_FLOOR"]) * trust.trust
    raw_voters = _wsum(votes.ai[up], nominal[votes.vi[up]] * diminishing(votes.up[up]), n)
    down = votes.down > 0
    voters -= 0.5 * _wsum(votes.ai[down], standing[votes.vi[down]] * diminishing(votes.down[down]) * f_vote[down], n)
    voters = np.maximum(voters, 0.0)
    f_reply = _pair_lookup(replies.rp_from, replies.rp_to, n, pairs.src, pairs.dst, factor, 1.0)
    repliers = _wsum(replies.rp_to, standing[replies.rp_from] * f_reply, n)
    raw_repliers = _wsum(replies.rp_to, nominal[replies.rp_from], n)
    # replies in one's topics: the same pair factor when the replier also engaged directly, else the cluster's
    f_prov = _pair_lookup(replies.pv_from, replies.pv_to, n, pairs.src, pairs.dst, factor, -1.0)
    in_cluster = pairs.label[replies.pv_from] == pairs.label[replies.pv_to]
    f_prov = np.where(f_prov >= 0, f_prov, 1.0 - np.where(in_cluster, pairs.cluster_closed[replies.pv_to], 0.0))
    provoked = _wsum(replies.pv_to, standing[replies.pv_from] * diminishing(replies.pv_count) * f_prov, n)
    before = raw_voters + raw_repliers
    closed_share = np.divide(before - (voters + repliers), before, out=np.zeros(n), where=before > 0)
    return {"voters": voters, "repliers": repliers, "influence": trust.influence, "featured": activity.featured,
            # active days are self-produced: they count in proportion to the engagement others give (full from
            # ACTIVITY_REF weighted voters and repliers), so that posting every day is no signal of its own
            "provoked": provoked,
            "active_days": activity.active_days * np.minimum(1.0, (voters + repliers) / cfg["ACTIVITY_REF"]),
            "distinct_voters": np.bincount(votes.ai[up], minlength=n).astype(np.float64),
            "distinct_repliers": np.bincount(replies.rp_to, minlength=n).astype(np.float64),
            "replies_drawn": _wsum(replies.pv_to, replies.pv_count, n), "standing": standing, "trust": trust.trust,
            "closed_share": np.clip(closed_share, 0.0, 1.0), "cluster_closed": pairs.cluster_closed}


def _score(cfg, raw, keep):
    """Stage 9: each signal's component c = min(1, log(1 + x) / log(1 + ref)), weighted into a score of 0..100;
    a member of a closed cluster keeps `keep` of every component (1 - CLOSED_MEMBER * q)."""
    weights, refs = cfg["WEIGHTS"], cfg["REFERENCES"]
    total_weight = float(sum(weights[s] for s in SIGNALS)) or 1.0
    components = {}
    score = np.zeros(len(raw["voters"]))
    for s in SIGNALS:
        c = np.minimum(1.0, np.log1p(np.maximum(raw[s], 0.0)) / np.log1p(refs[s]))
        components[s] = 100.0 * weights[s] * c * keep / total_weight
        score += components[s]
    return score, components


def _seed_ids(cfg):
    """Trusted members: staff, moderators (global and of a category), the KOL programme. (Authors featured in
    the window join them in `_trust`.)"""
    from django.contrib.auth.models import Group

    from forum.models import User
    from forum.permissions import MODERATORS

    groups = Group.objects.filter(name__in=[MODERATORS, cfg["GROUP"]])
    staff = User.objects.filter(is_active=True, is_staff=True).values_list("id", flat=True)
    members = User.objects.filter(is_active=True, groups__in=groups).values_list("id", flat=True)
    category_mods = User.objects.filter(is_active=True, moderates_categories=True).values_list("id", flat=True)
    return np.array(sorted(set(staff) | set(members) | set(category_mods)), dtype=np.int64)


def _never_candidates(cfg):
    """Staff, superusers, moderators (global and of a category) and bots (the BOT_GROUP): scored, never proposed."""
    from django.contrib.auth.models import Group
    from django.db.models import Q

    from forum.models import User
    from forum.permissions import MODERATORS

    groups = Group.objects.filter(name__in=[MODERATORS, cfg["BOT_GROUP"]])
    found = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(moderates_categories=True)
                                | Q(groups__in=groups)).values_list("id", flat=True).distinct()
    return np.array(sorted(set(found)), dtype=np.int64)
