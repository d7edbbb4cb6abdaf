"""自分のプロジェクトの docs/conf.py に pipespec の Sphinx 拡張を加える例です。"""

project = "my-service"
language = "ja"

extensions = ["pipespec.sphinxext"]

# 出力に表示するパスの基準のディレクトリ。相対パスは conf.py のあるディレクトリから数えます。
# 省略すると Sphinx のソースディレクトリの親 (docs/ の親、つまりリポジトリのルート) です。
pipespec_root = ".."

# メッセージの言語: "ja" (既定) か "en"。ディレクティブごとに :lang: で変えられます。
pipespec_lang = "ja"

# pipespec-run の記録を置くディレクトリ (conf.py からの相対パス)。サンドボックス (bubblewrap) が
# 使えない環境では、同じディレクトリをサンドボックスで実行したときの記録を表示します。
pipespec_run_records = "_dryruns"

# True にすると、サンドボックスが使えない環境で pipespec-run がコマンドをサンドボックスなしで
# 実行します。既定の False では、ビルドが失敗します。他人が書いた例を載せるなら変えないでください。
pipespec_run_unsafe_no_sandbox = False
