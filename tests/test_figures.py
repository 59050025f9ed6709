"""The plotly figure builders: what they draw from hand-made frames and from the analysis functions' real outputs,
their empty states, escaping, determinism and serialisation."""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest
from moderator_kit.figures.theme import fmt_score

from moderator_kit import figures as F
from moderator_kit.config import Costs, ExposureRates, Sponsor, parse_config
from moderator_kit.figures import theme
from moderator_kit.figures.network import GL_THRESHOLD
from moderator_kit.figures.sponsor import _diverging
from moderator_kit.value import audience_mix, reach_by_session, sponsor_exposure, sponsor_value
from tests.helpers import at, messages_frame

XSS = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
T0 = datetime(2026, 1, 6, 1, 0, tzinfo=UTC)


def t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def is_empty(fig: go.Figure) -> bool:
    return bool(fig.layout.meta) and fig.layout.meta.get("empty") is True and len(fig.data) == 0


def all_text(fig: go.Figure) -> str:
    """Everything a browser could render as text: the serialised figure."""
    return fig.to_json()


# --------------------------------------------------------------------------------------------------------- theme


@pytest.mark.parametrize(("value", "expected"), [(0, "0"), (999.5, "1,000"), (-1234.4, "-1,234"), (None, "n/a"),
                                                 (float("nan"), "n/a")])
def test_fmt_int(value, expected):
    assert F.fmt_int(value) == expected


@pytest.mark.parametrize(("value", "kwargs", "expected"), [
    (0.125, {}, "12.5%"), (0.5, {}, "50%"), (1 / 3, {"digits": 0}, "33%"), (2.1304, {"signed": True}, "+213%"),
    (-0.8435, {"signed": True}, "-84.4%"), (0.0, {"signed": True}, "0%"), (None, {}, "n/a"),
])
def test_fmt_pct(value, kwargs, expected):
    assert F.fmt_pct(value, **kwargs) == expected


@pytest.mark.parametrize(("value", "symbol", "expected"), [
    (2810, "$", "$2,810"), (7.5, "$", "$7.50"), (0.125, "€", "€0.13"), (-50, "$", "-$50"), (1e6, "", "1,000,000"),
    (None, "$", "n/a"),
])
def test_fmt_money(value, symbol, expected):
    assert F.fmt_money(value, symbol) == expected


@pytest.mark.parametrize("text", [XSS, IMG, "Tom & Jerry's \"best\"", "plain", "<b>bold</b>", "&lt;already&gt;"])
def test_esc_and_esc_expr_match_html_escape(text):
    expected = html.escape(text).replace("&quot;", "&#34;")
    assert F.esc(text) == expected
    assert pl.DataFrame({"v": [text]}).select(theme.esc_expr("v")).item() == expected
    assert "<" not in expected and ">" not in expected


def test_template_is_registered_and_embedded_without_global_default(monkeypatch):
    assert F.register_template() == "moderator_kit"
    assert "moderator_kit" in pio.templates
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")
    fig = theme.new_figure("x")
    assert fig.layout.template.layout.font.family == theme.FONT_FAMILY
    assert fig.layout.template.layout.paper_bgcolor == "#ffffff"
    # changing the returned template changes no later figure
    F.template().layout.font.size = 99
    assert theme.new_figure("y").layout.template.layout.font.size == 13


def test_question_and_role_colours():
    assert len({theme.question_color(n) for n in range(1, 15)}) == 14
    assert theme.question_color(None) == theme.NO_QUESTION_COLOR
    assert theme.role_color("advocate") != theme.role_color("self_promoter")
    assert theme.role_label("self_promoter") == "Self-promoter"
    assert theme.role_label(XSS).startswith("&lt;script")


# ---------------------------------------------------------------------------------------------------------- flow


def flow_frames():
    minutes = pl.DataFrame({
        "session_id": ["s"] * 6 + ["other"],
        "minute": [0, 0, 1, 3, 3, 4, 0],
        "question": [None, 1, 1, 1, 2, 2, 1],
        "messages": [1, 3, 2, 1, 3, 4, 9],
        "share": [0.25, 0.75, 1.0, 0.25, 0.75, 1.0, 1.0],
    })
    questions = pl.DataFrame({
        "session_id": ["s", "s", "s", "other"],
        "question": [1, 2, 3, 1],
        "text": [f"Q1 {XSS}", "Q2 How?", "Q3 never posted", "Q1 other"],
        "planned_at": [t(0), t(2), t(4), t(0)],
        "posted_at": [t(0.5), t(3.25), None, t(1)],
    })
    sessions = pl.DataFrame({"session_id": ["s", "other"], "start": [T0, T0], "end": [t(4), t(60)]})
    return minutes, questions, sessions


def test_flow_chart_traces_shares_and_question_marks():
    minutes, questions, sessions = flow_frames()
    fig = F.flow_chart(minutes, questions, sessions=sessions, session_id="s")
    assert [trace.name for trace in fig.data] == ["Q1", "Q2", "Not on a question"]
    assert all(trace.stackgroup == "share" for trace in fig.data)
    q1, q2, none = fig.data
    # minutes with messages only, each drawn at its centre; a minute's shares stack to 1
    assert q1.x.tolist() == [0.5, 1.5, 3.5, 4.5]
    assert q1.y.tolist() == [0.75, 1.0, 0.25, 0.0]
    assert q2.y.tolist() == [0.0, 0.0, 0.75, 1.0]
    assert none.y.tolist() == [0.25, 0.0, 0.0, 0.0]
    assert np.allclose(q1.y + q2.y + none.y, 1.0)
    assert none.fillcolor == theme.NO_QUESTION_COLOR and q1.fillcolor == theme.question_color(1)
    # message counts of the minute travel in customdata: [minute, messages of the layer, messages of the minute]
    assert q1.customdata.tolist()[0] == [0, 3, 4]
    shapes = {s.name: s for s in fig.layout.shapes if s.name}
    assert shapes["Q1 planned"].x0 == 0 and shapes["Q1 planned"].line.dash == "dash"
    assert shapes["Q1 posted"].x0 == 0.5 and shapes["Q1 posted"].line.dash == "solid"
    assert shapes["Q2 planned"].x0 == 2 and shapes["Q2 posted"].x0 == 3.25
    assert shapes["Q3 planned"].x0 == 4 and "Q3 posted" not in shapes  # skipped question: planned only
    labels = {a.text for a in fig.layout.annotations}
    assert {"Q1 planned", "Q1 posted", "Q2 planned", "Q2 posted", "Q3 planned"} <= labels
    assert "Q3 posted" not in labels
    assert fig.layout.xaxis.title.text == "Minutes since the chat started"
    assert fig.layout.yaxis.tickformat == ".0%" and tuple(fig.layout.yaxis.range) == (0, 1)
    assert "s" in fig.layout.title.text


