"""What a person reads for the console's codes: funnel steps, KOL states and the measures' explanations."""

from django.utils.translation import gettext_lazy as _

FUNNEL_STEPS = {
    "signed_up": _("Signed up"),
    "verified": _("Verified email"),
    "profile": _("Completed profile"),
    "first_post": _("First post"),
    "returned": _("Came back within 7 days"),
}

KOL_STATES = {
    "proposed": _("Proposed, awaiting a decision"),
    "accepted": _("Accepted"),
    "snoozed": _("Snoozed"),
    "dismissed": _("Dismissed"),
}

EXPLAIN = {
    "activity": _("Active means wrote a post (topic or reply), voted on a post or checked in that day (sign-ins are "
                  "not recorded day by day). DAU: active members that day; WAU and MAU: distinct active members over "
                  "the 7 and 30 days ending that day; stickiness: DAU divided by MAU. Site-wide, whatever the "
                  "category filter."),
    "new_members": _("Accounts created per day (Asia/Shanghai calendar days)."),
    "funnel": _("Members who signed up in the range; each step counts those who also took every step before it: "
                "verified their email, wrote a bio or uploaded an avatar, wrote a post within 7 days of signing up, "
                "and were active again on one of the 7 days after their signup day."),
    "retention": _("Members grouped by the week (Monday to Sunday) they signed up in; each cell is the share of the "
                   "group active in that week after signup (week 0 is the signup week)."),
    "content": _("Topics opened and replies written per day, in the chosen category or all of them."),
    "first_reply": _("For topics opened in the range: the median wait until the first reply by someone other than the "
                     "author, and the share of topics nobody has replied to yet."),
    "economy": _("Points issued (sources: every ledger entry that adds points) and spent (sinks: every entry that "
                 "takes points away), by reason, in the range."),
    "events": _("Engagement events that ran in the range: members who took part, of whom those who signed up "
                "during the event, their posts, and the share active within 14 days after the event, for participants "
                "and for members who were active during the event without taking part."),
    "recalls": _("Recall campaigns sent in the range: recipients, and how many came back within the return window."),
    "moderation": _("Reports filed and queue items (reports and posts held for approval) handled per day, and the "
                    "median time from an item's opening to its handling, for items handled in the range."),
    "groups": _("Every member group (小组) as it is now, whatever the range: members, members who posted in the "
                "group in the last 7 days, the group's posts in each of the last 4 weeks (oldest first), applications "
                "approved and rejected in the last 30 days with the median time from applying to a decision, and "
                "applications waiting."),
    "kol": _("KOL candidates at the end of the range: proposed by the latest scoring run and not yet decided, "
             "and the members moderators accepted, snoozed (still snoozed) or dismissed."),
}
