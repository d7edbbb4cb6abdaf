"""Build the site once per test session, and serve it on 127.0.0.1 for the browser tests.

The fixtures in ``tests/conftest.py`` use these helpers: ``site`` (one ``sphinx-build -W
--keep-going``, shared by every pytest-xdist worker: :func:`build_shared`) and
``site_url`` (a threaded ``http.server`` over its output).
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import pickle
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The pickled doctrees hold nodes of the site's own extensions.
if str(DOCS / "_ext") not in sys.path:
    sys.path.insert(0, str(DOCS / "_ext"))


@dataclass
class Site:
    output: str
    html: Path
    doctrees: Path
    env: Any

    def doctree(self, docname: str) -> nodes.document:
        with (self.doctrees / f"{docname}.doctree").open("rb") as fh:
            tree: nodes.document = pickle.load(fh)
        return tree

    def doctrees_all(self) -> Iterator[tuple[str, nodes.document]]:
        for docname in sorted(self.env.found_docs):
            yield docname, self.doctree(docname)

    def page(self, docname: str) -> str:
        return (self.html / f"{docname}.html").read_text(encoding="utf-8")


class BuildError(Exception):
    """``sphinx-build -W`` failed; the message is its output."""


def build(out: Path) -> Site:
    """Build the site into ``out/html`` from scratch with warnings as errors."""
    html, doctrees = out / "html", out / "doctrees"
    output = ""
    # The site, then the single-page edition, as noxfile.build_docs makes them: from the
    # same doctrees.
    for builder, dest in (("html", html), ("singlehtml", html / "single")):
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", builder),
                *("-d", str(doctrees), str(DOCS), str(dest)),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output += proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise BuildError(output)
    return _site(out, output)


def _site(out: Path, output: str) -> Site:
    html, doctrees = out / "html", out / "doctrees"
    with (doctrees / "environment.pickle").open("rb") as fh:
        env = pickle.load(fh)
    return Site(output=output, html=html, doctrees=doctrees, env=env)


def build_shared(out: Path) -> Site:
    """:func:`build` into ``out`` by the first process that asks, under a lock; every
    other process (the pytest-xdist workers of one run) waits for it and reads the same
    build, or the same failure. The site is read-only for the tests."""
    out.mkdir(parents=True, exist_ok=True)
    done, failed = out / "built.log", out / "failed.log"
    with (out / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if failed.exists():
            raise BuildError(failed.read_text(encoding="utf-8"))
        if done.exists():
            return _site(out, done.read_text(encoding="utf-8"))
        try:
            site = build(out)
        except BuildError as exc:
            failed.write_text(str(exc), encoding="utf-8")
            raise
        except BaseException as exc:  # a timeout, Ctrl-C: no worker builds over what is left
            failed.write_text(f"the site build stopped: {exc!r}", encoding="utf-8")
            raise
        done.write_text(site.output, encoding="utf-8")
        return site


def build_for(site: Site, out: Path, base_url: str) -> Path:
    """The pages of ``site`` written again for a deployment at ``base_url`` (as the Pages
    workflow sets ``PIPESPEC_BASE_URL``), into ``out/html``; returns that directory.

    The documents are not read again: the build starts from a copy of ``site``'s doctrees.
    """
    html, doctrees = out / "html", out / "doctrees"
    shutil.copytree(site.doctrees, doctrees)
    env = {k: v for k, v in os.environ.items() if k != "READTHEDOCS_CANONICAL_URL"}
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"),
            *("-d", str(doctrees), str(DOCS), str(html)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**env, "PIPESPEC_BASE_URL": base_url},
    )
    if proc.returncode != 0:
        raise BuildError(proc.stdout + proc.stderr)
    return html


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The site under ``prefix``; a missing path gets the site's own 404 page, as on a host."""

    prefix = "/"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "\0missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@dataclass
class Server:
    url: str  # ends with "/"
    root: Path
    httpd: http.server.ThreadingHTTPServer

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(root: Path, prefix: str = "/") -> Server:
    """Serve ``root`` at ``prefix`` on 127.0.0.1, on a free port, from a daemon thread.

    ``prefix`` is the path the build is for (its ``notfound_urls_prefix``: ``/`` for a
    local build, ``/pipespec/`` for a project site), so that absolute links such as the
    404 page's are served as on the real host.
    """
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler_class = type("Handler", (_Handler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True).start()
    host, port = httpd.server_address[:2]
    return Server(url=f"http://{host}:{port}{prefix}", root=root, httpd=httpd)
