"""The two ways the rules refuse to answer: a case they cannot judge, a product file gone wrong."""

from __future__ import annotations


class CaseError(ValueError):
    """A case the rules cannot judge, with one (field path, message) per problem.

    The field path is written as in the case file: `policy.sum_insured`, `transactions[0].amount`.
    Messages are in Chinese: they reach the hotline agent and the CLI user as they are.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))

    def with_prefix(self, prefix: str) -> CaseError:
        """The same problems inside a larger document, e.g. `claims[1].`."""
        return CaseError([(f"{prefix}{field}", message) for field, message in self.problems])


class ProductError(ValueError):
    """A product file that does not load: names the file and the key or clause at fault."""
