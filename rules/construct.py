"""Building output models without validating them again.

The rules build every Line, TraceStep and Decision from values they computed themselves, so
pydantic's validation would only re-check our own arithmetic, and it is most of the cost of an
adjudication. This does what the tail of BaseModel.model_construct does, without its per-field
loop, setting BaseModel's four slots through their descriptors (cheaper than object.__setattr__,
which looks each descriptor up again on every call).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_slots = BaseModel.__dict__
_set_dict = _slots["__dict__"].__set__
_set_fields_set = _slots["__pydantic_fields_set__"].__set__
_set_extra = _slots["__pydantic_extra__"].__set__
_set_private = _slots["__pydantic_private__"].__set__


def constructor(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """A builder of `cls` from a dict naming every field of it, defaults included."""
    # Shared by every instance: it already holds every field, so pydantic's `add` on
    # assignment never changes it.
    fields = set(cls.model_fields)
    new = cls.__new__

    def build(values: dict[str, Any]) -> M:
        model = new(cls)
        _set_dict(model, values)
        _set_fields_set(model, fields)
        _set_extra(model, None)
        _set_private(model, None)
        return model

    return build
