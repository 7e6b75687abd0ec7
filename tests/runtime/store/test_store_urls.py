"""Choosing a store by URL: what a user types after --store or in JUNCTION_STORE."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime import settings
from runtime.api import Workspace
from runtime.cli.main import main
from runtime.errors import InputError
from runtime.store.open import chosen_store, open_store, store_url
from runtime.store.sqlite import SqliteRunStore
from runtime.urls import is_postgres_url, redact

_text = st.text(st.characters(blacklist_characters="@/:?#", blacklist_categories=("Cs",)),
                min_size=1, max_size=20)


@given(user=_text, password=_text, host=_text)
def test_a_password_never_appears_in_what_is_shown(user: str, password: str,
                                                   host: str) -> None:
    url = f"postgresql://{user}:{password}@{host}/junction"
    shown = redact(url)
    assert is_postgres_url(url)
    assert shown == f"postgresql://{user}:***@{host}/junction"


def test_the_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNCTION_STORE", "postgresql://team@db/j")
    assert store_url("other.db") == "other.db"
    assert store_url(None) == "postgresql://team@db/j"
    monkeypatch.delenv("JUNCTION_STORE")
    assert store_url(None) is None  # the workspace's own SQLite file


def test_flag_beats_environment_beats_settings_file_beats_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUNCTION_STORE", raising=False)
    assert chosen_store(None).source == "default" and store_url(None) is None
    settings.save(settings.with_value(settings.Settings(), "workspace.store",
                                      "postgresql://team@file/j"))
    assert (store_url(None), chosen_store(None).source) == ("postgresql://team@file/j",
                                                            "settings file")
    monkeypatch.setenv("JUNCTION_STORE", "postgresql://team@env/j")
    assert (store_url(None), chosen_store(None).source) == (
        "postgresql://team@env/j", "environment (JUNCTION_STORE)")
    assert (store_url("flag.db"), chosen_store("flag.db").source) == ("flag.db", "flag")


def test_a_store_set_in_the_settings_file_is_where_commands_and_the_app_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("JUNCTION_STORE", raising=False)
    chosen = tmp_path / "shared" / "team.db"
    chosen.parent.mkdir()
    assert main(["settings", "set", "workspace.store", str(chosen)]) == 0
    workspace = Workspace.open(tmp_path / "home")
    try:
        assert workspace.store.database_path == chosen.resolve()
    finally:
        workspace.close()
    capsys.readouterr()
    assert main(["settings", "show", "--json"]) == 0
    assert "settings file" in capsys.readouterr().out


def test_a_store_setting_of_an_unknown_kind_is_refused_naming_the_line(
        tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[person]\nname = "Ana"\n\n[workspace]\nstore = "mysql://db/j"\n')
    with pytest.raises(settings.SettingsError) as caught:
        settings.load(path)
    assert f"{path}:5: workspace.store" in str(caught.value)
    assert "postgresql://" in str(caught.value)


def test_a_sqlite_file_can_be_named_as_a_path_or_a_url(tmp_path: Path) -> None:
    for url in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path / 'b.db'}"):
        store = open_store(url)
        assert isinstance(store, SqliteRunStore)
        store.close()
    assert (tmp_path / "a.db").exists() and (tmp_path / "b.db").exists()


def test_an_unknown_scheme_is_refused_naming_what_to_give(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="postgresql://"):
        open_store("mysql://team@db/j")
    assert main(["runs", "--store", "mysql://team@db/j"]) == 2
    err = capsys.readouterr().err
    assert "not a store Junction knows" in err and "Traceback" not in err


def test_an_unreachable_team_store_is_one_clear_line(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="needs the 'team' extra")
    code = main(["runs", "--store", f"postgresql://nobody@/j?host={tmp_path}"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the team store" in err and "Traceback" not in err
