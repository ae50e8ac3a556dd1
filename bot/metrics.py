"""Prometheus metrics of this process (served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram, Info

TURNS = Counter("lossline_turns_total", "Turns applied", ["channel"])
TURN_SECONDS = Histogram(
    "lossline_turn_seconds",
    "Time to apply one turn (load, step, commit, publish)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
HANDOFFS = Counter("lossline_handoffs_total", "Conversations handed to a human", ["channel"])
ERRORS = Counter("lossline_errors_total", "Error responses by code", ["code"])
CONVERSATIONS = Counter("lossline_conversations_total", "Conversations started", ["channel"])
# Which serving process answered a scrape: with several workers each has its own figures.
PROCESS = Info("lossline_process", "The serving process that answered (set at start-up)")
