"""The README's Python section runs as printed: each example, pasted into a fresh interpreter in
a folder that has the repository's `data` and `rubrics`, prints exactly the output the README
shows after it; the `>>>` examples pass as doctests."""

import doctest
import pathlib
import re
import subprocess
import sys

import pytest

from test_accord import ROOT

FENCE = re.compile(r"```(\w*)\n(.*?)```\n", re.S)


def python_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("\n## Python\n")
    return text[start : text.index("\n## ", start + 1)]


def examples():
    """(code, output) for each ```python block followed by a plain ``` block."""
    blocks = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(python_section())]
    pairs = []
    for (lang, code, _, end), (next_lang, out, start, _) in zip(blocks, blocks[1:]):
        if lang == "python" and next_lang == "" and not code.startswith(">>>"):
            between = python_section()[end:start]
            assert between.strip() == "", "an output block follows its example directly"
            pairs.append((code, out))
    return pairs


@pytest.fixture
def workspace(tmp_path):
    """A folder with the repository's data and rubrics, as a new user's working folder."""
    for name in ("data", "rubrics"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def test_the_readme_has_its_examples():
    assert len(examples()) >= 2


@pytest.mark.parametrize("number", range(len(examples())))
def test_a_readme_example_prints_what_the_readme_shows(number, workspace):
    code, want = examples()[number]
    got = subprocess.run(
        [sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout == want


def test_the_readme_doctests_pass(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    parser = doctest.DocTestParser()
    blocks = [m.group(2) for m in FENCE.finditer(python_section()) if m.group(2).startswith(">>>")]
    assert blocks
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README Python {i}", "README.md", 0)
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} README doctest(s) failed (output above)"
