"""Rules reported while reading a file (``LD``) and by pipespec itself (``PS``)."""

from __future__ import annotations

from ..document import _MESSAGES
from ..findings import MAX_FINDINGS_PER_RULE, Severity
from . import Rule, register

E, W = Severity.ERROR, Severity.WARNING

_LOADER: list[tuple[str, str, Severity, str, str, str, str, str]] = [
    # id, name, severity, explain_en, explain_ja, example_name, bad, good
    (
        "LD001",
        "syntax-error",
        E,
        "The file is not valid YAML or JSON. JSON files (taskdef.json, imagedefinitions.json, "
        "imageDetail.json) must be strict JSON: no comments, no trailing commas, double quotes.",
        "YAML または JSON として読めません。taskdef.json・imagedefinitions.json・imageDetail.json "
        "は厳密な JSON で、コメントや末尾のカンマは書けず、文字列はダブルクォートで囲みます。",
        "imagedefinitions.json",
        '[\n  {"name": "web", "imageUri": "web:1"},\n]\n',
        '[\n  {"name": "web", "imageUri": "web:1"}\n]\n',
    ),
    (
        "LD002",
        "duplicate-key",
        E,
        "A key appears twice in the same mapping. YAML and JSON parsers silently keep one of "
        "the values (PyYAML the last, others the first), so half of what you wrote is ignored.",
        "同じマッピングに同じキーが 2 回あります。パーサーは黙ってどちらか一方の値だけを使うため、"
        "書いた内容の片方が無視されます。",
        "buildspec.yml",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n  build:\n    commands:\n"
        "      - make test\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n      - make test\n",
    ),
    (
        "LD003",
        "tab-indentation",
        E,
        "YAML forbids tabs in indentation; CodeBuild reports `YAML_FILE_ERROR Message: found "
        "character that cannot start any token`.",
        "YAML のインデントにタブは使えません。CodeBuild は `YAML_FILE_ERROR Message: found "
        "character that cannot start any token` で失敗します。",
        "buildspec.yml",
        "version: 0.2\nphases:\n\tbuild:\n\t\tcommands:\n\t\t\t- make\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n",
    ),
    (
        "LD004",
        "crlf-line-endings",
        W,
        "The AppSpec file uses Windows line endings (CRLF). CodeDeploy's AppSpec parser is "
        "documented to fail on them on Linux instances; use LF. Reported only for an AppSpec "
        "file that cannot be read, whose platform is unknown: one that loads gets AS109 instead "
        "(for the platforms where CRLF matters), so one cause makes one finding. Never reported "
        "for other kinds: in JSON a CR is whitespace (RFC 8259) and YAML parsers normalise line "
        "breaks (YAML 1.2, 5.4), so buildspecs, task definitions and the pipeline's files read "
        "the same either way.",
        "AppSpec ファイルの改行コードが Windows 形式 (CRLF) です。Linux のインスタンスでは "
        "CodeDeploy の AppSpec の解析が失敗することが文書化されているので、LF にしてください。"
        "報告するのは読み込めずプラットフォームの分からない AppSpec ファイルだけで、読み込める"
        "ものには (CRLF が問題になるプラットフォームで) 代わりに AS109 が出ます。1 つの原因に"
        "指摘は 1 件です。ほかの種類では報告しません。JSON では CR は空白の一種で (RFC 8259)、"
        "YAML のパーサーは改行を正規化するため (YAML 1.2 の 5.4)、buildspec・タスク定義・"
        "パイプラインのファイルはどちらでも同じに読まれます。",
        "appspec.yml",
        "version: 0.0\r\nos: linux\r\nfiles:\r\n\t- source: /\r\n",
        "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /var/www/app\n",
    ),
    (
        "LD005",
        "byte-order-mark",
        W,
        "The file starts with a UTF-8 byte order mark, which some AWS parsers reject.",
        "ファイルの先頭に UTF-8 の BOM があります。AWS のパーサーによっては受け付けません。",
        "imageDetail.json",
        '\ufeff{"ImageURI": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1"}\n',
        '{"ImageURI": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1"}\n',
    ),
    (
        "LD006",
        "file-too-large",
        E,
        "The file is larger than pipespec's size limit (10 MiB) and is not checked. AWS limits "
        "are far lower (imagedefinitions.json: 100 KB; task definition artifact: 3 MB).",
        "ファイルが pipespec の上限 (10 MiB) を超えているため検査しません。AWS の上限はさらに小さく、"
        "imagedefinitions.json は 100 KB、タスク定義のアーティファクトは 3 MB です。",
        "",
        "",
        "",
    ),
    (
        "LD007",
        "alias-expansion-limit",
        E,
        "The YAML document expands to more nodes than pipespec allows (200,000), usually "
        'because of nested aliases (a "billion laughs" file). It is not checked.',
        "YAML のエイリアスを展開するとノード数が上限 (200,000) を超えます (いわゆる billion laughs)。"
        "検査しません。",
        "",
        "",
        "",
    ),
    (
        "LD013",
        "alias-expansion-size",
        E,
        "Aliases repeat a large value so often that the document's values add up to more "
        "characters than pipespec allows (10,485,760, the size limit of a file). It is not "
        "checked: every tool that reads it would hold each copy.",
        "エイリアスが大きな値を何度も繰り返すため、展開後の値の文字数が上限 (10,485,760、ファイルの"
        "大きさの上限と同じ) を超えます。読むツールはどれもその数だけ写しを持つことになるので、検査しません。",
        "",
        "",
        "",
    ),
    (
        "LD008",
        "nesting-depth-limit",
        E,
        "The document is nested more deeply than pipespec allows (100 levels). It is not checked.",
        "入れ子が上限 (100 段) を超えているため検査しません。",
        "",
        "",
        "",
    ),
    (
        "LD009",
        "not-utf8",
        E,
        "The file is not UTF-8 (for example UTF-16, or Shift_JIS). AWS reads these files as UTF-8.",
        "ファイルが UTF-8 ではありません (UTF-16 や Shift_JIS など)。AWS はこれらのファイルを "
        "UTF-8 として読みます。",
        "",
        "",
        "",
    ),
    (
        "LD010",
        "unreadable-file",
        E,
        "The path cannot be read (permissions, a directory with a file's name, a broken link).",
        "ファイルを読めません (権限がない、ファイル名のディレクトリ、壊れたリンクなど)。",
        "",
        "",
        "",
    ),
    (
        "LD012",
        "empty-file",
        E,
        "The file has no content: it is empty or holds only whitespace and comments. Every "
        "kind pipespec checks needs a mapping (a list for imagedefinitions.json); CodeBuild "
        "and CodeDeploy fail on an empty file.",
        "ファイルに内容がありません (空、または空白とコメントだけ)。pipespec が検査する種類はどれも"
        "マッピング (imagedefinitions.json はリスト) が必要で、CodeBuild も CodeDeploy も空の"
        "ファイルでは失敗します。",
        "buildspec.yml",
        "# TODO: write the build steps\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n",
    ),
]

