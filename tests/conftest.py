from __future__ import annotations

from collections.abc import Iterator

import pytest
from sitebuild import BuildError, Server, Site, build, serve

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The site, built once per session with ``sphinx-build -W --keep-going``."""
    try:
        return build(tmp_path_factory.mktemp("site"))
    except BuildError as exc:
        pytest.fail(f"sphinx-build -W failed:\n{exc}", pytrace=False)


@pytest.fixture(scope="session")
def site_server(site: Site) -> Iterator[Server]:
    """The built site served over HTTP on 127.0.0.1 (a free port)."""
    server = serve(site.html)
    yield server
    server.close()
