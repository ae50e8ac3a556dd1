"""Building output models without validating them again.

The rules build every Line, TraceStep and Decision from values they computed themselves, so
pydantic's validation would only re-check our own arithmetic, and it is most of the cost of an
adjudication. This mirrors the tail of BaseModel.model_construct without its per-field loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def constructor(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """A builder of `cls` from a dict naming every field of it, defaults included."""
    # Shared by every instance: it already holds every field, so pydantic's `add` on
    # assignment never changes it.
    fields = set(cls.model_fields)
    new = cls.__new__

    def build(values: dict[str, Any]) -> M:
        model = new(cls)
        _set(model, "__dict__", values)
        _set(model, "__pydantic_fields_set__", fields)
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model

    return build