def test_flow_chart_escapes_question_text_and_keeps_it_out_of_templates():
    minutes, questions, sessions = flow_frames()
    fig = F.flow_chart(minutes, questions, sessions=sessions, session_id="s")
    q1 = fig.data[0]
    assert q1.meta == "Q1 &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert "<script>" not in all_text(fig)
    assert "script" not in q1.hovertemplate  # user text never enters a hover template (no %{…} injection)


def test_flow_chart_start_can_be_given_directly_and_picks_the_last_session_by_default():
    minutes, questions, _ = flow_frames()
    fig = F.flow_chart(minutes.filter(pl.col("session_id") == "s"), questions, start=T0)
    assert {s.name for s in fig.layout.shapes} >= {"Q1 planned", "Q2 posted"}
    # several sessions and no session_id: the last one ('s' > 'other')
    fig = F.flow_chart(minutes, questions, start=T0)
    assert "— s" in fig.layout.title.text and fig.data[0].x.tolist() == [0.5, 1.5, 3.5, 4.5]


def test_flow_chart_without_start_draws_shares_and_says_times_are_missing():
    minutes, questions, _ = flow_frames()
    fig = F.flow_chart(minutes, questions, session_id="s")
    assert len(fig.data) == 3 and not fig.layout.shapes
    assert any("start is unknown" in a.text for a in fig.layout.annotations)


def test_flow_chart_shades_the_tail_after_the_end():
    minutes, questions, sessions = flow_frames()
    fig = F.flow_chart(minutes, questions, sessions=sessions, session_id="s")
    tail = [s for s in fig.layout.shapes if s.name == "after the end"]
    assert len(tail) == 1 and tail[0].x0 == 4


@pytest.mark.parametrize(("minutes_rows", "question_rows", "expected"), [
    (0, 0, "No messages in this session's chat window"),
    (1, 0, "No questions detected in this session — add an agenda to chat.yaml"),
])
def test_flow_chart_empty_states(minutes_rows, question_rows, expected):
    minutes = pl.DataFrame({"session_id": ["s"], "minute": [0], "question": [None], "messages": [2],
                            "share": [1.0]}, schema_overrides={"question": pl.Int64}).head(minutes_rows)
    questions = pl.DataFrame(schema={"session_id": pl.String, "question": pl.Int64, "planned_at": pl.Datetime("us",
                                                                                                              "UTC")})
    fig = F.flow_chart(minutes, questions.head(question_rows), start=T0)
    assert is_empty(fig)
    assert expected in fig.layout.annotations[0].text
    assert fig.layout.title.text


def test_flow_chart_from_the_flow_module():
    from moderator_kit.flow import assign_questions, detect_questions, flow_minutes

    msgs = messages_frame([
        {"author_handle": "mod", "created_at": at(1), "text": "Q1: What helped?"},
        {"author_handle": "ann", "created_at": at(2), "text": "A1: practice"},
        {"author_handle": "bob", "created_at": at(2.5), "text": "hello all"},
        {"author_handle": "mod", "created_at": at(10), "text": "Q2: What next?"},
        {"author_handle": "ann", "created_at": at(11), "text": "A2: rest"},
    ]).with_columns(session_id=pl.lit("2026-01-05"), phase=pl.lit("chat"))
    sessions = pl.DataFrame({"session_id": ["2026-01-05"], "start": [at(0)], "end": [at(60)]})
    config = parse_config({"chat": "demo", "moderators": ["mod"]})
    questions = detect_questions(msgs, sessions, config, ["mod"])
    assignments = assign_questions(msgs, questions, ["mod"])
    fig = F.flow_chart(flow_minutes(msgs, assignments, sessions), questions, sessions=sessions)
    assert [trace.name for trace in fig.data][:2] == ["Q1", "Q2"]
    posted = {s.name: s.x0 for s in fig.layout.shapes if s.name and s.name.endswith("posted")}
    assert posted == {"Q1 posted": 1.0, "Q2 posted": 10.0}


def test_herding_gauge():
    fig = F.herding_gauge(72.456, f"0.4 × on-agenda 0.8 {XSS}")
    indicator = fig.data[0]
    # the gauge draws the value the cards print (fmt_score): 86.5 is 87 on the gauge and on every card
    assert isinstance(indicator, go.Indicator) and indicator.value == 72
    assert F.herding_gauge(86.5).data[0].value == 87 and fmt_score(86.5) == "87"
    assert tuple(indicator.gauge.axis.range) == (0, 100)
    assert [tuple(s.range) for s in indicator.gauge.steps] == [(0, 40), (40, 70), (70, 100)]
    assert "&lt;script&gt;" in fig.layout.annotations[0].text and "<script>" not in all_text(fig)
    assert F.herding_gauge(140).data[0].value == 100  # clipped to the scale
    mapping = F.herding_gauge(50, {"on_agenda": 0.8, "pace": None})
    assert mapping.layout.annotations[0].text == "on-agenda 80% · pace n/a"


@pytest.mark.parametrize("score", [None, float("nan")])
def test_herding_gauge_empty_state(score):
    fig = F.herding_gauge(score, "no questions in this session (no agenda, no Qn posts)")
    assert is_empty(fig)
    assert "no questions in this session" in fig.layout.annotations[0].text


# ------------------------------------------------------------------------------------------------------ activity


def minute_frame():
    return pl.DataFrame({
        "session_id": ["s"] * 5,
        "minute": [-30, -1, 0, 1, 70],
        "messages": [1, 2, 5, 3, 4],
        "originals": [1, 2, 4, 2, 4],
        "reposts": [0, 0, 1, 1, 0],
        "replies": [0, 1, 2, 0, 3],
        "active_authors": [1, 1, 3, 2, 2],
    })


