"""The plugin author's hook reference, generated from :mod:`core.hookspecs`.

``hookbill hooks-doc`` prints it; ``docs/hooks.md`` is that output, and a test
fails when the two differ, so the reference can never drift from the code.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from core import hookspecs

HEADER = """# hookbill hook reference

Generated from `core/hookspecs.py` by `hookbill hooks-doc > docs/hooks.md`; a test
fails when this file and the hookspecs differ. Implement a hook by writing a
function with the same name (and any subset of the arguments) marked with
`@hookimpl` (`from core.hookspecs import hookimpl`). A first plugin, step by step: [`plugins.md`](plugins.md).
"""


def hook_names() -> list[str]:
    """Every hookspec's name, in the order of the module."""
    return [name for name, obj in vars(hookspecs).items() if inspect.isfunction(obj) and hasattr(obj, "hookbill_spec")]


def refusable_hooks() -> list[str]:
    """The hooks whose spec says an implementation may refuse the event (``raise HookRefused to refuse``)."""
    names = []
    for name in hook_names():
        doc = " ".join((getattr(hookspecs, name).__doc__ or "").split()).lower()
        if "raise :class:`hookrefused` to refuse" in doc:
            names.append(name)
    return names


def annotation_types() -> dict[str, str]:
    """``{name: dotted path}`` of every type the specs import for their annotations (under ``TYPE_CHECKING``)."""
    tree = ast.parse(Path(hookspecs.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    for alias in stmt.names:
                        found[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
                elif isinstance(stmt, ast.Import):
                    for alias in stmt.names:
                        found[alias.asname or alias.name] = alias.name
    return found


def signature_of(name: str) -> str:
    """``name(arg: Type, ...) -> Type`` as written in the spec (annotations are kept as source text)."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def _types_section() -> str:
    rows = "\n".join(f"| `{name}` | `{path}` |" for name, path in sorted(annotation_types().items()))
    return (
        "## Types\n\n"
        "The arguments and return values below are typed with these classes; import them\n"
        "under `if TYPE_CHECKING:` to annotate your implementation the same way, and mypy\n"
        "checks it against them.\n\n"
        f"| name | class |\n|---|---|\n{rows}\n"
    )


def _section(name: str) -> str:
    func = getattr(hookspecs, name)
    options = getattr(func, "hookbill_spec", {}) or {}
    marks = " (firstresult)" if options.get("firstresult") else ""
    doc = inspect.cleandoc(func.__doc__ or "")
    return f"## `{signature_of(name)}`{marks}\n\n{doc}\n"


def render() -> str:
    """The whole reference as Markdown."""
    return HEADER + "\n" + _types_section() + "\n" + "\n".join(_section(name) for name in hook_names())
