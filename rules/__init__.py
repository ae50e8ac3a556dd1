"""The adjudication rules: a case in, a decision out, every line citing the clause that decided it.

from rules import adjudicate, adjudicate_joint
"""

from rules.adjudicate import adjudicate, adjudicate_joint
from rules.catalog import ProductSummary, clause_text, get_catalog, list_products
from rules.errors import CaseError, ProductError
from rules.intake import parse_case, read_case_json

__all__ = [
    "CaseError",
    "ProductError",
    "ProductSummary",
    "adjudicate",
    "adjudicate_joint",
    "clause_text",
    "get_catalog",
    "list_products",
    "parse_case",
    "read_case_json",
]