def test_timeline_chart_stacks_posts_replies_reposts_and_shades_the_chat():
    fig = F.timeline_chart(minute_frame(), chat_minutes=60)
    assert [trace.name for trace in fig.data] == ["Original posts", "Replies", "Reposts"]
    posts, replies, reposts = fig.data
    assert posts.x.tolist() == [-30, -1, 0, 1, 70]
    assert posts.y.tolist() == [1, 1, 2, 2, 1]  # originals - replies
    assert replies.y.tolist() == [0, 1, 2, 0, 3] and reposts.y.tolist() == [0, 0, 1, 1, 0]
    assert (posts.y + replies.y + reposts.y).tolist() == minute_frame()["messages"].to_list()
    assert fig.layout.barmode == "stack"
    window = [s for s in fig.layout.shapes if s.name == "in-chat window"]
    assert len(window) == 1 and (window[0].x0, window[0].x1) == (0, 60)
    assert tuple(fig.layout.xaxis.range) == (-15, 71)
    assert fig.layout.title.subtitle.text.startswith("1 more message before")  # minute -30; minute 70 is in view
    wide = F.timeline_chart(minute_frame(), chat_minutes=40)
    assert tuple(wide.layout.xaxis.range) == (-15, 55) and wide.layout.title.subtitle.text.startswith("5 more")
    assert fig.layout.yaxis.title.text == "Messages per minute"


def test_timeline_chart_reads_the_window_from_sessions_or_marks_the_start():
    sessions = pl.DataFrame({"session_id": ["s"], "start": [T0], "end": [t(45)]})
    fig = F.timeline_chart(minute_frame(), sessions=sessions)
    assert [(s.x0, s.x1) for s in fig.layout.shapes if s.name == "in-chat window"] == [(0, 45)]
    fig = F.timeline_chart(minute_frame())
    assert [s.name for s in fig.layout.shapes] == ["chat starts"]


def test_timeline_chart_from_minute_series_and_empty_state():
    from moderator_kit.engagement import minute_series

    msgs = messages_frame([
        {"author_handle": "a", "created_at": at(0.5)},
        {"author_handle": "b", "created_at": at(1.2), "kind": "reply", "reply_to_message_id": "1"},
        {"author_handle": "c", "created_at": at(1.5), "kind": "repost", "repost_of_message_id": "1"},
    ]).with_columns(session_id=pl.lit("s"), phase=pl.lit("chat"))
    sessions = pl.DataFrame({"session_id": ["s"], "start": [at(0)], "end": [at(3)]})
    fig = F.timeline_chart(minute_series(msgs, sessions), sessions=sessions)
    assert fig.data[0].y.tolist() == [1, 0, 0] and fig.data[1].y.tolist() == [0, 1, 0]
    assert fig.data[2].y.tolist() == [0, 1, 0]
    empty = F.timeline_chart(minute_series(msgs.clear(), sessions))
    assert is_empty(empty) and "No messages" in empty.layout.annotations[0].text


def test_top_entities_chart_orders_escapes_and_limits():
    entities = pl.DataFrame({
        "session_id": ["s"] * 4 + ["t"],
        "entity": ["hashtag", "hashtag", "hashtag", "word", "hashtag"],
        "value": ["jobs", XSS, "careers", "resume", "jobs"],
        "count": [5, 2, 7, 9, 4],
        "rank": [2, 3, 1, 1, 1],
    })
    fig = F.top_entities_chart(entities, "hashtag", session_id="s", n=2)
    bar = fig.data[0]
    assert bar.x.tolist() == [7, 5] and list(fig.layout.yaxis.ticktext) == ["#careers", "#jobs"]
    assert list(fig.layout.yaxis.tickvals) == [0, 1] and fig.layout.yaxis.autorange == "reversed"
    both = F.top_entities_chart(entities, "hashtag")  # sessions summed
    assert both.data[0].x.tolist() == [9, 7, 2]
    assert "#&lt;script&gt;" in both.layout.yaxis.ticktext[2]
    assert "<script>" not in all_text(both)
    assert is_empty(F.top_entities_chart(entities, "url"))


def test_top_entities_chart_from_the_engagement_module():
    from moderator_kit.engagement import top_entities

    msgs = pl.DataFrame({
        "session_id": ["s", "s", "s"], "phase": ["chat"] * 3, "kind": ["post"] * 3,
        "text": ["#jobs tips", "#jobs again", "#cv"], "hashtags": [["jobs"], ["jobs"], ["cv"]], "urls": [[], [], []],
    }, schema_overrides={"urls": pl.List(pl.String)})
    fig = F.top_entities_chart(top_entities(msgs), "hashtag")
    assert list(fig.layout.yaxis.ticktext) == ["#jobs", "#cv"] and fig.data[0].x.tolist() == [2, 1]


# ------------------------------------------------------------------------------------------------------- network


def network_frames(n_edges: int = 6):
    handles = ["mod", "ann", "bob", XSS, "eve"]
    nodes = pl.DataFrame({
        "handle": handles,
        "pagerank": [0.4, 0.2, 0.2, 0.1, 0.1],
        "in_degree": [4, 1, 1, 0, 0], "out_degree": [0, 2, 2, 1, 1],
        "betweenness": [0.0, 0.1, 0.0, 0.0, 0.0],
        "community": [0, 0, 1, 1, 2],
        "kcore": [2, 2, 1, 1, 1],
        "is_moderator": [True, False, False, False, False],
        "x": [0.0, 1.0, -1.0, 0.5, -0.5], "y": [0.0, 0.5, 0.5, -1.0, -1.0],
    })
    edges = pl.DataFrame({
        "source": ["ann", "bob", XSS, "eve", "ann", "bob"],
        "target": ["mod", "mod", "mod", "mod", "bob", "ann"],
        "weight": [6, 5, 4, 3, 2, 1],
        "reply": [6, 0, 4, 0, 1, 1],
        "mention": [0, 5, 0, 0, 1, 0],
        "repost": [0, 0, 0, 3, 0, 0],
        "quote": [0, 0, 0, 0, 0, 0],
    }).head(n_edges)
    return nodes, edges


