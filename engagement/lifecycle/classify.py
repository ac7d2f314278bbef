"""Classify every member into a lifecycle stage as of one day, with SQL aggregations and numpy.

Activity means writing a post (a topic's opening post or a reply) or voting on a post. Days are
local days of the site's time zone; `today` (T) counts as the most recent day.

The rule (settings.LIFECYCLE overrides the numbers), checked in this order:

new       joined less than NEW_DAYS (7) days ago.
churned   no activity for CHURN_DAYS (30) days or more. A member who never did anything counts
          from the day they joined.
recalled  came back after churn: some activity in the last RECALLED_DAYS (30) days came after a
          silence of CHURN_DAYS or more (since their previous activity, or since joining). They stay
          "recalled" for RECALLED_DAYS after coming back, then fall under the rules below again.
at risk   activity fell well below their own baseline. Baseline: active days per week over the
          BASELINE_DAYS (90) days before the recent period, counted only from the day they joined,
          and only when that stretch is at least 14 days long. Recent: active days per week over the
          last RECENT_DAYS (14) days. At risk when the baseline is at least MIN_BASELINE_PER_WEEK
          (1 active day a week: an established habit) and the recent rate is below AT_RISK_RATIO
          (0.5) times the baseline: a member who posted 3 days a week and managed 1 in the last two
          weeks is at risk; one who always came by once a month is not.
active    everyone else.
"""

import datetime
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from engagement.kol import sql as q

from .conf import DEFAULTS, config  # noqa: F401  (the stage settings, importable without numpy)
from .models import Stage


@dataclass
class Classification:
    member_ids: np.ndarray
    stage: np.ndarray
    last_active: np.ndarray  # epoch seconds, -1 = never
    baseline_rate: np.ndarray
    recent_rate: np.ndarray
    posts: np.ndarray
    topics: np.ndarray
    votes: np.ndarray
    main_category: np.ndarray  # category id, 0 = none


def day_bounds(today):
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return end, int(end.utcoffset().total_seconds())


