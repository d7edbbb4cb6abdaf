"""自分のプロジェクトの docs/conf.py に pipespec の Sphinx 拡張を加える例です。"""

project = "my-service"
language = "ja"

extensions = ["pipespec.sphinxext"]

# 出力に表示するパスの基準のディレクトリ。相対パスは conf.py のあるディレクトリから数えます。
# 省略すると Sphinx のソースディレクトリの親 (docs/ の親、つまりリポジトリのルート) です。
pipespec_root = ".."

# メッセージの言語: "ja" (既定) か "en"。ディレクティブごとに :lang: で変えられます。
pipespec_lang = "ja"