def segments(trace) -> int:
    assert len(trace.x) % 3 == 0
    assert np.isnan(np.asarray(trace.x, dtype=float)[2::3]).all()  # NaN separators between segments
    return len(trace.x) // 3


def test_network_figure_draws_one_line_trace_per_edge_type_with_separators():
    nodes, edges = network_frames()
    fig = F.network_figure(nodes, edges)
    lines = [trace for trace in fig.data if trace.mode == "lines"]
    # the legend counts interactions (12 replies, 6 mentions, 3 reposts: 21 = the weights), the lines draw ties
    assert [trace.name for trace in lines] == ["Replies (12)", "Mentions (6)", "Reposts (3)"]
    assert [segments(trace) for trace in lines] == [4, 2, 1]
    assert fig.layout.meta["interactions_total"] == int(edges["weight"].sum()) == 21
    assert "6 ties from 21 interactions" in fig.layout.title.subtitle.text
    assert all(trace.hoverinfo == "skip" for trace in lines)
    # the first reply segment goes ann (1, .5) -> mod (0, 0)
    assert np.allclose(np.asarray(lines[0].x[:2], dtype=float), [1.0, 0.0])
    assert fig.layout.meta["edges_total"] == 6 and fig.layout.meta["edges_shown"] == 6
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.xaxis.visible is False


@pytest.mark.parametrize("max_edges", [0, 1, 3, 6, 100])
def test_network_figure_respects_max_edges_keeping_the_strongest(max_edges):
    nodes, edges = network_frames()
    fig = F.network_figure(nodes, edges, max_edges=max_edges)
    shown = min(max_edges, 6)
    assert fig.layout.meta["edges_shown"] == shown
    lines = [trace for trace in fig.data if trace.mode == "lines"]
    drawn_pairs = set()
    for trace in lines:
        xs = np.asarray(trace.x, dtype=float).reshape(-1, 3)[:, :2]
        drawn_pairs.update(map(tuple, xs.round(3)))
    assert len(drawn_pairs) == shown
    if shown == 1:  # the strongest: ann -> mod
        assert drawn_pairs == {(1.0, 0.0)}


def test_network_figure_filters_edge_types_and_rejects_unknown_ones():
    nodes, edges = network_frames()
    fig = F.network_figure(nodes, edges, edge_types=["mention", "repost"])
    assert [trace.name for trace in fig.data if trace.mode == "lines"] == ["Mentions (6)", "Reposts (3)"]
    assert fig.layout.meta["edges_total"] == 3
    with pytest.raises(ValueError, match="unknown edge types"):
        F.network_figure(nodes, edges, edge_types=["like"])
    with pytest.raises(ValueError, match="color_by"):
        F.network_figure(nodes, edges, color_by="pagerank")


def test_network_figure_nodes_sized_by_pagerank_and_grouped_by_community():
    nodes, edges = network_frames()
    fig = F.network_figure(nodes, edges)
    node_traces = [trace for trace in fig.data if trace.mode != "lines"]
    # a community of one (eve) is no community: grouped with the isolates, as the page's "Communities" counts
    assert [trace.name for trace in node_traces] == ["Community 0 · 2 people", "Community 1 · 2 people",
                                                      "No community (isolates) · 1 person"]
    sizes = {row[0]: size for trace in node_traces for row, size in zip(trace.customdata, trace.marker.size)}
    assert sizes["mod"] == pytest.approx(34.0) and sizes["mod"] > sizes["ann"] > sizes["eve"]
    mod_trace = node_traces[0]
    assert list(mod_trace.marker.line.width) == [0.6, 2.5]  # sorted by handle: ann, mod → mod gets the ring
    few = F.network_figure(nodes, edges, max_groups=1)
    assert [trace.name for trace in few.data if trace.mode != "lines"] == [
        "Community 0 · 2 people", "Smaller communities · 2 people", "No community (isolates) · 1 person"]


def test_network_community_colours_follow_the_id_not_the_rank_among_the_people_drawn():
    nodes, edges = network_frames()
    colours = lambda fig: {t.name.split(" · ")[0]: t.marker.color for t in fig.data if t.mode != "lines"}  # noqa
    full = colours(F.network_figure(nodes, edges))
    # a replay step where community 1 has more people drawn than community 0: it keeps its colour
    part = nodes.filter(pl.col("handle") != "mod").with_columns(community_size=pl.Series([2, 2, 2, 2]))
    early = colours(F.network_figure(part, edges))  # ann alone of community 0, bob and another of community 1
    assert early["Community 1"] == full["Community 1"] and early["Community 0"] == full["Community 0"]


def test_network_figure_escapes_handles_in_hover_and_labels():
    nodes, edges = network_frames()
    fig = F.network_figure(nodes, edges)
    hover_handles = [row[0] for trace in fig.data if trace.mode != "lines" for row in trace.customdata]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in hover_handles
    assert XSS not in hover_handles
    assert "@&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in [x for tr in fig.data if tr.text for x in tr.text]
    serialised = all_text(fig)
    assert "<script>" not in serialised and "onerror" not in serialised


def test_network_figure_colours_by_role_from_the_roles_frame():
    nodes, edges = network_frames()
    roles = pl.DataFrame({"session_id": [None, None, None], "handle": ["mod", "ann", XSS],
                          "primary_role": ["moderator", "advocate", IMG]})
    fig = F.network_figure(nodes, edges, color_by="role", roles=roles)
    names = [trace.name for trace in fig.data if trace.mode != "lines"]
    assert names[:2] == ["Moderator", "Advocate"] and "Unknown" in names
    odd = [trace for trace in fig.data if trace.mode != "lines" and "img" in trace.name]
    assert odd and odd[0].name.startswith("&lt;img")
    assert "onerror=\"" not in all_text(fig)


