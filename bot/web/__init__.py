"""The web channel: the embeddable chat widget (widget.js) and its demo page at `/`."""

from bot.web.app import install

__all__ = ["install"]
