"""Persistence ports: one repository per aggregate and a unit of work that spans a use case."""

from domain.errors import DependencyUnavailable


class DatabaseUnavailable(DependencyUnavailable):
    """The database could not be reached or did not answer in time."""
