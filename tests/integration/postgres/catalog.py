"""Reads a database's schema from the catalog, to compare schemas in tests."""

from typing import Any

import psycopg
from msgspec import Struct

TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1
"""
COLUMNS = """
SELECT table_name, column_name, ordinal_position, data_type, udt_name, column_default, is_nullable
FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 3
"""
CONSTRAINTS = """
SELECT t.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public' ORDER BY 1, 2
"""
INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
SEQUENCES = "SELECT sequencename, data_type::text FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"


class Schema(Struct, frozen=True):
    tables: list[str]
    columns: list[tuple[Any, ...]]
    constraints: list[tuple[Any, ...]]
    indexes: list[tuple[Any, ...]]
    sequences: list[tuple[Any, ...]]

    def names(self) -> set[str]:
        """Every identifier in the schema: tables, columns, constraints, indexes, sequences."""
        return (
            set(self.tables)
            | {column[1] for column in self.columns}
            | {constraint[1] for constraint in self.constraints}
            | {index[1] for index in self.indexes}
            | {sequence[0] for sequence in self.sequences}
        )


def read_schema(dsn: str) -> Schema:
    with psycopg.connect(dsn, connect_timeout=5) as conn:

        def rows(query: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in conn.execute(query).fetchall()]

        return Schema(
            tables=[row[0] for row in rows(TABLES)],
            columns=rows(COLUMNS),
            constraints=rows(CONSTRAINTS),
            indexes=rows(INDEXES),
            sequences=rows(SEQUENCES),
        )