def classify(*, today):
    cfg = config()
    end, offset = day_bounds(today)
    t_day = (int(end.timestamp()) + offset) // 86400 - 1  # today's day number
    look_start = end - datetime.timedelta(days=cfg["LOOKBACK_DAYS"])
    f = q.false()

    ids, joined = q.int_columns(
        f"SELECT u.id, {q.epoch('u.date_joined')} FROM forum_user u WHERE u.is_active", [], 2)
    order = np.argsort(ids)  # int_columns keeps no row order
    ids, joined = ids[order], joined[order]
    n = len(ids)
    joined_day = (joined + offset) // 86400

    def index(values):
        pos = np.searchsorted(ids, values)
        pos = np.minimum(pos, max(n - 1, 0))
        ok = ids[pos] == values if n else np.zeros(len(values), dtype=bool)
        return pos, ok

    # every post and vote up to the end of today, as raw rows: the lifetime counts, the last
    # activity, the main category and the active days all come from these two reads
    p_member, p_time, p_category, p_opening = q.int_columns(
        f"SELECT p.author_id, {q.epoch('p.created_at')}, t.category_id, CASE WHEN p.number = 1 THEN 1 ELSE 0 END "
        f"FROM forum_post p JOIN forum_topic t ON t.id = p.topic_id WHERE p.created_at < %s AND p.is_deleted = {f}",
        [q.adapt(end)], 4)
    v_member, v_time = q.int_columns(
        f"SELECT v.user_id, {q.epoch('v.created_at')} FROM forum_postvote v WHERE v.created_at < %s",
        [q.adapt(end)], 2)
    pp, p_ok = index(p_member)
    vp, v_ok = index(v_member)
    pp, p_time, p_category, p_opening = pp[p_ok], p_time[p_ok], p_category[p_ok], p_opening[p_ok]
    vp, v_time = vp[v_ok], v_time[v_ok]
    del p_member, v_member

    look_ts = int(look_start.timestamp())
    last_ts = np.full(n, -1, dtype=np.int64)
    before_ts = np.full(n, -1, dtype=np.int64)
    for idx, ts in ((pp, p_time), (vp, v_time)):
        np.maximum.at(last_ts, idx, ts)
        early = ts < look_ts
        np.maximum.at(before_ts, idx[early], ts[early])
    # distinct (member, day) pairs within the lookback window
    keys = np.concatenate([pp[p_time >= look_ts].astype(np.int64) * 100_000 + (p_time[p_time >= look_ts] + offset) // 86400,
                           vp[v_time >= look_ts].astype(np.int64) * 100_000 + (v_time[v_time >= look_ts] + offset) // 86400])
    keys = np.unique(keys)
    a_idx, a_day = keys // 100_000, keys % 100_000
    del keys

    last_day = np.where(last_ts >= 0, (last_ts + offset) // 86400, -(10**9))
    silent_since = np.maximum(last_day, joined_day)

    # recalled: an activity day in the last RECALLED_DAYS after a gap of CHURN_DAYS or more
    anchor = np.maximum(np.where(before_ts >= 0, (before_ts + offset) // 86400, -(10**9)), joined_day)
    all_idx = np.concatenate([np.arange(n), a_idx])
    all_day = np.concatenate([anchor, a_day])
    is_activity = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(a_idx), dtype=bool)])
    order = np.lexsort((~is_activity, all_day, all_idx))
    s_idx, s_day, s_act = all_idx[order], all_day[order], is_activity[order]
    same = np.zeros(len(s_idx), dtype=bool)
    same[1:] = s_idx[1:] == s_idx[:-1]
    gap = np.zeros(len(s_idx), dtype=np.int64)
    gap[1:] = s_day[1:] - s_day[:-1]
    came_back = same & s_act & (gap >= cfg["CHURN_DAYS"]) & (s_day > t_day - cfg["RECALLED_DAYS"])
    recalled = np.zeros(n, dtype=bool)
    recalled[s_idx[came_back]] = True

    # baseline and recent rates (active days per week)
    recent_days, base_days = cfg["RECENT_DAYS"], cfg["BASELINE_DAYS"]
    recent_from = t_day - recent_days + 1
    base_from = recent_from - base_days
    in_recent = a_day >= recent_from
    in_base = (a_day >= base_from) & (a_day < recent_from)
    recent_count = np.bincount(a_idx[in_recent], minlength=n)
    base_count = np.bincount(a_idx[in_base], minlength=n)
    base_len = np.clip(recent_from - np.maximum(base_from, joined_day), 0, base_days)
    baseline_rate = np.where(base_len >= 14, base_count * 7.0 / np.maximum(base_len, 1), 0.0)
    recent_rate = recent_count * 7.0 / recent_days
    at_risk = (base_len >= 14) & (baseline_rate >= cfg["MIN_BASELINE_PER_WEEK"]) & (
        recent_rate < cfg["AT_RISK_RATIO"] * baseline_rate)

    stage = np.full(n, Stage.ACTIVE, dtype=np.int64)
    stage[at_risk] = Stage.AT_RISK
    stage[recalled] = Stage.RECALLED
    stage[(t_day - silent_since) >= cfg["CHURN_DAYS"]] = Stage.CHURNED
    stage[(t_day - joined_day) < cfg["NEW_DAYS"]] = Stage.NEW

    # what they used to do (lifetime): posts, topics, votes given, the category they wrote most in
    posts = np.bincount(pp, minlength=n).astype(np.int64)
    topics = np.bincount(pp, weights=p_opening, minlength=n).astype(np.int64)
    votes = np.bincount(vp, minlength=n).astype(np.int64)
    main_category = np.zeros(n, dtype=np.int64)
    if len(pp):
        cat_keys, cat_counts = np.unique(pp.astype(np.int64) * 2**32 + p_category, return_counts=True)
        member, cat = cat_keys // 2**32, cat_keys % 2**32
        best = np.lexsort((cat, -cat_counts, member))  # per member: most posts first, then the lower id
        first = np.ones(len(best), dtype=bool)
        first[1:] = member[best][1:] != member[best][:-1]
        main_category[member[best][first]] = cat[best][first]

    return Classification(member_ids=ids, stage=stage, last_active=last_ts, baseline_rate=baseline_rate,
                          recent_rate=recent_rate, posts=posts, topics=topics, votes=votes,
                          main_category=main_category)
