"""One voice for the reader: the pages' prose has no tracker talk and one spelling per term.

The checks read the Markdown sources under ``docs/`` and look only at the prose: fenced
code blocks, directives that show files or program output (``literalinclude``,
``pipespec-check`` …), directive options, inline code and link targets are left out,
because those show real files and real output, not the site's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Directives whose body (and argument) is the site's prose; every other fence is literal.
PROSE_DIRECTIVES = {
    "admonition",
    "attention",
    "caution",
    "div",
    "glossary",
    "group-tab",
    "important",
    "list-table",
    "note",
    "seealso",
    "tab-item",
    "tab-set",
    "tabs",
    "themed-figure",
    "tip",
    "warning",
}
_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\{([\w-]+)\})?\s*(.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|<https?://[^>]*>|https?://\S+")
_LABEL = re.compile(r"^\s*\([\w-]+\)=\s*$")


def pages() -> list[Path]:
    return sorted(
        p
        for p in DOCS.rglob("*.md")
        if not any(part.startswith("_") for part in p.relative_to(DOCS).parts)
    )


def _mask(text: str) -> str:
    """``text`` with inline code and link targets blanked out (columns are kept)."""
    for pattern in (_CODE_SPAN, _LINK_TARGET):
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, masked prose) for every line of ``text`` that the reader sees as prose."""
    stack: list[tuple[str, bool]] = []  # (fence marker, is the body literal?)
    options = False
    for number, line in enumerate(text.splitlines(), start=1):
        literal = bool(stack) and stack[-1][1]
        fence = _FENCE.match(line)
        if fence:
            marker, _, name, rest = fence.groups()
            closes = (
                stack
                and not name
                and not rest
                and marker[0] == stack[-1][0][0]
                and len(marker) >= len(stack[-1][0])
            )
            if closes:
                stack.pop()
                options = False
                continue
            if not literal:
                prose = name in PROSE_DIRECTIVES or (marker[0] == ":" and not name)
                stack.append((marker, not prose))
                options = bool(name)
                if prose and rest:
                    yield number, _mask(" " * fence.start(4) + rest)
                continue
        if literal:
            continue
        if options:
            if _OPTION.match(line):
                continue
            options = False
        if _LABEL.match(line):
            continue
        yield number, _mask(line)


def findings(patterns: dict[str, str], skip: frozenset[str] = frozenset()) -> list[str]:
    found = []
    for page in pages():
        name = page.relative_to(DOCS).as_posix()
        if name in skip:
            continue
        for number, line in prose_lines(page.read_text(encoding="utf-8")):
            for pattern, why in patterns.items():
                for m in re.finditer(pattern, line):
                    found.append(f"docs/{name}:{number}: {m.group()!r} ({why})")
    return found


# Talk about the project's tracker or how the site was made, not about AWS.
TRACKER = {
    r"(?i)\b(?:issues?|tickets?|pull requests?|PRs?|bugs?)\s*(?:#|No\.?\s*)?\d+": (
        "a tracker reference; say what was decided instead"
    ),
    r"(?<![\w/.-])#\d+": "a bare '#number' names a tracker entry; cite the full repo#number",
    r"イシュー|チケット": "tracker vocabulary",
    r"(?:この|作業|前の|次の)セッション": "talk about a work session, not about AWS",
}

# The notebook the site grew from is credited on the top page and its differences are
# listed on one page; lessons teach the right form without asides about it.
NOTEBOOK = {
    r"元(?:の)?ノート(?!との違い)|元になったノート": "an aside about the notebook; see notebook.md"
}
NOTEBOOK_PAGES = frozenset({"index.md", "notebook.md"})

# Rejected spelling -> the site's spelling (long vowel for -er/-or words, as in
# サーバー・ユーザー・ロードバランサー; none for -y words: カテゴリ・メモリ・ディレクトリ).
# エディタ is the one exception: every page, the top page's map included, writes it so.
SPELLINGS = {
    r"スケジューラ(?!ー)": "スケジューラー",
    r"パラメータ(?!ー)": "パラメーター",
    r"エディター": "エディタ",
    r"フィルタ(?!ー)": "フィルター",
    r"インタプリタ|インタープリタ(?!ー)": "インタープリター",
    r"コンストラクタ(?!ー)": "コンストラクター",
    r"コントローラ(?!ー)": "コントローラー",
    r"プロバイダ(?!ー)": "プロバイダー",
    r"リスナ(?!ー)": "リスナー",
    r"カテゴリー": "カテゴリ",
    r"[（）]": "half-width parentheses with spaces: 'word (note) word'",
}


def test_no_tracker_vocabulary() -> None:
    bad = findings(TRACKER)
    assert not bad, "\n".join(bad)


def test_notebook_differences_live_on_one_page() -> None:
    bad = findings(NOTEBOOK, skip=NOTEBOOK_PAGES)
    assert not bad, "\n".join(bad)


def test_one_spelling_per_term() -> None:
    bad = findings({pattern: f"write {good}" for pattern, good in SPELLINGS.items()})
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("目標は issue 7 で決めたものです。", TRACKER),
        ("詳しくは #12 を参照してください。", TRACKER),
        ("作業セッションで決めました。", TRACKER),
        ("元ノートは別の名前でした。", NOTEBOOK),
        ("ECS のサービススケジューラが入れ替えます。", SPELLINGS),
        ("タグ付き（例）でも使えます。", SPELLINGS),
    ],
)
def test_the_checks_catch_what_they_reject(line: str, rule: dict[str, str]) -> None:
    text = f"(x)=\n# 見出し\n\n{line}\n"
    assert any(re.search(p, masked) for _, masked in prose_lines(text) for p in rule)


@pytest.mark.parametrize(
    "text",
    [
        "`サービススケジューラ（例）` はコードです。\n",
        "```text\nissue 7 （例）\n```\n",
        "```{literalinclude} a.json\n:caption: issue 7（例）\n```\n",
        "[aws/aws-codedeploy-agent#304](https://github.com/aws/aws-codedeploy-agent/issues/304)\n",
        ":::{note}\n```console\n$ echo パラメータ\n```\n:::\n",
        "- IAM セッション ARN で登録します。\n",
    ],
)
def test_code_and_real_references_are_not_prose(text: str) -> None:
    rules = {**TRACKER, **SPELLINGS}
    hits = [m for _, line in prose_lines(text) for p in rules for m in re.finditer(p, line)]
    assert not hits, hits


def test_prose_of_a_note_is_checked() -> None:
    text = ":::{note}\nサービススケジューラが入れ替えます。\n:::\n"
    assert any("スケジューラ" in line for _, line in prose_lines(text))
