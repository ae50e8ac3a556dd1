"""Imported once by the kill trials' forkserver (never by the test process): the worker,
the engine, both stores and the dialog, with the dialog's caches warm.

pytest too: multiprocessing runs the parent's main script again in every child it forks,
and under pytest that script imports pytest (a few hundred ms each time, if not already in).
"""

import pytest  # noqa: F401

from tests.faults.kill_worker import warm

warm()