def test_network_labels_never_overlap_in_a_dense_core():
    """Eight people in a tight core and two far away: the top handle is written, no two handles share space (a
    handle that fits nowhere is left to the hover), and the far ones keep theirs."""
    core = [f"person_{i}" for i in range(8)]
    nodes = pl.DataFrame({
        "handle": [*core, "far_left", "far_right"],
        "pagerank": [0.3 - 0.02 * i for i in range(8)] + [0.01, 0.01],
        "x": [0.01 * i for i in range(8)] + [-10.0, 10.0], "y": [0.01 * i for i in range(8)] + [0.0, 0.0],
    })
    fig = F.network_figure(nodes, None, color_by="role")
    labelled = [(t, at, x, y) for tr in fig.data if tr.mode == "markers+text"
                for t, at, x, y in zip(tr.text, tr.textposition, tr.x, tr.y) if t]
    handles = {t for t, *_ in labelled}
    assert "@person_0" in handles and {"@far_left", "@far_right"} <= handles
    assert len(handles & {f"@{h}" for h in core}) <= 8  # eight spots around one point, at most
    spots = [(round(x, 2), round(y, 2), at) for _, at, x, y in labelled]
    assert len(spots) == len(set(spots))


def test_network_figure_empty_states():
    nodes, edges = network_frames()
    assert "No interactions" in F.network_figure(nodes.clear(), edges).layout.annotations[0].text
    no_layout = F.network_figure(nodes.drop("x", "y"), edges)
    assert is_empty(no_layout) and "moderator-kit analyze" in no_layout.layout.annotations[0].text


def test_network_figure_uses_webgl_for_big_traces():
    n = GL_THRESHOLD + 10
    nodes = pl.DataFrame({"handle": [f"u{i}" for i in range(n)], "pagerank": [1.0 / n] * n, "community": [0] * n,
                          "x": np.linspace(-1, 1, n), "y": np.linspace(1, -1, n)})
    edges = pl.DataFrame({"source": [f"u{i}" for i in range(n - 1)], "target": [f"u{i + 1}" for i in range(n - 1)],
                          "weight": [1] * (n - 1), "reply": [1] * (n - 1), "mention": [0] * (n - 1),
                          "repost": [0] * (n - 1), "quote": [0] * (n - 1)})
    fig = F.network_figure(nodes, edges, max_edges=1000)
    assert isinstance(fig.data[0], go.Scattergl) and segments(fig.data[0]) == 1000
    assert isinstance(fig.data[1], go.Scattergl)
    small = F.network_figure(*network_frames())
    assert all(isinstance(trace, go.Scatter) for trace in small.data)


def test_layout_positions_deterministic_scaled_and_covers_every_handle():
    nodes, edges = network_frames()
    pos = F.layout_positions(nodes.drop("x", "y"), edges, seed=7)
    assert pos.columns == ["handle", "x", "y"] and pos.height == 5
    assert sorted(pos["handle"].to_list()) == pos["handle"].to_list()
    assert pos.equals(F.layout_positions(nodes.drop("x", "y").reverse(), edges.reverse(), seed=7))
    assert not pos.equals(F.layout_positions(nodes, edges, seed=8))
    assert float(pos.select(pl.max_horizontal(pl.col("x").abs().max(), pl.col("y").abs().max())).item()) == 1.0
    assert F.layout_positions(None, None).height == 0


def test_network_figure_from_the_graph_module_with_layout_positions():
    from moderator_kit.graph import build_graph, edges_frame, node_metrics

    msgs = messages_frame([
        {"author_handle": "mod", "created_at": at(0), "text": "Q1 hi"},
        {"author_handle": XSS, "created_at": at(1), "kind": "reply", "reply_to_message_id": "1",
         "reply_to_author_handle": "mod", "mentions": ["ann"]},
        {"author_handle": "ann", "created_at": at(2), "kind": "repost", "repost_of_message_id": "1",
         "repost_of_author_handle": "mod"},
        {"author_handle": "bob", "created_at": at(3), "kind": "quote", "quote_of_message_id": "1",
         "quote_of_author_handle": "mod"},
    ]).with_columns(session_id=pl.lit("s1"), phase=pl.lit("chat"))
    graph = build_graph(msgs)
    nodes, edges = node_metrics(graph, moderators=["mod"]), edges_frame(graph)
    placed = nodes.join(F.layout_positions(nodes, edges), on="handle")
    fig = F.network_figure(placed, edges)
    assert [trace.name for trace in fig.data if trace.mode == "lines"] == [
        "Replies (1)", "Mentions (1)", "Reposts (1)", "Quotes (1)"]
    assert sum(len(trace.customdata) for trace in fig.data if trace.mode != "lines") == 4
    assert "<script>" not in all_text(fig)


# -------------------------------------------------------------------------------------------------------- people


def test_roles_chart_counts_people_once_in_role_order():
    roles = pl.DataFrame({
        "session_id": ["s1", "s1", "s2", "s2", None, None, None],
        "handle": ["mod", "ann", "ann", XSS, "mod", "ann", XSS],
        "primary_role": ["moderator", "newcomer", "advocate", "spam", "moderator", "advocate", "spam"],
    })
    history = F.roles_chart(roles)  # history rows (session_id null) stand for the chat
    assert list(history.data[0].y) == ["Moderator", "Advocate", "Spam"] and history.data[0].x.tolist() == [1, 1, 1]
    one = F.roles_chart(roles, session_id="s1")
    assert list(one.data[0].y) == ["Moderator", "Newcomer"] and "s1" in one.layout.title.text
    sessions_only = F.roles_chart(roles.filter(pl.col("session_id").is_not_null()))
    assert dict(zip(sessions_only.data[0].y, sessions_only.data[0].x.tolist())) == {
        "Moderator": 1, "Advocate": 1, "Spam": 1}  # ann counted once, under her last session's role
    assert "&lt;script&gt;" in history.data[0].customdata[2][0] and "<script>" not in all_text(history)
    assert is_empty(F.roles_chart(roles.clear()))


def test_roles_chart_from_assign_roles():
    from moderator_kit.people import assign_roles, participant_signals

    msgs = messages_frame([{"author_handle": "mod", "created_at": at(0), "text": "Q1 Welcome!"},
                           {"author_handle": "ann", "created_at": at(1), "text": "hi"}]).with_columns(
        session_id=pl.lit("s1"), phase=pl.lit("chat"))
    roles = assign_roles(participant_signals(msgs), None, None, moderators=["mod"], sponsor_handles=[])
    fig = F.roles_chart(roles)
    assert list(fig.data[0].y) == ["Moderator", "Participant"] and fig.data[0].x.tolist() == [1, 1]


