"""The plugin system: specs documented, built-ins valid, entry points, drop-ins, failures loud."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from core import hookspecs
from core.config import load_config
from core.hookdoc import hook_names, render
from core.plugins import BUILTIN_PLUGINS, PluginError, builtin_name, describe_plugins, make_plugin_manager
from core.runtime import current

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("on_upgrade_quote", "on_payment", "on_invoice_issue", "on_ticket_create")


def config_for(tmp_path, **plugins):
    return load_config(
        overrides={"database": {"url": f"sqlite:///{tmp_path}/x.sqlite3"}, "plugins": plugins},
        environ={},
        use_files=False,
    )


@pytest.mark.parametrize("name", hook_names())
def test_every_hookspec_says_when_transaction_and_returns(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    first = doc.splitlines()[0]
    assert first.startswith("Called"), f"{name}: first line must say when it is called"
    assert "**Transaction**" in doc, f"{name}: must say inside which transaction it runs"
    assert ":returns:" in doc, f"{name}: must say what its return value does"
    params = list(inspect.signature(getattr(hookspecs, name)).parameters)
    for param in params:
        assert f":param {param}:" in doc, f"{name}: argument {param} is undocumented"
    if params:
        assert any(k in doc for k in ("**May change**", "Do not change", "read-only")), (
            f"{name}: must say which arguments an implementation may change"
        )
    if getattr(hookspecs, name).hookbill_spec.get("firstresult"):
        assert "Stops at first non-None result." in doc


#: Arguments that stay loosely typed on purpose: free-form values a form or a change carries.
LOOSE_ARGUMENTS = {("on_ticket_create", "options"), ("on_ticket_reply", "options")}


@pytest.mark.parametrize("name", hook_names())
def test_hook_arguments_name_their_real_types(name):
    """No argument is ``Any``: a plugin author reads the model or value type in the reference."""
    spec = getattr(hookspecs, name)
    for param in inspect.signature(spec).parameters.values():
        annotation = str(param.annotation)
        assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name}) has no type"
        if (name, param.name) not in LOOSE_ARGUMENTS:
            assert "Any" not in annotation, f"{name}({param.name}: {annotation}) must name its real type"


def test_the_reference_shows_the_types():
    reference = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    assert "## `on_invoice_paid(document: Document) -> None`" in reference
    assert "## `on_payment(payment: Payment, document: Document | None) -> None`" in reference
    assert "## `on_upgrade_quote(quote: Quote) -> None`" in reference


def test_every_type_the_reference_names_exists():
    import importlib

    from core.hookdoc import annotation_types

    types = annotation_types()
    assert {"Customer", "Document", "Quote", "Service"} <= set(types)
    for name, path in types.items():
        module, _, attr = path.rpartition(".")
        target = importlib.import_module(module) if module else importlib.import_module(attr)
        assert not module or hasattr(target, attr), f"{name}: {path} does not exist"


def _builtin_modules():
    import importlib

    return [importlib.import_module(dotted) for dotted in BUILTIN_PLUGINS]


def test_builtin_implementations_annotate_arguments_as_their_spec():
    """A built-in hook implementation types its arguments as the spec does, so mypy checks it against real types."""
    wrong = []
    for module in _builtin_modules():
        for attr, func in vars(module).items():
            if not (inspect.isfunction(func) and hasattr(func, "hookbill_impl")):
                continue
            spec = inspect.signature(getattr(hookspecs, attr)).parameters
            for param in inspect.signature(func).parameters.values():
                if param.annotation is inspect.Parameter.empty:
                    continue
                if str(param.annotation) != str(spec[param.name].annotation):
                    wrong.append(f"{module.__name__}.{attr}({param.name}: {param.annotation})")
    assert wrong == [], "annotate these as the hookspec does: " + ", ".join(wrong)


def test_the_promised_hooks_exist():
    assert set(REQUIRED) <= set(hook_names())


def test_hook_reference_matches_the_specs():
    assert (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8") == render(), (
        "docs/hooks.md is stale: run `hookbill hooks-doc > docs/hooks.md`"
    )


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_has_a_test(name):
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_plugins.py"]
    assert any(name in p.read_text(encoding="utf-8") for p in tests), f"no test mentions hook {name}"


def test_every_hook_can_be_implemented(tmp_path):
    from tests.plugin_samples import recorder

    pm = make_plugin_manager(config_for(tmp_path))
    pm.register(recorder, name="recorder")
    pm.check_pending()
    assert {h.name for h in pm.get_hookcallers(recorder)} == set(hook_names())


def test_builtin_plugins_are_valid_and_listed(tmp_path):
    pm = make_plugin_manager(config_for(tmp_path))
    infos = {info.name: info for info in describe_plugins(pm)}
    for dotted in BUILTIN_PLUGINS:
        short = builtin_name(dotted)
        assert infos[short].source == "builtin"
        assert infos[short].hooks, f"{short} implements no hook"


def test_entry_point_plugin_is_found_listed_and_called(client):
    infos = {info.name: info for info in describe_plugins(current().pm)}
    assert infos["hello"].source == "entrypoint"
    assert infos["hello"].version == "1.2.0"
    assert "hookbill_template_snippet" in infos["hello"].hooks
    assert "Pozdrowienia od hookbill-hello!" in client.get("/login").get_data(as_text=True)


def test_dropin_plugin_is_found_listed_and_called(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "shout.py").write_text(
        "from core.hookspecs import hookimpl\n"
        "__version__ = '0.3'\n"
        "@hookimpl\n"
        "def hookbill_template_snippet(name, context):\n"
        "    return 'SHOUT FROM THE DROP-IN' if name == 'footer' else None\n",
        encoding="utf-8",
    )
    from core.app import create_app
    from core.migrate import migrate

    app = create_app(config_for(tmp_path, folder=str(folder)))
    migrate(current())
    infos = {info.name: info for info in describe_plugins(current().pm)}
    assert infos["shout"].source == "folder" and infos["shout"].version == "0.3"
    assert "SHOUT FROM THE DROP-IN" in app.test_client().get("/login").get_data(as_text=True)


def test_disabled_plugin_is_not_registered(tmp_path):
    pm = make_plugin_manager(config_for(tmp_path, disabled=["hello"]))
    assert "hello" not in {info.name for info in describe_plugins(pm)}


def test_broken_plugin_stops_start_up_naming_it(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "broken.py").write_text("import does_not_exist_anywhere\n", encoding="utf-8")
    with pytest.raises(PluginError, match="'broken'"):
        make_plugin_manager(config_for(tmp_path, folder=str(folder)))


def test_unknown_hook_stops_start_up_naming_the_plugin(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "typo.py").write_text(
        "from core.hookspecs import hookimpl\n@hookimpl\ndef on_paymnet(payment):\n    pass\n", encoding="utf-8"
    )
    with pytest.raises(PluginError, match="'typo'.*unknown hook"):
        make_plugin_manager(config_for(tmp_path, folder=str(folder)))


def test_unknown_name_in_disabled_stops_start_up_with_the_closest_name(tmp_path):
    with pytest.raises(PluginError, match=r"plugins.disabled names 'testgatway'.*Did you mean 'testgateway'"):
        make_plugin_manager(config_for(tmp_path, disabled=["testgatway"]))


@pytest.mark.parametrize("value", ["testgateway", {"testgateway": True}, [1]])
def test_disabled_must_be_a_list_of_names(tmp_path, value):
    with pytest.raises(PluginError, match="plugins.disabled must be a list of plugin names"):
        make_plugin_manager(config_for(tmp_path, disabled=value))


def test_disabled_drop_in_is_not_even_imported(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "broken.py").write_text("raise RuntimeError('imported')\n", encoding="utf-8")
    pm = make_plugin_manager(config_for(tmp_path, folder=str(folder), disabled=["broken"]))
    assert "broken" not in {info.name for info in describe_plugins(pm)}


def test_misspelled_hook_name_suggests_the_real_one(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "typo.py").write_text(
        "from core.hookspecs import hookimpl\n@hookimpl\ndef on_paymnet(payment):\n    pass\n", encoding="utf-8"
    )
    with pytest.raises(PluginError, match=r"'on_paymnet' \(did you mean 'on_payment'\?\)"):
        make_plugin_manager(config_for(tmp_path, folder=str(folder)))


def test_import_error_names_the_file_and_line(tmp_path):
    folder = tmp_path / "dropins"
    folder.mkdir()
    (folder / "broken.py").write_text("x = 1\nimport does_not_exist_anywhere\n", encoding="utf-8")
    (folder / "syntax.py").write_text("x = 1\n\ndef f(:\n", encoding="utf-8")
    with pytest.raises(PluginError, match=r"'broken'.*broken\.py:2: ModuleNotFoundError"):
        make_plugin_manager(config_for(tmp_path, folder=str(folder), disabled=["syntax"]))
    with pytest.raises(PluginError, match=r"'syntax'.*syntax\.py:3: SyntaxError"):
        make_plugin_manager(config_for(tmp_path, folder=str(folder), disabled=["broken"]))
