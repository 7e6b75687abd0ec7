"""A flow that names no model uses the settings file's default model for each AI role."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime import settings
from runtime.api import Workspace, load_flow

FLOW = """\
format_version: 1
name: Draft only
case_fields:
- {name: message, required: true}
nodes:
- {id: start, kind: start}
- {id: draft, kind: ai, role: assist}
- {id: done, kind: end, outcome: resolved}
edges:
- {from: start, to: draft}
- {from: draft, to: done}
"""


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    (tmp_path / "answers.yaml").write_text('nodes:\n  draft: {text: "From the settings."}\n')
    (tmp_path / "other.yaml").write_text('nodes:\n  draft: {text: "From the flow."}\n')
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW)
    return path


def _draft(flow_text: str | None, flow: Path) -> str:
    if flow_text is not None:
        flow.write_text(flow_text)
    workspace = Workspace.open()
    try:
        run = workspace.engine().start(load_flow(flow), {"id": "c1", "message": "hi"})
        assert run.status == "completed", run.error
        step = next(s for s in workspace.store.steps(run.id) if s.node_id == "draft")
        return str(step.output["draft"])
    finally:
        workspace.close()


def test_the_role_default_applies_only_where_the_flow_names_no_model(flow: Path) -> None:
    settings.save(settings.with_value(settings.Settings(), "models.assist",
                                      "scripted:answers.yaml"))
    assert _draft(None, flow) == "From the settings."
    named = FLOW.replace("name: Draft only", "name: Draft only\ndefault_model: scripted:other.yaml")
    assert _draft(named, flow) == "From the flow."