for _id, _name, _sev, _en_x, _ja_x, _example, _bad, _good in _LOADER:
    _en, _ja = _MESSAGES[_id]
    register(Rule(_id, _name, "load", _sev, _en, _ja, _en_x, _ja_x, _bad, _good, _example))

register(
    Rule(
        "LD011", "yaml11-boolean", "schema", Severity.WARNING,
        "{source!r} is read as the boolean {shown} (YAML 1.1) where {name} expects a string; "
        "quote it",
        "{source!r} は YAML 1.1 では真偽値 {shown} として読まれますが、{name} には文字列が必要です。"
        "引用符で囲んでください",
        "YAML 1.1 reads the plain words yes, no, on, off, y and n as booleans. Where AWS expects "
        "a string, quote them.",
        "YAML 1.1 では引用符のない yes・no・on・off・y・n は真偽値になります。文字列が必要な場所では"
        "引用符で囲みます。",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - yes\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - \"yes\"\n",
        "buildspec.yml",
    )
)  # fmt: skip
register(
    Rule(
        "PS001", "unknown-kind", "pipespec", Severity.ERROR,
        "cannot tell what kind of file this is from its name; use --kind ({kinds})",
        "ファイル名から種類を判断できません。--kind で指定してください ({kinds})",
        "A file given on the command line has a name pipespec does not recognise.",
        "コマンドラインで指定したファイルの名前から種類を判断できません。",
    )
)  # fmt: skip
register(
    Rule(
        "PS003", "too-many-findings", "pipespec", Severity.INFO,
        "and {count:,} more {rule} {findings} in this file (only the first {limit} of a rule "
        "are shown)",
        "このファイルには {rule} の指摘がほかに {count:,} 件あります (同じルールの指摘は最初の "
        "{limit} 件だけ表示します)",
        f"A file has more than {MAX_FINDINGS_PER_RULE} findings of one rule; this happens "
        "with generated files and with files that are not what their name says. pipespec "
        f"reports the first {MAX_FINDINGS_PER_RULE}, in the order of the file, and this one "
        "finding, at the first of the others, says how many more there are, so that the output "
        "stays readable and its size bounded whatever the file. The others still count in the "
        "numbers of errors and warnings and in the exit status. This finding is information "
        "only; it goes away with the findings it counts.",
        f"1 つのファイルに同じルールの指摘が {MAX_FINDINGS_PER_RULE} 件を超えてあります。"
        "生成されたファイルや、名前と中身が合っていないファイルでよく起こります。ファイル内の"
        f"順で最初の {MAX_FINDINGS_PER_RULE} 件を報告し、残りはその件数を示すこの 1 件に"
        "まとめます (位置は残りのうち最初の指摘のもの)。どんなファイルでも出力が読める量に"
        "収まるようにするためです。まとめた指摘もエラー・警告の件数と終了コードには含まれます。"
        "この指摘は情報で、まとめた指摘を直せば消えます。",
    )
)  # fmt: skip
register(
    Rule(
        "PS004", "symlink-outside-root", "pipespec", Severity.ERROR,
        "symbolic link to {target}, outside the checked directories; not read",
        "検査するディレクトリの外 ({target}) を指すシンボリックリンクなので読みません",
        "A symbolic link found while searching a directory leads outside every path given on "
        "the command line, for example to /etc/passwd or /proc/self/environ. pipespec does not "
        "follow it: what it points to belongs to the machine running the check, not to the "
        "checked tree, and the source lines shown with findings would copy it into the CI "
        "log. In CodeBuild or CodeDeploy the link resolves on their host too, to a file that is "
        "not part of your source. The file is not checked, hence an error. Replace the link "
        "with the file, or name the link (or the directory it leads to) on the command line "
        "to check its target. Links to directories are never followed; a link that stays in "
        "the tree is checked like any file.",
        "ディレクトリの中で見つけたシンボリックリンクが、コマンドラインで指定したどのパスよりも"
        "外 (/etc/passwd や /proc/self/environ など) を指しています。pipespec はこのリンクを"
        "たどりません。リンク先は検査対象のツリーではなく検査を実行しているマシンのもので、"
        "指摘と一緒に表示するソースの行がその内容を CI のログに書き出してしまうからです。"
        "CodeBuild や CodeDeploy でもリンクはそれぞれのホスト上で解決され、ソースにないファイルを"
        "指します。ファイルを検査していないのでエラーにします。リンクをファイルそのものに"
        "置き換えるか、リンク先を検査したい場合はリンク (またはリンク先のディレクトリ) を"
        "コマンドラインで指定してください。ディレクトリへのリンクはたどりません。ツリーの中を"
        "指すリンクは普通のファイルと同じように検査します。",
    )
)  # fmt: skip
register(
    Rule(
        "PS999", "internal-error", "pipespec", Severity.ERROR,
        "internal error in rule {rule}: {error} (please report this)",
        "ルール {rule} の内部エラー: {error} (報告してください)",
        "A rule crashed. The other rules still ran; this is a bug in pipespec.",
        "ルールが異常終了しました。ほかのルールは実行されています。pipespec の不具合です。",
    )
)  # fmt: skip
