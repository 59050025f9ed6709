"""The page shown for an unknown address (Dash uses a page module named ``not_found_404`` for that)."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards.components.layout import empty_state, page_header

__all__ = ["layout"]

dash.register_page(__name__, path="/404", name="Not found", title="Not found · moderator-kit")


def layout(**_query: str) -> html.Div:
    return html.Div([
        page_header("Page not found"),
        empty_state("There is no page at this address",
                    "Pick a page in the bar above, or start from the overview.",
                    action=dcc.Link("Go to the overview →", href="/", className="mk-button mk-button--primary")),
    ])
