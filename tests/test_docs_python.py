"""The Python shown on the site runs, and prints what the page says (pytest-examples).

pytest-examples on Python 3.11 with pytest >= 8.4 turns an example that raises into an
INTERNALERROR (pytest cannot format the traceback of code compiled from a Markdown file).
:func:`run` reports such an example as an ordinary failure with its file and line instead;
``test_a_raising_example_is_an_ordinary_failure`` proves it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = list(find_examples(str(ROOT / "docs")))


def run(example: CodeExample, eval_example: EvalExample) -> None:
    try:
        eval_example.run_print_check(example)
    except Exception as exc:  # an example that raises: a plain failure, not an INTERNALERROR
        message = (
            f"{example.path}:{example.start_line}: the example raised {type(exc).__name__}: {exc}"
        )
        exc.__traceback__ = None
        pytest.fail(message, pytrace=False)


def test_the_site_has_python_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_docs_example(
    example: CodeExample, eval_example: EvalExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    run(example, eval_example)


def test_a_raising_example_is_an_ordinary_failure(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(
        "# page\n\n```python\nprint(1 + 1)\n#> 2\n```\n\n"
        "```python\nraise ValueError('boom')\n```\n\n"
        "```python\nprint(3)\n#> 4\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "test_page.py").write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            import pytest
            from pytest_examples import find_examples
            from test_docs_python import run

            @pytest.mark.parametrize("example", list(find_examples("docs")), ids=str)
            def test_page(example, eval_example):
                run(example, eval_example)
            """
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_page.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert "INTERNALERROR" not in out
    assert proc.returncode == 1
    assert "2 failed, 1 passed" in out
    assert "docs/page.md:8: the example raised ValueError: boom" in out
