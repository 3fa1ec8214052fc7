"""One vocabulary for where a request came from: a RequestOrigin, built from a request in one place
(`origin_of` in adapters/http/client_ip.py), carried to every session and audit entry, and turned
into an audit entry by one function (`AuditLog.record`)."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SERVICE = ("domain", "application", "adapters", "bootstrap")
ORIGIN_BUILDER = "adapters/http/client_ip.py"
LOOSE = {"ip", "user_agent"}


def _modules(*packages: str) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text())


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr if not isinstance(func.value, ast.Name) else f"{func.value.id}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def test_a1_use_cases_take_a_request_origin_never_loose_addresses_or_user_agents() -> None:
    loose = [
        (module, node.lineno, arg.arg)
        for module, tree in _modules("application")
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for arg in [*node.args.args, *node.args.kwonlyargs]
        if arg.arg in LOOSE
    ]
    # Nor a second type with the same fields: a class of the application holding an address.
    twins = [
        (module, node.lineno, node.name)
        for module, tree in _modules("application")
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for field in node.body
        if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name) and field.target.id == "ip"
        if node.name != "SessionView"  # what a user is shown of a session: its row, not a request
    ]
    assert loose == [] and twins == []


def test_a1_a_request_origin_is_built_from_a_request_in_one_place() -> None:
    # Nothing else builds one, nor reads the pieces it is made of (the address comes from the
    # scope that `resolving_client` set, also in that module).
    outside = [
        (module, node.lineno)
        for module, tree in _modules("application", "adapters", "bootstrap")
        if module != ORIGIN_BUILDER
        for node in ast.walk(tree)
        if (isinstance(node, ast.Call) and _called(node) in {"RequestOrigin", "client_address"})
        or (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.lower() == "user-agent"
        )
    ]
    assert outside == []


def test_a1_an_audit_entry_is_made_by_one_function_from_an_actor_and_its_origin() -> None:
    # The PostgreSQL adapter maps its rows back to AuditLog; everything else calls AuditLog.record.
    by_hand = [
        (module, node.lineno)
        for module, tree in _modules(*SERVICE)
        if module not in {"domain/audit/entries.py", "adapters/postgres/audit_log.py"}
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node) == "AuditLog"
    ]
    loose = [
        (module, node.lineno, keyword.arg)
        for module, tree in _modules(*SERVICE)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node) == "AuditLog.record"
        for keyword in node.keywords
        if keyword.arg in LOOSE | {"actor_user_id", "actor_pubkey"}
    ]
    assert by_hand == [] and loose == []
