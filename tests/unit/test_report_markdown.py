"""Markdown report escaping: raw HTML neutralised, Markdown syntax inert, apostrophes shown as apostrophes."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from audit.models.scripted import ScriptedModel
from audit.report.render import md_escape, render_markdown
from audit.runner import RunConfig, run_audit

HOSTILE = "It's O'Brien's call <script>alert('x')</script> <img src=x onerror=alert(1)> [a](javascript:alert(1))"


@pytest.fixture(scope="module")
def markdown(tmp_path_factory) -> str:
    model = ScriptedModel(answers=lambda item_id, prompt: "yes")
    evidence = run_audit(model, RunConfig(probes=("pubmedqa",), limit=2), tmp_path_factory.mktemp("run"),
                         progress=False).evidence
    result = evidence.probe_results[0]
    planted = result.items[0].model_copy(update={"response": HOSTILE, "outcome": "incorrect"})
    result = result.model_copy(update={"items": [planted, *result.items[1:]]})
    return render_markdown(evidence.model_copy(update={"probe_results": [result]}))


def test_md_escape_keeps_apostrophes_and_neutralises_html():
    assert md_escape("O'Brien's") == "O'Brien's"
    assert md_escape("<script>alert('x')</script>") == "&lt;script&gt;alert\\('x'\\)&lt;/script&gt;"
    assert md_escape('say "hi" & #1') == 'say "hi" &amp; \\#1'
    assert "&#x27;" not in md_escape("'") and "&\\#x27;" not in md_escape("'")


def test_markdown_report_shows_apostrophes_and_runs_no_html(markdown):
    assert "&\\#x27;" not in markdown and "&#x27;" not in markdown
    assert "It's O'Brien's call" in markdown
    assert "<script" not in markdown and "<img" not in markdown
    # Rendered by a CommonMark renderer that passes raw HTML through: still no element from the model output.
    page = MarkdownIt("commonmark", {"html": True}).render(markdown)
    assert "<script" not in page and "<img" not in page and 'href="javascript:' not in page
    assert "It's O'Brien's call &lt;script&gt;alert('x')&lt;/script&gt;" in page
