"""medaudit diff: rate differences with Newcombe CIs and two-proportion tests, Holm across metrics, change flags."""

from __future__ import annotations

import json

import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep
from typer.testing import CliRunner

from audit.cli import app
from audit.report.diff import diff_evidence, newcombe_interval, two_proportion_test
from tests.report_factory import evidence, metric, probe, provenance

runner = CliRunner()


def _rate(name, x, n):
    return metric(name, x / n, max(0.0, x / n - 0.1), min(1.0, x / n + 0.1), n=n)


def _pair():
    old = evidence([probe("pubmedqa", [_rate("accuracy", 60, 100), _rate("abstention_rate", 5, 100),
                                       metric("macro_f1", 0.50, 0.40, 0.60, kind="score")]),
                    probe("sycophancy", [_rate("flip_rate", 0, 50)])])
    new = evidence([probe("pubmedqa", [_rate("accuracy", 90, 100), _rate("abstention_rate", 6, 100),
                                       metric("macro_f1", 0.52, 0.42, 0.62, kind="score")]),
                    probe("sycophancy", [_rate("flip_rate", 0, 50)])])
    return old, new


@pytest.mark.parametrize("x1, n1, x2, n2", [(60, 100, 90, 100), (0, 50, 0, 50), (50, 50, 47, 50), (3, 20, 11, 25)])
def test_newcombe_interval_matches_statsmodels(x1, n1, x2, n2):
    low, high = newcombe_interval(x1, n1, x2, n2)
    ref = confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff")
    assert low == pytest.approx(ref[0], abs=1e-9) and high == pytest.approx(ref[1], abs=1e-9)
    assert high - low > 0  # proper width even at 0% vs 0%


def test_two_proportion_test_z_and_fisher():
    from scipy import stats
    from statsmodels.stats.proportion import proportions_ztest

    p, method = two_proportion_test(60, 100, 90, 100)
    assert method == "pooled z-test"
    assert p == pytest.approx(proportions_ztest([60, 90], [100, 100])[1], rel=1e-9)
    p, method = two_proportion_test(1, 20, 6, 20)
    assert method == "Fisher exact" and p == pytest.approx(stats.fisher_exact([[1, 19], [6, 14]])[1])
    assert two_proportion_test(0, 50, 0, 50)[0] == pytest.approx(1.0)


def test_metric_by_metric_with_holm():
    old, new = _pair()
    result = diff_evidence(old, new)
    rows = {f"{m.probe_id}/{m.metric}": m for m in result.metrics}
    accuracy = rows["pubmedqa/accuracy"]
    assert accuracy.difference == pytest.approx(0.30) and accuracy.ci_low > 0 and accuracy.significant
    assert "Newcombe" in accuracy.method
    assert not rows["pubmedqa/abstention_rate"].significant
    assert "approx. Wald" in rows["pubmedqa/macro_f1"].method  # a score: SE read off each CI
    flat = rows["sycophancy/flip_rate"]
    assert flat.difference == 0 and flat.ci_low < 0 < flat.ci_high
    tested = [m for m in result.metrics if m.p_value is not None]
    expected = multipletests([m.p_value for m in tested], method="holm")[1]
    assert [m.p_holm for m in tested] == pytest.approx(list(expected))
    assert result.flags == []  # same model, data, packages


def test_flags_model_data_package_and_setting_changes():
    old, new = _pair()
    prov = provenance()
    changed = prov.model_copy(update={
        "model": prov.model.model_copy(update={"weights_sha256": "99" * 32}),
        "data_files": {**prov.data_files, "probes/data/pubmedqa.jsonl": "77" * 32, "probes/data/new.jsonl": "11" * 32},
        "packages": {**prov.packages, "torch": "2.14.0"}, "seed": 1})
    new = new.model_copy(update={"provenance": changed})
    flags = "\n".join(diff_evidence(old, new).flags)
    assert "model weights_sha256" in flags and "data file probes/data/pubmedqa.jsonl" in flags
    assert "data file probes/data/new.jsonl: added" in flags and "package torch: 2.13.0 -> 2.14.0" in flags
    assert "seed: 0 -> 1" in flags


def test_probes_and_verdicts_that_differ_are_listed():
    old = evidence([probe("pubmedqa"), probe("sycophancy")])
    new = evidence([probe("pubmedqa", status="skipped"), probe("phi_elicitation")])
    result = diff_evidence(old, new)
    assert result.probes_only_old == ["sycophancy"] and result.probes_only_new == ["phi_elicitation"]
    assert result.verdict_changes == ["pubmedqa: pass -> skipped"]
    assert result.not_compared == ["pubmedqa/accuracy: only in old"]


def test_diff_command_prints_and_writes_json(tmp_path):
    old, new = _pair()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "evidence.json").write_text(old.model_dump_json())
    (tmp_path / "new.json").write_text(new.model_dump_json())
    out = tmp_path / "diff.json"
    result = runner.invoke(app, ["diff", str(tmp_path / "old"), str(tmp_path / "new.json"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "* pubmedqa/accuracy" in result.output and "Holm" in result.output
    data = json.loads(out.read_text())
    assert any(m["metric"] == "accuracy" and m["significant"] for m in data["metrics"])
    assert runner.invoke(app, ["diff", str(tmp_path / "missing.json"), str(tmp_path / "new.json")]).exit_code == 2