def test_participant_history_chart():
    signals = pl.DataFrame({
        "session_id": ["s2", "s1", None, "s1"], "handle": ["ann", "ann", "ann", "bob"],
        "answers": [3, 1, 4, 9], "replies_given": [2, 0, 2, 9], "replies_received": [1, None, 1, 9],
        "mentions_received": [0, 4, 4, 9],
    })
    fig = F.participant_history_chart(signals, handle="@Ann")
    assert [trace.name for trace in fig.data] == ["Answers to agenda questions", "Replies given", "Replies received",
                                                  "Mentions received"]
    assert list(fig.data[0].x) == ["s1", "s2"] and fig.data[0].y.tolist() == [1, 3]
    assert fig.data[2].y.tolist() == [0, 1] and fig.layout.barmode == "group"
    assert fig.layout.title.text == "@ann across sessions"
    only = F.participant_history_chart(signals, handle="ann", metrics=["answers"])
    assert len(only.data) == 1
    xss = F.participant_history_chart(signals.with_columns(handle=pl.lit(XSS)), handle=XSS)
    assert "<script>" not in all_text(xss) and "&lt;script&gt;" in xss.layout.title.text
    assert is_empty(F.participant_history_chart(signals, handle="nobody"))


# -------------------------------------------------------------------------------------------------------- trends


RETENTION_MSGS = pl.DataFrame({
    "session_id": ["s1", "s1", "s2", "s2", "s2", "s3", "s3"], "phase": ["chat"] * 7,
    "author_handle": ["ann", "bob", "cy", "ann", "dee", "cy", "ann"], "kind": ["post"] * 7,
    "reply_to_author_handle": [None, None, None, "cy", None, None, None],
})
RETENTION_SESSIONS = pl.DataFrame({"session_id": ["s1", "s2", "s3"], "number": [1, 2, 3]})


def test_participants_trend_from_retention_and_engagement():
    from moderator_kit.engagement import engagement_by_session
    from moderator_kit.people import retention_by_session

    retention = retention_by_session(RETENTION_MSGS, RETENTION_SESSIONS)
    engagement = engagement_by_session(RETENTION_MSGS)
    fig = F.participants_trend(engagement, retention.reverse())
    new, returning, active = fig.data
    assert (new.name, returning.name, active.name) == ("New", "Returning", "Active participants")
    assert list(new.x) == ["s1", "s2", "s3"]
    assert new.y.tolist() == [2, 2, 0] and returning.y.tolist() == [0, 1, 2]
    assert active.y.tolist() == [2, 3, 2] and fig.layout.barmode == "stack"
    assert len(F.participants_trend(None, retention).data) == 2
    assert is_empty(F.participants_trend(engagement, retention.clear()))


def test_cohort_heatmap_from_cohort_matrix():
    from moderator_kit.people import cohort_matrix

    fig = F.cohort_heatmap(cohort_matrix(RETENTION_MSGS, RETENTION_SESSIONS))
    heat = fig.data[0]
    assert list(heat.y) == ["s1", "s2"] and list(heat.x) == [0, 1, 2]
    z = np.asarray(heat.z, dtype=float)
    assert z[0].tolist() == [1.0, 0.5, 0.5] and z[1, :2].tolist() == [1.0, 0.5] and math.isnan(z[1, 2])
    assert heat.text[0].tolist() == ["100%", "50%", "50%"] and heat.text[1][2] == ""
    assert heat.customdata[0][1].tolist() == [1.0, 2.0]  # retained 1 of a cohort of 2
    assert (heat.zmin, heat.zmax) == (0, 1) and fig.layout.yaxis.autorange == "reversed"
    assert is_empty(F.cohort_heatmap(cohort_matrix(RETENTION_MSGS.clear(), RETENTION_SESSIONS)))


def test_first_timer_return_chart_from_first_timer_return():
    from moderator_kit.people import first_timer_return

    frame = first_timer_return(RETENTION_MSGS, RETENTION_SESSIONS, include_first_session=True)
    fig = F.first_timer_return_chart(frame)
    bar = fig.data[0]
    assert list(bar.x) == ["Got a reply", "Got no reply"]
    assert bar.y.tolist() == [1.0, 1 / 3]
    assert list(bar.text) == ["1 of 1 came back (100%)", "1 of 3 came back (33%)"]
    one_sided = pl.DataFrame({"got_reply": [True, False], "newcomers": [0, 2], "returned": [0, 1],
                              "rate": [None, 0.5]})
    assert list(F.first_timer_return_chart(one_sided).data[0].text) == ["no first-timers", "1 of 2 came back (50%)"]
    two_sessions = RETENTION_MSGS.filter(pl.col("session_id") != "s3")
    empty = F.first_timer_return_chart(first_timer_return(two_sessions, RETENTION_SESSIONS.head(2)))
    assert is_empty(empty) and "at least three sessions" in empty.layout.annotations[0].text


def test_herding_trend():
    flow = pl.DataFrame({
        "session_id": ["s2", "s1", "s3"], "herding_score": [80.0, 60.0, None],
        "on_agenda_share": [0.9, 0.5, None], "pace_adherence": [0.7, 0.6, None], "spillover_share": [0.2, 0.4, None],
        "herding_score_parts": ["a", XSS, "no questions in this session"],
    })
    fig = F.herding_trend(flow)
    assert [trace.name for trace in fig.data] == ["Herding score", "On-agenda share", "Pace adherence",
                                                  "Answers before the next question"]
    assert list(fig.data[0].x) == ["s1", "s2", "s3"]
    assert fig.data[0].y[:2].tolist() == [60.0, 80.0] and math.isnan(fig.data[0].y[2])
    assert fig.data[3].y[:2].tolist() == pytest.approx([60.0, 80.0])
    assert "<script>" not in all_text(fig)
    assert is_empty(F.herding_trend(flow.with_columns(herding_score=pl.lit(None, dtype=pl.Float64))))


