"""Building output models without validating them again.

The rules build every Line, TraceStep and Decision from values they computed themselves, so
pydantic's validation would only re-check our own arithmetic, and it is most of the cost of an
adjudication. This mirrors the tail of BaseModel.model_construct without its per-field loop.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """`values` must name every field of `cls`, defaults included."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
