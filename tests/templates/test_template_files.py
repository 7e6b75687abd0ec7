"""What an analyst gets with each template: a valid, readable flow and the files around it
(README with promotion criteria, knowledge, sample cases, a labelled dataset)."""

from __future__ import annotations

import pytest
from template_support import (
    ALL,
    NEW,
    ai_nodes,
    cases,
    classify_nodes,
    dataset,
    flow,
    folder,
    holdout,
    outcomes,
    promotion_criteria,
    readme,
)

from runtime.api import dump_flow, validate_flow
from runtime.cli.main import main
from runtime.flow.schema import AssistNode, FieldType, StartNode


@pytest.mark.parametrize("name", ALL)
def test_every_template_validates(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    loaded = flow(name)
    assert validate_flow(loaded) == []
    assert main(["validate", str(folder(name) / "flow.yaml")]) == 0


@pytest.mark.parametrize("name", ALL)
def test_every_template_file_is_in_canonical_form(name: str) -> None:
    """What `junction calibrate --write` and the designer write back is the file itself."""
    loaded = flow(name)
    assert dump_flow(loaded.flow) == loaded.text


@pytest.mark.parametrize("name", NEW)
def test_every_step_is_titled_and_the_canvas_reads_left_to_right(name: str) -> None:
    loaded = flow(name)
    nodes = {n.id: n for n in loaded.flow.nodes}
    for node in nodes.values():
        assert node.position is not None, f"{node.id} has no position"
        if not isinstance(node, StartNode):
            assert node.title.strip(), f"{node.id} has no title"
    for edge in loaded.flow.edges:
        source, target = nodes[edge.source].position, nodes[edge.target].position
        assert target[0] >= source[0], f"{edge.source} → {edge.target} points to the left"
    spots = [n.position for n in nodes.values()]
    for i, (x1, y1) in enumerate(spots):
        for x2, y2 in spots[i + 1:]:
            assert abs(x1 - x2) >= 180 or abs(y1 - y2) >= 100, "two steps overlap"


@pytest.mark.parametrize("name", NEW)
def test_the_readme_names_stage_and_promotion_criteria_for_every_ai_step(name: str) -> None:
    loaded = flow(name)
    text = readme(name)
    assert f"ships at **{loaded.flow.autonomy.value}**" in text
    criteria = promotion_criteria(name)
    assert set(criteria) == {n.id for n in ai_nodes(loaded)}
    for node_id, entry in criteria.items():
        promote = entry["promote"]
        assert set(promote) == {"copilot", "operate"}, node_id
        assert 0 < promote["copilot"]["precision"] <= promote["operate"]["precision"] <= 1
        assert 0 < promote["operate"]["agreement"] <= 1
        assert promote["copilot"]["min_cases"] <= promote["operate"]["min_cases"]


@pytest.mark.parametrize("name", NEW)
def test_assist_steps_have_their_knowledge_files(name: str) -> None:
    loaded = flow(name)
    for node in loaded.flow.nodes:
        if isinstance(node, AssistNode):
            assert node.knowledge, f"{node.id} has no knowledge files"
            for path in node.knowledge:
                assert len((folder(name) / path).read_text(encoding="utf-8")) > 400, path


@pytest.mark.parametrize("name", NEW)
def test_sample_cases_are_enough_and_distinct(name: str) -> None:
    rows = cases(name)
    assert len(rows) >= 24
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["message"] for r in rows}) == len(rows)


@pytest.mark.parametrize("name", NEW)
def test_the_dataset_is_labelled_for_every_classify_step_outcome_and_record(name: str) -> None:
    loaded = flow(name)
    rows = dataset(name)
    assert len(rows) >= 60
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["message"] for r in rows}) == len(rows)
    assert not {r["id"] for r in rows} & {c["id"] for c in cases(name)}
    for node in classify_nodes(loaded):
        assert len(node.options) >= 2 and all(len(o.examples) >= 3 for o in node.options)
        labels = [r["expected"][node.id] for r in rows]
        assert set(labels) == {o.name for o in node.options}, node.id
        examples = {e for o in node.options for e in o.examples}
        assert not examples & {r["message"] for r in rows}, "a dataset case is an example"
    allowed = outcomes(loaded)
    for row in rows:
        assert row["expected_outcome"] in allowed, row["id"]
        for field, value in row["expected_record"].items():
            spec = loaded.flow.record_field(field)
            assert spec is not None, f"{row['id']}: {field} is not a record field"
            if spec.type is FieldType.enum:
                assert value in spec.values, f"{row['id']}: {field}={value}"


@pytest.mark.parametrize("name", NEW)
def test_the_dataset_is_varied(name: str) -> None:
    """Real senders: very short and long messages, and not only English."""
    words = [len(r["message"].split()) for r in dataset(name)]
    assert min(words) <= 3 and max(words) >= 40
    english = ("the", "and", "my", "to", "i", "is", "for", "a", "of", "please")
    other = [r for r in dataset(name)
             if not set(r["message"].lower().split()) & set(english) and len(r["message"]) > 25]
    assert len(other) >= 5


@pytest.mark.parametrize("name", NEW)
def test_the_held_out_cases_are_new_to_the_examples_and_the_dataset(name: str) -> None:
    loaded = flow(name)
    rows = holdout(name)
    assert len(rows) >= 20
    seen = {r["message"] for r in dataset(name)} | {c["message"] for c in cases(name)}
    for node in classify_nodes(loaded):
        seen |= {e for o in node.options for e in o.examples}
        assert {r["expected"][node.id] for r in rows} <= {o.name for o in node.options}
    assert not {r["message"] for r in rows} & seen
    assert not {r["id"] for r in rows} & {r["id"] for r in dataset(name)}
