"""moderator-kit: analytics, dashboards and ROI reports for recurring online chats."""

from moderator_kit.errors import ModeratorKitError

__all__ = ["ModeratorKitError", "__version__"]

__version__ = "0.1.0"
