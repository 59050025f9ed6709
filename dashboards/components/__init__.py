"""Layout pieces shared by the dashboard's pages (cards, tables, links, the session picker)."""

__all__: list[str] = []
