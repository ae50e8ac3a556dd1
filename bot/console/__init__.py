"""The hotline agents' console: login, the live list, one conversation, phone mode, audit.

`install(app)` mounts its pages, its JSON API and its static files on the web application.
"""

from bot.console.app import install

__all__ = ["install"]
