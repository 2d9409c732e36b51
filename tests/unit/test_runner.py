"""Runner: results log, resume, refusal of foreign folders, disk errors, skipped probes."""

from __future__ import annotations

import errno
import json
import os

import pytest

from audit.errors import RunFolderError
from audit.models.base import Capability
from audit.models.scripted import ScriptedModel
from audit.results_log import ResultsLog
from audit.runner import RESULTS_FILE, RunConfig, run_audit
from tests.helpers import evidence_without_timing

CONFIG = RunConfig(probes=("pubmedqa",), limit=20)


def _model(**kwargs):
    return ScriptedModel(answers=lambda item_id, prompt: "yes" if "context" in item_id else "no", **kwargs)


def test_run_writes_every_item_in_order(tmp_path):
    outcome = run_audit(_model(), CONFIG, tmp_path, progress=False)
    result = outcome.evidence.probe_results[0]
    assert [i.index for i in result.items] == list(range(40))
    assert result.data.n_items_used == 20 and result.data.n_items_available == 500
    assert sum(1 for _ in open(tmp_path / RESULTS_FILE)) == 40
    assert outcome.evidence.provenance.data_files


def test_same_seed_gives_identical_evidence(tmp_path):
    run_audit(_model(), CONFIG, tmp_path / "a", progress=False)
    run_audit(_model(), CONFIG, tmp_path / "b", progress=False)
    assert evidence_without_timing(tmp_path / "a" / "evidence.json") == evidence_without_timing(tmp_path / "b" / "evidence.json")


def test_resume_from_a_partial_log_matches_an_uninterrupted_run(tmp_path):
    run_audit(_model(), CONFIG, tmp_path / "whole", progress=False)
    lines = (tmp_path / "whole" / RESULTS_FILE).read_text().splitlines(keepends=True)
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "run.json").write_text((tmp_path / "whole" / "run.json").read_text())
    # 13 finished items and a 14th cut off mid-line by a crash.
    (partial / RESULTS_FILE).write_text("".join(lines[:13]) + lines[13][:25])
    calls = []
    outcome = run_audit(_model(), CONFIG, partial, progress=False, on_item=calls.append)
    assert outcome.resumed_items == 13 and outcome.computed_items == 27 and len(calls) == 27
    assert evidence_without_timing(partial / "evidence.json") == evidence_without_timing(tmp_path / "whole" / "evidence.json")


def test_folder_of_a_different_run_is_refused(tmp_path):
    run_audit(_model(), CONFIG, tmp_path, progress=False)
    with pytest.raises(RunFolderError, match="different run"):
        run_audit(_model(), RunConfig(probes=("pubmedqa",), limit=10), tmp_path, progress=False)


def test_full_disk_gives_clear_error_and_keeps_the_log_valid(tmp_path, monkeypatch):
    real_write = os.write
    state = {"n": 0}

    def failing_write(fd, data):
        state["n"] += 1
        if state["n"] == 6:
            real_write(fd, bytes(data)[:10])  # half a line reaches the disk, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(RunFolderError, match="No space left on device.*5 items already saved are intact"):
        run_audit(_model(), CONFIG, tmp_path, progress=False)
    monkeypatch.setattr(os, "write", real_write)
    log = ResultsLog(tmp_path / RESULTS_FILE)
    assert log.load() == 5
    assert all(line.endswith("}") for line in (tmp_path / RESULTS_FILE).read_text().splitlines())
    outcome = run_audit(_model(), CONFIG, tmp_path, progress=False)
    assert outcome.resumed_items == 5 and len(outcome.evidence.probe_results[0].items) == 40


def test_unwritable_run_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RunFolderError, match="cannot create run folder"):
        run_audit(_model(), CONFIG, blocker / "run", progress=False)


def test_probe_needing_a_missing_capability_is_skipped_with_reason(tmp_path):
    # Neither scoring nor generation: pubmedqa cannot even fall back to parsing generated answers.
    model = _model(capability_set=frozenset())
    result = run_audit(model, CONFIG, tmp_path, progress=False).evidence.probe_results[0]
    assert result.status == "skipped" and "score" in result.skip_reason and not result.items


def test_prompt_over_the_context_window_is_recorded_not_cut(tmp_path):
    model = _model(context_limit=60)  # closed-book prompts fit, abstracts do not
    result = run_audit(model, CONFIG, tmp_path, progress=False).evidence.probe_results[0]
    errors = [i for i in result.items if i.outcome == "error"]
    assert errors and all(i.condition == "with_context" and "context window" in i.error for i in errors)
    error_rate = next(m for m in result.metrics if m.name == "error_with_context")
    assert error_rate.estimate == len(errors) / 20
    json.loads((tmp_path / "evidence.json").read_text())
