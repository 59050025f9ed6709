"""How KPI metrics are named and formatted on the dashboard (shared by the Overview and Sponsor pages).

Examples
--------
>>> metric_label("new_participants"), format_metric("share_of_voice", 0.0283)
('New participants', '2.8%')
"""

from __future__ import annotations

from moderator_kit.formats import fmt_metric

__all__ = ["metric_label", "format_metric"]

_LABELS = {
    "active_participants": "Active participants",
    "new_participants": "New participants",
    "returning_participants": "Returning participants",
    "returning_share": "Returning share",
    "herding_score": "Herding score",
    "sponsor_mentions": "Sponsor mentions",
    "share_of_voice": "Sponsor share of voice",
    "engaged_participants": "People engaging the sponsor",
    "sponsor_posts": "Sponsor posts",
    "engagement_in_data": "Engagement with the sponsor",
    "potential_impressions": "Potential impressions",
    "unique_reach": "Unique reach",
    "estimated_impressions_low": "Impressions (low)",
    "estimated_impressions_mid": "Impressions (mid)",
    "estimated_impressions_high": "Impressions (high)",
    "sponsor_impressions_mid": "Sponsor impressions (mid)",
    "cost": "Cost",
    "value_mid": "Value (mid)",
    "cpm_mid": "CPM (mid)",
    "roi_low": "ROI (low)",
    "roi_mid": "ROI (mid)",
    "roi_high": "ROI (high)",
    "reply_share": "Reply share",
    "messages_per_active": "Messages per active participant",
    "on_agenda_share": "On-agenda share",
    "pace_adherence": "Pace adherence",
    "spillover_share": "Spill-over share",
    "messages": "Messages",
}


def metric_label(metric: str, label: str | None = None) -> str:
    """A readable name for a KPI ('active_participants' → 'Active participants'); a config label wins.

    >>> metric_label("roi_mid"), metric_label("x_y"), metric_label("roi_mid", "Sponsor ROI")
    ('ROI (mid)', 'X y', 'Sponsor ROI')
    """
    if label and label != metric:
        return label
    return _LABELS.get(metric, metric.replace("_", " ").capitalize())


def format_metric(metric: str, value: float | None) -> str:
    """A KPI value in its unit (:func:`moderator_kit.formats.fmt_metric`, the format of the reports too).

    >>> format_metric("returning_share", 0.741), format_metric("roi_mid", 0.97), format_metric("cost", 702.4)
    ('74.1%', '+97%', '$702')
    >>> format_metric("active_participants", 28.25), format_metric("herding_score", 83.63)
    ('28.3', '84')
    """
    return fmt_metric(metric, value)
