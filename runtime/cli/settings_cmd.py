"""`junction settings`: show, change or locate the settings file the designer uses too.

`show` prints every setting with the value that applies and where it came from
(flag > environment > file > default). `set` and `unset` refuse to touch a file that does
not parse, so nothing a person wrote there is lost.
"""

from __future__ import annotations

import argparse
from typing import Any

from runtime import settings
from runtime.cli.common import add_config, add_json
from runtime.cli.output import out, print_json, table


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("settings", help="show or change settings (shared with the designer)")
    verbs = cmd.add_subparsers(dest="verb", metavar="VERB", required=True)
    show = verbs.add_parser("show", help="every setting, its value and where it comes from")
    add_json(show)
    add_config(show)
    show.set_defaults(handler=show_settings)
    change = verbs.add_parser("set", help="set KEY to VALUE in the settings file")
    change.add_argument("key", help=f"one of: {', '.join(settings.all_keys())}")
    change.add_argument("value")
    add_config(change)
    change.set_defaults(handler=set_setting)
    unset = verbs.add_parser("unset", help="put KEY back to its default")
    unset.add_argument("key")
    add_config(unset)
    unset.set_defaults(handler=unset_setting)
    path = verbs.add_parser("path", help="print where the settings file is")
    add_config(path)
    path.set_defaults(handler=show_path)


def show_settings(args: argparse.Namespace) -> int:
    current = settings.load()
    rows = [settings.effective(key, settings=current) for key in settings.all_keys()]
    if args.json:
        print_json({"file": str(settings.config_path()),
                    "settings": {r.key: {"value": r.value, "source": r.source} for r in rows}})
        return 0
    out.print(f"settings file: {settings.config_path()}")
    table(None, ["setting", "value", "from"],
          [[r.key, _shown(r.key, r.value), r.source] for r in rows])
    return 0


def _shown(key: str, value: Any) -> str:
    if value in ("", None):
        return f"({settings.DEFAULTS_SHOWN.get(key, 'not set')})"
    return str(value)


def set_setting(args: argparse.Namespace) -> int:
    current = settings.load()
    default = settings.get(settings.Settings(), args.key) if args.key in settings.all_keys() else ""
    value: Any = args.value
    if isinstance(default, bool):
        value = args.value.lower() in ("1", "true", "yes", "on")
    updated = settings.with_value(current, args.key, value)
    path = settings.save(updated)
    out.print(f"{args.key} = {settings.get(updated, args.key)!r} (saved in {path})")
    return 0


def unset_setting(args: argparse.Namespace) -> int:
    current = settings.load()
    default = settings.get(settings.Settings(), args.key)
    settings.save(settings.with_value(current, args.key, default))
    out.print(f"{args.key} is back to its default")
    return 0


def show_path(args: argparse.Namespace) -> int:
    out.print(str(settings.config_path()))
    return 0
