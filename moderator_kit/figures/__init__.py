"""Plotly figure builders shared by the Dash dashboard and the HTML/PDF reports.

Metric → typed result → renderer: every builder takes frames (or typed results) that the analysis already
produced and returns a :class:`plotly.graph_objects.Figure`; none computes a metric. Every figure has a title, axis
titles with units, the ``moderator_kit`` template (:mod:`~moderator_kit.figures.theme`), an empty state that says
what to do when its input has no rows (``layout.meta == {'empty': True}``), and escapes all text that comes from
messages or names. Figures are deterministic, depend on no global state and serialise with ``fig.to_json()``.

==========================================  ==================================================================
builder                                     reads
==========================================  ==================================================================
:func:`flow_chart`                          ``flow_minutes`` + questions (``moderator_kit.flow``)
:func:`herding_gauge`                       ``herding_score`` / ``herding_score_parts`` (session flow)
:func:`timeline_chart`                      ``minute_series`` (``moderator_kit.engagement``)
:func:`top_entities_chart`                  ``top_entities``
:func:`network_figure`                      node metrics with ``x`` / ``y`` + ``edges_frame`` (``graph``)
:func:`layout_positions`                    (helper) computes ``x`` / ``y`` once, at analysis time
:func:`roles_chart`                         ``assign_roles`` (``moderator_kit.people``)
:func:`participant_history_chart`           ``participant_signals`` of one handle
:func:`participants_trend`                  ``retention_by_session`` (+ ``engagement_by_session``)
:func:`cohort_heatmap`                      ``cohort_matrix``
:func:`first_timer_return_chart`            ``first_timer_return``
:func:`herding_trend`                       ``session_flow_metrics``
:func:`reach_trend`                         ``reach_by_session`` (``moderator_kit.value``)
:func:`roi_range_chart`                     ``SponsorValue`` (ROI low / mid / high)
:func:`sensitivity_chart`                   ``SponsorValue.sensitivity``
:func:`audience_mix_chart`                  ``audience_mix``
:func:`sponsor_trend_chart`                 ``SponsorValue.trend``
:func:`cost_breakdown_chart`                ``SponsorValue.costs``
==========================================  ==================================================================

See ``docs/figures.md``.
"""

from moderator_kit.figures.activity import timeline_chart, top_entities_chart
from moderator_kit.figures.flow import flow_chart, herding_gauge
from moderator_kit.figures.network import layout_positions, network_figure
from moderator_kit.figures.people import participant_history_chart, roles_chart
from moderator_kit.figures.sponsor import (
    audience_mix_chart,
    cost_breakdown_chart,
    roi_range_chart,
    sensitivity_chart,
    sponsor_trend_chart,
)
from moderator_kit.figures.theme import (
    TEMPLATE_NAME,
    empty_figure,
    esc,
    fmt_int,
    fmt_money,
    fmt_pct,
    register_template,
    template,
)
from moderator_kit.figures.trends import (
    cohort_heatmap,
    first_timer_return_chart,
    herding_trend,
    participants_trend,
    reach_trend,
)

__all__ = [
    "TEMPLATE_NAME",
    "audience_mix_chart",
    "cohort_heatmap",
    "cost_breakdown_chart",
    "empty_figure",
    "esc",
    "first_timer_return_chart",
    "flow_chart",
    "fmt_int",
    "fmt_money",
    "fmt_pct",
    "herding_gauge",
    "herding_trend",
    "layout_positions",
    "network_figure",
    "participant_history_chart",
    "participants_trend",
    "reach_trend",
    "register_template",
    "roi_range_chart",
    "roles_chart",
    "sensitivity_chart",
    "sponsor_trend_chart",
    "template",
    "timeline_chart",
    "top_entities_chart",
]
