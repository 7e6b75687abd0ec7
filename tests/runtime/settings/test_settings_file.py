"""The settings file: round trip, precedence (flag > env > file > default), bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from runtime import settings
from runtime.cli.main import main
from runtime.models.ollama_provider import OllamaSettings
from runtime.workspace import home_dir


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "config" / "settings.toml"
    monkeypatch.setenv("JUNCTION_CONFIG", str(path))
    for variable in settings.ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    return path


def test_every_setting_survives_a_save_and_a_load(config: Path) -> None:
    chosen = settings.Settings.model_validate({
        "ollama": {"host": "http://gpu-box:11434"},
        "models": {"classify": "ollama:llama3.2:3b", "assist": "llamacpp:bundled",
                   "enforce": "ollama:qwen2.5:7b",
                   "embedding": "sentence-transformers:all-minilm-l6-v2"},
        "workspace": {"home": "/srv/junction \"team\""},
        "person": {"name": "Ana Lima"},
        "appearance": {"theme": "dark"},
        "connectors": {"webhook_timeout": 2.5, "records_table": "tickets"},
        "first_run": {"done": True},
    })
    settings.save(chosen)
    assert settings.load() == chosen
    assert "[person]\nname = \"Ana Lima\"" in config.read_text()
    assert "token" not in config.read_text().split("\n", 2)[2]  # no secrets, only the note


def test_a_missing_file_means_defaults_and_is_not_created(config: Path) -> None:
    assert settings.load() == settings.Settings()
    assert not config.exists()


def test_precedence_flag_over_environment_over_file_over_default(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.effective("ollama.host").source == "default"
    settings.save(settings.with_value(settings.Settings(), "ollama.host", "http://file:1"))
    assert settings.effective("ollama.host") == settings.Effective(
        "ollama.host", "http://file:1", "settings file")
    monkeypatch.setenv("OLLAMA_HOST", "http://env:2")
    assert settings.effective("ollama.host").value == "http://env:2"
    assert settings.effective("ollama.host", flag="http://flag:3").source == "flag"


def test_the_runtime_uses_the_file_for_the_ollama_host_and_the_workspace(
        config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    current = settings.with_value(settings.Settings(), "ollama.host", "http://gpu-box:11434")
    settings.save(settings.with_value(current, "workspace.home", str(tmp_path / "ws")))
    assert OllamaSettings.from_env().host == "http://gpu-box:11434"
    assert home_dir() == tmp_path / "ws"
    assert home_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.setenv("JUNCTION_HOME", str(tmp_path / "env"))
    monkeypatch.setenv("OLLAMA_HOST", "other:9999")
    assert home_dir() == tmp_path / "env"
    assert OllamaSettings.from_env().host == "http://other:9999"


def test_a_syntax_error_names_the_file_and_line_and_the_file_is_kept(config: Path) -> None:
    text = '[person]\nname = "Ana"\n[ollama\nhost = "x"\n'
    config.parent.mkdir(parents=True)
    config.write_text(text)
    with pytest.raises(settings.SettingsError) as caught:
        settings.load()
    assert f"{config}: line 3" in str(caught.value)
    with pytest.raises(settings.SettingsError):
        settings.save(settings.Settings())
    assert config.read_text() == text


def test_every_bad_key_is_reported_at_once_with_its_line(config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text('[appearance]\ntheme = "purple"\n\n[connectors]\nwebhook_timeout = -1\n'
                      'colour = "red"\n')
    with pytest.raises(settings.SettingsError) as caught:
        settings.load()
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith(f"{config}:2: appearance.theme")
    assert problems[1].startswith(f"{config}:5: connectors.webhook_timeout")
    assert f"{config}:6: unknown setting 'connectors.colour'" in problems[2]


def test_the_cli_sets_shows_and_reports_a_bad_file_without_a_traceback(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "set", "person.name", "Ana"]) == 0
    assert main(["settings", "set", "first_run.done", "yes"]) == 0
    capsys.readouterr()
    assert main(["settings", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["settings"]
    assert shown["person.name"] == {"value": "Ana", "source": "settings file"}
    assert shown["first_run.done"]["value"] is True
    assert shown["ollama.host"]["source"] == "default"
    assert main(["settings", "set", "appearance.theme", "purple"]) == 2
    assert "appearance.theme" in capsys.readouterr().err
    config.write_text(config.read_text() + "oops = \n")
    before = config.read_text()
    assert main(["settings", "set", "person.name", "Bo"]) == 2
    err = capsys.readouterr().err
    assert f"{config}: line" in err and "Traceback" not in err
    assert config.read_text() == before


def test_config_flag_points_at_another_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "elsewhere.toml"
    assert main(["settings", "set", "--config", str(other), "person.name", "Cy"]) == 0
    assert 'name = "Cy"' in other.read_text()


def test_decisions_are_signed_with_the_configured_name(config: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.person_name(fallback="cli") == "cli"
    settings.save(settings.with_value(settings.Settings(), "person.name", "Ana"))
    assert settings.person_name(fallback="cli") == "Ana"
    monkeypatch.setenv("JUNCTION_USER", "Bo")
    assert settings.person_name(fallback="cli") == "Bo"
    assert settings.person_name("Cy", fallback="cli") == "Cy"


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_junk_in_the_file_is_a_settings_error_or_valid_settings(junk: str) -> None:
    try:
        loaded = settings.parse(junk, Path("/cfg/settings.toml"))
    except settings.SettingsError as exc:
        assert exc.problems and all(p.startswith("/cfg/settings.toml") for p in exc.problems)
    else:
        assert isinstance(loaded, settings.Settings)


@hsettings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["host", "name", "theme", "home", "x"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.booleans()),
                       max_size=4))
def test_structured_junk_is_reported_per_key(values: dict[str, object]) -> None:
    body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
    text = f"[person]\n{body}\n"
    try:
        settings.parse(text, Path("s.toml"))
    except settings.SettingsError as exc:
        assert all(p.startswith("s.toml") for p in exc.problems)
