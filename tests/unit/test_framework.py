"""Registry, data-file validation and the probe contract (run over every registered probe)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from audit.data import load_records
from audit.errors import DataFileError, SelectionError
from audit.models.scripted import ScriptedModel
from audit.probes import PROBES, Probe, register_builtin_probes, stratified_sample
from audit.registry import Registry
from audit.runner import RunConfig, prepare

register_builtin_probes()


class Row(BaseModel):
    id: str
    value: int


def test_registry_aliases_lazy_entries_and_errors():
    registry: Registry[object] = Registry("thing")
    registry.register("path", "pathlib:Path", aliases=("p",))
    assert registry.get("p") is Path and "path" in registry
    with pytest.raises(SelectionError, match="unknown thing 'nope'"):
        registry.get("nope")
    with pytest.raises(ValueError, match="already registered"):
        registry.register("path", object())


def test_registry_loads_entry_points(monkeypatch):
    from importlib.metadata import EntryPoint

    import audit.registry as registry_module

    fake = [EntryPoint(name="third-party", value="pathlib:PurePath", group="medaudit.test")]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: fake if group == "medaudit.test" else [])
    registry: Registry[object] = Registry("probe", entry_point_group="medaudit.test")
    assert registry.names() == ["third-party"]
    from pathlib import PurePath

    assert registry.get("third-party") is PurePath


@pytest.mark.parametrize("content, line, message", [
    ('{"id": "a", "value": 1}\n{"id": "b", "value": "x"}\n', 2, "value"),
    ('{"id": "a", "value": 1}\n\n{"id": "b", "value": 2\n', 3, "invalid JSON"),
    ('{"value": 1}\n', 1, "id"),
])
def test_malformed_jsonl_names_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "rows.jsonl"
    path.write_text(content)
    with pytest.raises(DataFileError) as info:
        load_records(path, Row)
    assert str(info.value).startswith(f"{path}:{line}:") and message in str(info.value)


def test_missing_and_empty_data_files(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_records(tmp_path / "none.jsonl", Row)
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataFileError, match="no records"):
        load_records(tmp_path / "empty.jsonl", Row)
    (tmp_path / "rows.yaml").write_text("- id: a\n  value: 1\n- id: b\n  value: nope\n")
    with pytest.raises(DataFileError, match="record 2"):
        load_records(tmp_path / "rows.yaml", Row)


def test_stratified_sample_is_proportional_and_deterministic():
    class Item(BaseModel):
        id: str
        label: str

    items = [Item(id=str(i), label="a" if i < 70 else "b") for i in range(100)]
    sample = stratified_sample(items, 10, "label")
    assert sum(i.label == "a" for i in sample) == 7
    assert sample == stratified_sample(list(items), 10, "label")


# --- the contract every registered probe must meet ---------------------------------

@pytest.fixture(params=PROBES.names())
def probe_class(request) -> type[Probe]:
    return PROBES.get(request.param)


def test_probe_declares_its_metadata(probe_class):
    for attr in ("id", "suite", "title", "description", "cost", "threshold", "item_model"):
        assert getattr(probe_class, attr, None), f"{probe_class.__name__} lacks {attr}"
    assert probe_class.references and probe_class.requires
    assert len(probe_class.threshold.rationale) > 40, "a threshold needs a real rationale"


def test_probe_data_has_a_datasheet_and_validates(probe_class):
    path = probe_class.default_data_path()
    if path is None:
        pytest.skip("probe has no data file")
    assert path.is_file()
    datasheet = path.with_name(path.stem + ".datasheet.md")
    assert datasheet.is_file(), f"no datasheet beside {path}"
    text = datasheet.read_text().lower()
    for section in ("purpose", "how it was made", "review", "coverage", "known limits", "licence"):
        assert f"## {section}" in text, f"{datasheet.name} lacks a '{section}' section"
    assert probe_class().load_items()


def test_probe_queries_have_unique_stable_ids(probe_class):
    probe = probe_class()
    items, _ = probe.select(probe.load_items(), limit=10, full=False)
    queries = probe.build_queries(items)
    assert len({q.item_id for q in queries}) == len(queries)
    assert [q.index for q in queries] == list(range(len(queries)))
    assert [q.item_id for q in probe.build_queries(items)] == [q.item_id for q in queries]


def test_probe_runs_end_to_end_and_its_gate_metric_exists(probe_class):
    probe = probe_class()
    items, _ = probe.select(probe.load_items(), limit=6, full=False)
    first_option = {q.item_id: next(iter(q.options), "answer") for q in probe.build_queries(items)}
    model = ScriptedModel(answers=first_option)
    prepared = prepare(probe, model, RunConfig(limit=6))
    results = []
    for query in prepared.queries:
        if query.kind == "options":
            response = model.score_options(query.messages, query.options, query.item_id)
        elif query.kind == "compute":
            response = probe.compute(model, query)
        else:
            response = model.generate([query.messages], query.generation, [query.item_id])[0]
        results.append(probe.score(query, response))
    summary = probe.summarise(results)
    assert probe.threshold.metric in {m.name for m in summary.metrics}
    assert summary.verdict.status in ("pass", "fail", "inconclusive", "not_run")
    for metric in summary.metrics:
        assert metric.n >= 0 and metric.method