def test_reach_trend_from_reach_by_session():
    msgs = messages_frame([
        {"author_handle": "ann", "author_followers": 1000, "created_at": at(0)},
        {"author_handle": "bob", "author_followers": 3000, "created_at": at(1)},
        {"author_handle": "ann", "author_followers": 1000, "created_at": at(2)},
    ]).with_columns(session_id=pl.Series(["s1", "s1", "s2"]))
    reach = reach_by_session(msgs, parse_config({"chat": "x"}))
    fig = F.reach_trend(reach)
    low, high, mid = fig.data
    assert low.y.tolist() == [40.0, 10.0] and mid.y.tolist() == [200.0, 50.0] and high.y.tolist() == [800.0, 200.0]
    assert high.fill == "tonexty" and list(mid.x) == ["s1", "s2"]
    assert mid.customdata[0].tolist() == ["followers", 4000.0]
    discord = reach_by_session(msgs.with_columns(platform=pl.lit("discord"), author_followers=None),
                               parse_config({"chat": "x"}))
    empty = F.reach_trend(discord)
    assert is_empty(empty) and "audience_members" in empty.layout.annotations[0].text


# ------------------------------------------------------------------------------------------------------- sponsor


@pytest.fixture(scope="module")
def sponsored():
    rows = [
        {"author_handle": "acme", "author_followers": 5000, "text": "Welcome from @acme", "session_id": "s1"},
        {"author_handle": "ann", "author_followers": 1000, "kind": "reply", "reply_to_message_id": "1",
         "reply_to_author_handle": "acme", "mentions": ["acme"], "session_id": "s1"},
        {"author_handle": XSS, "author_followers": 200, "hashtags": ["acmejobs"], "session_id": "s1"},
        {"author_handle": "eve", "author_followers": 100, "session_id": "s2", "mentions": ["acme"]},
        {"author_handle": "fay", "author_followers": 400, "session_id": "s2"},
    ]
    frame = messages_frame([{**{k: v for k, v in r.items() if k != "session_id"}, "created_at": at(i)}
                            for i, r in enumerate(rows)])
    msgs = frame.with_columns(session_id=pl.Series([r["session_id"] for r in rows]), phase=pl.lit("chat"))
    sponsor = Sponsor(name=f"Acme {XSS}", handles=["acme"], hashtags=["acmejobs"],
                      costs=Costs(fee=40, staff_hours=1, hourly_rate=10), benchmark_cpm=20)
    config = parse_config({"chat": "x"})
    roles = pl.DataFrame({"session_id": ["s1", "s1", "s2"], "handle": ["ann", XSS, "eve"],
                          "primary_role": ["advocate", "self_promoter", "newcomer"]})
    exposure = sponsor_exposure(msgs, sponsor, roles, config=config)
    value = sponsor_value(exposure, reach_by_session(msgs, config), sponsor, ExposureRates())
    return {"value": value, "mix": audience_mix(msgs, sponsor, roles), "sponsor": sponsor}


def test_roi_range_chart(sponsored):
    sv = sponsored["value"]
    fig = F.roi_range_chart(sv)
    bar = fig.data[0]
    assert bar.y == (sv.roi.low, sv.roi.mid, sv.roi.high)
    assert list(bar.x) == ["Low<br>1% seen", "Mid<br>5% seen", "High<br>20% seen"]
    expected = [theme.POSITIVE_COLOR if r >= 0 else theme.NEGATIVE_COLOR for r in bar.y]
    assert list(bar.marker.color) == expected
    assert list(bar.text) == [F.fmt_pct(r, signed=True) for r in bar.y]
    zero = [s for s in fig.layout.shapes if s.name == "break-even"]
    assert len(zero) == 1 and zero[0].y0 == 0 and zero[0].y1 == 0
    assert F.fmt_pct(sv.break_even_exposure_rate) in fig.layout.title.subtitle.text
    assert "&lt;script&gt;" in fig.layout.title.text and "<script>" not in all_text(fig)
    # the snapshot's JSON form draws the same figure
    assert F.roi_range_chart(sv.model_dump(mode="json")).to_json() == fig.to_json()


def test_roi_range_chart_empty_when_roi_is_undefined(sponsored):
    free = sponsored["value"].model_copy(update={"roi": sponsored["value"].roi.model_copy(
        update={"low": None, "mid": None, "high": None}), "unavailable": {"roi": "The cost is 0, so ROI is undefined"}})
    fig = F.roi_range_chart(free)
    assert is_empty(fig) and "The cost is 0" in fig.layout.annotations[0].text


def test_sensitivity_chart(sponsored):
    sv = sponsored["value"]
    fig = F.sensitivity_chart(sv, currency="€")
    heat = fig.data[0]
    rates = sorted({p.exposure_rate for p in sv.sensitivity})
    cpms = sorted({p.benchmark_cpm for p in sv.sensitivity})
    assert np.asarray(heat.z).shape == (len(cpms), len(rates))
    lookup = {(p.benchmark_cpm, p.exposure_rate): p.roi for p in sv.sensitivity}
    assert heat.z[cpms.index(20.0)][rates.index(0.05)] == pytest.approx(lookup[(20.0, 0.05)])
    # every cell reads as the ROI card and the ROI bars do (fmt_roi: one format, one rounding)
    from moderator_kit.formats import fmt_roi

    assert heat.text[cpms.index(20.0)][rates.index(0.05)] == fmt_roi(lookup[(20.0, 0.05)])
    assert all(t == fmt_roi(lookup[(c, r)]) for c, row in zip(cpms, heat.text) for r, t in zip(rates, row))
    assert list(fig.layout.xaxis.ticktext) == [F.fmt_pct(r) for r in rates]
    assert list(fig.layout.yaxis.ticktext) == [F.fmt_money(c, "€") for c in cpms]
    # white sits exactly at ROI 0
    lo, hi = heat.zmin, heat.zmax
    white = [stop for stop, colour in heat.colorscale if colour == "#f7f7f7"][0]
    assert lo + white * (hi - lo) == pytest.approx(0.0)
    odd = F.sensitivity_chart(sv, currency="<b>%{x}")
    assert "<b>" not in all_text(odd) and odd.layout.yaxis.ticktext[0].startswith("&lt;b&gt;")
    assert "%{x}" not in odd.data[0].hovertemplate  # the symbol travels in meta, outside the template
    box = [s for s in fig.layout.shapes if s.name == "configured scenario"]
    assert len(box) == 1 and box[0].x0 == rates.index(0.05) - 0.5 and box[0].y0 == cpms.index(20.0) - 0.5


