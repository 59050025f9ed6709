"""The methodology appendix: every formula of the reports with its source and the section of ``docs/metrics/*.md``
that documents it (the docs are the long form; tests check each doc anchor exists).

Examples
--------
>>> chosen, table = methodology_table("moderator")
>>> all("moderator" in f.audiences for f in chosen), table.frame.height == len(chosen)
(True, True)
"""

from __future__ import annotations

import polars as pl

from moderator_kit.report.blocks import table_of
from moderator_kit.report.elements import Formula, ReportTable

__all__ = ["FORMULAS", "methodology_table"]

_VALUE = "docs/metrics/value.md"
FORMULAS: tuple[Formula, ...] = (
    Formula("potential_impressions", "Potential impressions",
            "Σ over messages of the author's follower count (members × messages where followers are unknown and "
            "audience_members is set)",
            "Tweet Binder, 'Tweet Binder metrics' (potential impressions); Symplur, 'Summary' widget help "
            "(impressions)", f"{_VALUE}#reach", ("sponsor", "moderator")),
    Formula("unique_reach", "Unique reach",
            "Σ over distinct authors of their follower count (the largest count seen for each author)",
            "Tweet Binder, 'Tweet Binder metrics' (potential reach)", f"{_VALUE}#reach", ("sponsor",)),
    Formula("estimated_impressions", "Estimated real impressions (low / mid / high)",
            "measured impressions (platform view counts) + r × exposure base, at the low, mid and high exposure "
            "rate r; on the followers basis: potential impressions × r",
            "Union Metrics (TweetReach): real impressions are likely 1-20% of potential impressions",
            f"{_VALUE}#the-reach-basis", ("sponsor", "moderator")),
    Formula("mentions", "Mentions",
            "messages by someone other than the sponsor that name a sponsor handle or use a sponsor hashtag "
            "(reposts included)", "definition of this project", f"{_VALUE}#sponsor-exposure"),
    Formula("share_of_voice", "Share of voice",
            "original messages by or about the sponsor ÷ all original messages (reposts excluded from both)",
            "definition of this project (within-chat share of voice)", f"{_VALUE}#sponsor-exposure"),
    Formula("engaged_participants", "Engaged participants",
            "per session, the distinct people other than the sponsor who mentioned, replied to, reposted or quoted "
            "it; summed over sessions (participant-sessions)", "definition of this project",
            f"{_VALUE}#sponsor-exposure"),
    Formula("engagement_on_posts", "Engagement on the sponsor's posts",
            "replies + reposts + quotes of the sponsor's accounts found in the data; the platform's like counters "
            "on its own original posts", "definition of this project", f"{_VALUE}#sponsor-exposure"),
    Formula("audience_mix", "Audience mix",
            "the people who engaged, by their primary role in the session; share = people ÷ people who engaged",
            "role rules of moderator_kit.people (each label listed with its reasons)",
            "docs/metrics/people.md#roles"),
    Formula("top_messages", "Best messages about the sponsor",
            "original messages by others about the sponsor, ranked by max(replies, reposts and quotes found in the "
            "data; the platform's likes + reposts + replies)", "definition of this project",
            f"{_VALUE}#sponsor-exposure"),
    Formula("cost", "Cost",
            "(fee + staff hours × hourly rate + other) × sessions when costs are per session; once when they are "
            "for the whole sponsorship", "the sponsor's costs in the chat config", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("attributable_impressions", "Attributable impressions",
            "impressions of the messages by or about the sponsor: its posts, mentions of its handles and hashtags, "
            "replies, reposts and quotes of its accounts, links to its domains, the moderators' posts naming it; "
            "the whole chat's impressions are only an upper bound (if every participant saw the sponsorship)",
            "IAB/MRC impression and viewable-impression guidelines (an impression needs an opportunity to see the ad)",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("cpm", "CPM", "cost ÷ attributable impressions × 1,000, for each exposure-rate scenario",
            "cost per mille, https://en.wikipedia.org/wiki/Cost_per_mille", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("value", "Value of the exposure", "attributable impressions ÷ 1,000 × the benchmark CPM",
            "what the same impressions would cost as advertising (the sponsor's benchmark_cpm)",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("roi", "ROI (low / mid / high)", "(value − cost) ÷ cost, at each exposure rate",
            "return on investment, https://en.wikipedia.org/wiki/Return_on_investment",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("break_even", "Break-even exposure rate",
            "the r where value = cost: (cost × 1,000 ÷ benchmark CPM − measured impressions) ÷ exposure base",
            "from the impressions formula above", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("cost_per_engaged", "Cost per engaged participant", "cost ÷ engaged participants (participant-sessions)",
            "definition of this project", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("cost_per_mention", "Cost per mention", "cost ÷ mentions", "definition of this project",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("sensitivity", "Sensitivity",
            "ROI on a grid of exposure rates (1%, 2%, 5%, 10%, 20%, 30% plus the configured rates) × benchmark "
            "CPMs (0.25×, 0.5×, 1×, 2×, 4× the sponsor's)", "definition of this project",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("sponsor_verdict", "Sponsor verdict",
            "no evidence of exposure when no message is by or about the sponsor (whatever the cost); not worthwhile "
            "when even the high-rate ROI is negative; worthwhile when the low-rate ROI ≥ 0 (or the cost is 0) and "
            "every objective is measurable and met; otherwise unclear",
            "definition of this project", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("objectives", "Objectives (KPIs against targets)",
            "actual = mean over the selected sessions that have a value; met when actual ≥ target (at_least) or "
            "≤ target (at_most); gap = actual − target (or target − actual); trend = sign of the least-squares "
            "slope over the sessions (flat within 5%)", "definition of this project", f"{_VALUE}#objectives",
            ("sponsor", "moderator")),
    Formula("active_participants", "Active participants",
            "distinct authors of at least one original (non-repost) message in the session's chat phase; a pure "
            "reposter is never active",
            "Budak & Agrawal, 'On participation in group chats on Twitter', WWW 2013",
            "docs/metrics/engagement.md#participants", ("sponsor", "moderator")),
    Formula("retention", "New and returning participants",
            "new = first active session in the archive; returning = active − new; returning share = returning ÷ "
            "active (active: an original message in the chat or follow-up phase)",
            "Budak & Agrawal (WWW 2013); Ellis et al., 'Equality and Social Mobility in Twitter Discussion "
            "Groups', WSDM 2016", "docs/metrics/people.md#retention", ("moderator",)),
    Formula("herding_score", "Herding score (0-100)",
            "100 × (0.4 × on-agenda share + 0.3 × pace adherence + 0.3 × (1 − spill-over share)), reweighted "
            "over the parts available", "definition of this project", "docs/metrics/flow.md#the-herding-score-0-100",
            ("moderator",)),
    Formula("centrality", "Moderator centrality",
            "PageRank (damping 0.85) and betweenness of the moderator in each session's interaction graph; mean "
            "value and mean rank (1 = most central)",
            "Brin & Page (1998); Freeman (1977); Brandes (2001)", "docs/metrics/graph.md#node-metrics",
            ("moderator",)),
    Formula("hours_invested", "Hours invested",
            "sessions × moderator_effort.hours_per_session (preparation, the chat and the follow-up); cost = hours "
            "× moderator_effort.hourly_rate", "the chat config", f"{_VALUE}#the-moderators-value", ("moderator",)),
    Formula("outcomes_per_hour", "Outcomes per hour",
            "participant-sessions ÷ hours; new participants ÷ hours; cost per participant-session; cost per new "
            "participant", "definition of this project", f"{_VALUE}#the-moderators-value", ("moderator",)),
    Formula("moderator_verdict", "Moderator verdict",
            "worthwhile when there are objectives and every one is measurable and met; not worthwhile when more "
            "than half of the measurable objectives are missed and active participation is not trending up; "
            "otherwise unclear", "definition of this project", f"{_VALUE}#the-moderators-value", ("moderator",)),
)


def methodology_table(audience: str) -> tuple[tuple[Formula, ...], ReportTable]:
    """The formulas of one audience's report and the methodology table listing them."""
    chosen = tuple(f for f in FORMULAS if audience in f.audiences)
    frame = pl.DataFrame([{"figure": f.figure, "formula": f.formula, "source": f.source, "documented_in": f.doc}
                          for f in chosen], schema={"figure": pl.String, "formula": pl.String, "source": pl.String,
                                                    "documented_in": pl.String})
    return chosen, table_of("methodology", "Formulas and sources", frame, [
        ("figure", "Figure", "text"), ("formula", "Formula", "text"), ("source", "Source", "text"),
        ("documented_in", "Documented in", "code"),
    ], description="Every formula behind the figures of this report, with its source.")
