"""The plugin author's hook reference, generated from :mod:`core.hookspecs`.

``hookbill hooks-doc`` prints it; ``docs/hooks.md`` is that output, and a test
fails when the two differ, so the reference can never drift from the code.
"""

from __future__ import annotations

import inspect

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


def _section(name: str) -> str:
    func = getattr(hookspecs, name)
    signature = str(inspect.signature(func)).replace("'", "")
    options = getattr(func, "hookbill_spec", {}) or {}
    marks = " (firstresult)" if options.get("firstresult") else ""
    doc = inspect.cleandoc(func.__doc__ or "")
    return f"## `{name}{signature}`{marks}\n\n{doc}\n"


def render() -> str:
    """The whole reference as Markdown."""
    return HEADER + "\n" + "\n".join(_section(name) for name in hook_names())
