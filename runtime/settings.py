"""The person's settings file, and which value wins: flag > environment > file > default.

One TOML file in the user config folder (`platformdirs`), or wherever `JUNCTION_CONFIG`
points (tests, portable installs). The designer's settings dialog and every `junction`
command read the same file, so a host or a name set in one is seen by the other.

A file that cannot be read is never rewritten: every problem in it is reported at once,
naming the file, the line and the key, and nothing is saved over it until it is fixed.
Secrets are not settings: tokens live in the OS keyring (`runtime.secrets_store`).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from runtime.errors import InputError

CONFIG_ENV = "JUNCTION_CONFIG"
FILE_NAME = "settings.toml"
ROLES = ("classify", "assist", "enforce")

Theme = Literal["system", "light", "dark"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class OllamaSection(_Section):
    host: str = ""


class ModelsSection(_Section):
    """Models used when neither the node nor the flow names one."""

    classify: str = ""
    assist: str = ""
    enforce: str = ""
    embedding: str = ""

    @field_validator("classify", "assist", "enforce", "embedding")
    @classmethod
    def _reference(cls, value: str) -> str:
        if value and ":" not in value and value != "scripted":
            raise ValueError("a model reference looks like ollama:NAME, llamacpp:bundled "
                             "or scripted:FILE")
        return value


class WorkspaceSection(_Section):
    home: str = ""
    #: Where runs are kept: a team's `postgresql://…` URL, or a SQLite file ("" = the
    #: workspace folder's own file). `--store` and `JUNCTION_STORE` win over it.
    store: str = ""

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str) -> str:
        value = value.strip()
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme and scheme not in ("postgresql", "postgres", "sqlite"):
            raise ValueError(f"{scheme}:// is not a store Junction knows; give "
                             "postgresql://user@host/db or a SQLite file path")
        return value


class PersonSection(_Section):
    name: str = ""


class AppearanceSection(_Section):
    theme: Theme = "system"


class ConnectorsSection(_Section):
    """Defaults for connectors a flow does not configure itself."""

    webhook_timeout: float = Field(default=10.0, gt=0, le=600)
    records_table: str = ""


class FirstRunSection(_Section):
    done: bool = False


class Settings(_Section):
    ollama: OllamaSection = Field(default_factory=OllamaSection)
    models: ModelsSection = Field(default_factory=ModelsSection)
    workspace: WorkspaceSection = Field(default_factory=WorkspaceSection)
    person: PersonSection = Field(default_factory=PersonSection)
    appearance: AppearanceSection = Field(default_factory=AppearanceSection)
    connectors: ConnectorsSection = Field(default_factory=ConnectorsSection)
    first_run: FirstRunSection = Field(default_factory=FirstRunSection)


# Settings that an environment variable may override (the variables people already use).
ENVIRONMENT = {
    "ollama.host": "OLLAMA_HOST",
    "workspace.home": "JUNCTION_HOME",
    "workspace.store": "JUNCTION_STORE",
    "person.name": "JUNCTION_USER",
    "appearance.theme": "JUNCTION_THEME",
}

DEFAULTS_SHOWN = {
    "ollama.host": "http://127.0.0.1:11434",
    "workspace.home": "the user data folder",
    "workspace.store": "the workspace folder's own file",
    "person.name": "your login name",
}


class SettingsError(InputError):
    """The settings file cannot be used; `problems` lists every one, each with file:line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config FILE`, else `JUNCTION_CONFIG`, else the user config folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir("junction", appauthor=False)) / FILE_NAME


def all_keys() -> list[str]:
    """Every setting as `section.key`, in file order."""
    return [f"{section}.{name}"
            for section, info in Settings.model_fields.items()
            for name in info.annotation.model_fields]  # type: ignore[union-attr]


def load(path: Path | None = None) -> Settings:
    """The file's settings (defaults when it does not exist); SettingsError when unusable."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError([f"{path}: cannot be read: {exc}"]) from None
    return parse(text, path)


def parse(text: str, path: Path) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([f"{path}: {_syntax_problem(exc)}"]) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError([_field_problem(path, text, err) for err in exc.errors()]) from None


def _syntax_problem(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if not found:
        return f"not valid TOML: {message}"
    reason = message[:found.start()].strip()
    return f"line {found.group(1)}: not valid TOML ({reason}, column {found.group(2)})"


def _field_problem(path: Path, text: str, err: Any) -> str:
    loc = [str(part) for part in err["loc"]]
    key = ".".join(loc)
    line = _line_of(text, loc)
    where = f"{path}:{line}" if line else str(path)
    if err["type"] == "extra_forbidden":
        known = ", ".join(k for k in all_keys() if k.startswith(f"{loc[0]}.")) if len(loc) > 1 \
            else ", ".join(Settings.model_fields)
        return f"{where}: unknown setting '{key}' (known here: {known})"
    return f"{where}: {key}: {err['msg']}"


def _line_of(text: str, loc: list[str]) -> int | None:
    """The line that sets `loc` (a `[section]` table then `key =`, or `section.key =`)."""
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", line)
        if header:
            section = header.group(1).strip('"')
            if len(loc) == 1 and section == loc[0]:
                return number
            continue
        name = line.split("=", 1)[0].strip().strip('"') if "=" in line else ""
        if not name:
            continue
        if (len(loc) == 1 and section is None and name == loc[0]) \
                or (len(loc) == 2 and section == loc[0] and name == loc[1]) \
                or (len(loc) == 2 and section is None and name == f"{loc[0]}.{loc[1]}"):
            return number
    return None


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write every non-default setting; refuses to replace a file that does not parse
    (the person's text there would be lost)."""
    path = path or config_path()
    if path.exists():
        load(path)  # raises SettingsError: keep the unreadable file as it is
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(dumps(settings), encoding="utf-8")
    os.replace(temporary, path)
    return path


def dumps(settings: Settings) -> str:
    lines = ["# Junction settings: edit here or in the designer (Edit ▸ Settings).",
             "# Tokens are never stored here: they live in the OS keyring."]
    defaults = Settings()
    for section in Settings.model_fields:
        values = getattr(settings, section).model_dump()
        default = getattr(defaults, section).model_dump()
        changed = {k: v for k, v in values.items() if v != default[k]}
        if changed:
            lines += ["", f"[{section}]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in changed.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def get(settings: Settings, key: str) -> Any:
    section, name = _split(key)
    return getattr(getattr(settings, section), name)


def with_value(settings: Settings, key: str, value: Any) -> Settings:
    """A copy with `key` set (validated: a bad value is an InputError naming the key)."""
    section, name = _split(key)
    data = settings.model_dump()
    data[section][name] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(e["msg"] for e in exc.errors())
        raise InputError(f"{key}: {reasons}") from None


def _split(key: str) -> tuple[str, str]:
    if key not in all_keys():
        raise InputError(f"unknown setting '{key}' (known: {', '.join(all_keys())})")
    section, name = key.split(".", 1)
    return section, name


@dataclass(frozen=True)
class Effective:
    key: str
    value: Any
    source: str  # "flag" | "environment (NAME)" | "settings file" | "default"


def effective(key: str, *, flag: Any = None, settings: Settings | None = None,
              path: Path | None = None) -> Effective:
    """The value that applies, and where it came from: flag > environment > file > default."""
    if flag not in (None, ""):
        return Effective(key, flag, "flag")
    variable = ENVIRONMENT.get(key)
    if variable and os.environ.get(variable):
        return Effective(key, os.environ[variable], f"environment ({variable})")
    current = settings if settings is not None else load(path)
    value = get(current, key)
    if value != get(Settings(), key):
        return Effective(key, value, "settings file")
    return Effective(key, value, "default")


def value(key: str, flag: Any = None) -> Any:
    """Shortcut for `effective(key, flag=flag).value` (reads the file each time: a change
    made in the designer is seen by the next command)."""
    return effective(key, flag=flag).value


def person_name(flag: str | None = None, fallback: str = "") -> str:
    """Who is deciding: `--by`, `JUNCTION_USER`, the settings file, else `fallback`."""
    return str(value("person.name", flag) or fallback)


def role_default(node: Any) -> str:
    """The settings file's model for an AI node's role (`models.classify` …), or ""."""
    role = str(getattr(getattr(node, "role", None), "value", getattr(node, "role", "")) or "")
    return str(getattr(load().models, role, "")) if role in ROLES else ""


def default_table() -> str:
    """The workspace table a flow's records go to when its connector names none."""
    return load().connectors.records_table or "records"


def webhook_timeout() -> float:
    return float(load().connectors.webhook_timeout)