@pytest.mark.parametrize(("lo", "hi", "expected"), [
    (-1.0, 1.0, [[0.0, theme.NEGATIVE_COLOR], [0.5, "#f7f7f7"], [1.0, theme.POSITIVE_COLOR]]),
    (0.5, 2.0, [[0.0, "#f7f7f7"], [1.0, theme.POSITIVE_COLOR]]),
    (-2.0, 0.0, [[0.0, theme.NEGATIVE_COLOR], [1.0, "#f7f7f7"]]),
])
def test_diverging_scale_is_white_at_zero(lo, hi, expected):
    assert _diverging(lo, hi) == expected


def test_audience_mix_chart(sponsored):
    fig = F.audience_mix_chart(sponsored["mix"])
    bar = fig.data[0]
    assert sorted(zip(bar.y, bar.x.tolist())) == [("Advocate", 1), ("Newcomer", 1), ("Self-promoter", 1)]
    assert all(text.endswith("33%") for text in bar.text)
    s1 = F.audience_mix_chart(sponsored["mix"], session_id="s1")
    assert list(s1.data[0].y) == ["Advocate", "Self-promoter"] and list(s1.data[0].text) == ["1 · 50%", "1 · 50%"]
    assert is_empty(F.audience_mix_chart(sponsored["mix"].clear()))


def test_sponsor_trend_chart(sponsored):
    sv = sponsored["value"]
    fig = F.sponsor_trend_chart(sv)
    names = [trace.name for trace in fig.data]
    assert names == ["Mentions", "Engaged people", "Sponsor's own posts", "Share of voice"]
    assert list(fig.data[0].x) == ["s1", "s2"]
    assert fig.data[0].y.tolist() == [t.sponsor_mentions for t in sv.trend]
    assert fig.data[3].yaxis == "y2" and fig.layout.yaxis2.overlaying == "y"
    empty = F.sponsor_trend_chart(sv.model_copy(update={"trend": []}))
    assert is_empty(empty)


def test_cost_breakdown_chart(sponsored):
    sv = sponsored["value"]
    fig = F.cost_breakdown_chart(sv)
    water = fig.data[0]
    assert list(water.x) == ["Fee", "Staff time", "Other", "Total"]
    assert water.y == (80.0, 20.0, 0.0, 100.0)  # (40 + 1 h × 10) × 2 sessions
    assert list(water.measure) == ["relative", "relative", "relative", "total"]
    assert list(water.text) == ["$80", "$20", "$0", "$100"]
    assert "× 2 sessions" in fig.layout.title.subtitle.text.replace("<br>", " ")  # subtitles wrap
    free = sv.model_copy(update={"costs": sv.costs.model_copy(update={"total": 0.0})})
    assert is_empty(F.cost_breakdown_chart(free))


# --------------------------------------------------------------------------------------------- every figure


def every_figure(sponsored):
    minutes, questions, sessions = flow_frames()
    nodes, edges = network_frames()
    sv = sponsored["value"]
    retention = pl.DataFrame({"session_id": ["s1"], "number": [1], "active": [2], "new": [2], "returning": [0],
                              "lapsed": [0], "returning_share": [0.0]})
    return {
        "flow": lambda: F.flow_chart(minutes, questions, sessions=sessions),
        "gauge": lambda: F.herding_gauge(55.0, "x"),
        "timeline": lambda: F.timeline_chart(minute_frame(), chat_minutes=60),
        "entities": lambda: F.top_entities_chart(pl.DataFrame({"session_id": ["s"], "entity": ["word"],
                                                               "value": ["hi"], "count": [1], "rank": [1]}), "word"),
        "network": lambda: F.network_figure(nodes, edges),
        "roles": lambda: F.roles_chart(pl.DataFrame({"handle": ["a"], "primary_role": ["seeker"]})),
        "history": lambda: F.participant_history_chart(pl.DataFrame({"session_id": ["s"], "handle": ["a"],
                                                                     "answers": [1]})),
        "participants": lambda: F.participants_trend(None, retention),
        "cohorts": lambda: F.cohort_heatmap(pl.DataFrame({"cohort": ["s1"], "session_id": ["s1"],
                                                          "sessions_since": [0], "retained": [2],
                                                          "cohort_size": [2], "share": [1.0]})),
        "first_timers": lambda: F.first_timer_return_chart(pl.DataFrame({"got_reply": [True, False],
                                                                         "newcomers": [1, 1], "returned": [1, 0],
                                                                         "rate": [1.0, 0.0]})),
        "herding": lambda: F.herding_trend(pl.DataFrame({"session_id": ["s"], "herding_score": [50.0]})),
        "reach": lambda: F.reach_trend(pl.DataFrame({"session_id": ["s"], "reach_basis": ["followers"],
                                                     "potential_impressions": [10], "impressions_low": [1.0],
                                                     "impressions_mid": [2.0], "impressions_high": [3.0]})),
        "roi": lambda: F.roi_range_chart(sv),
        "sensitivity": lambda: F.sensitivity_chart(sv),
        "mix": lambda: F.audience_mix_chart(sponsored["mix"]),
        "sponsor_trend": lambda: F.sponsor_trend_chart(sv),
        "costs": lambda: F.cost_breakdown_chart(sv),
    }


@pytest.mark.parametrize("name", ["flow", "gauge", "timeline", "entities", "network", "roles", "history",
                                  "participants", "cohorts", "first_timers", "herding", "reach", "roi",
                                  "sensitivity", "mix", "sponsor_trend", "costs"])
def test_every_figure_has_titles_serialises_and_is_deterministic(sponsored, name):
    build = every_figure(sponsored)[name]
    fig = build()
    assert isinstance(fig, go.Figure) and len(fig.data) >= 1 and not is_empty(fig)
    assert fig.layout.title.text
    assert fig.layout.template.layout.font.family == theme.FONT_FAMILY
    if name not in ("gauge", "network"):  # a gauge and a network have no axes to title
        assert fig.layout.xaxis.title.text or fig.layout.yaxis.title.text
    serialised = fig.to_json()
    json.loads(serialised)
    assert build().to_json() == serialised
