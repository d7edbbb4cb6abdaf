"""Which shell runs a buildspec's commands, as far as the checked files say.

On Linux, CodeBuild runs the commands with ``/bin/sh`` unless ``env.shell`` says ``bash``
("Shells and commands in build environments",
https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-cmd.html, and
awsdocs/aws-codebuild-user-guide#5: even on an image whose login shell is bash). What
``/bin/sh`` is, the build image decides:

* CodeBuild's Amazon Linux images (``aws/codebuild/amazonlinux…``) and ``amazonlinux``:
  bash. Amazon Linux's bash package, like Fedora's it comes from, makes ``/usr/bin/sh`` a
  link to bash (its spec file: ``ln -sf bash %{buildroot}%{_bindir}/sh``), and bash started
  as ``sh`` still has ``[[ ]]``, ``&>``, ``source`` and the rest of what ShellCheck's SC3xxx
  codes name.
* CodeBuild's Ubuntu images (``aws/codebuild/standard:…``), ``ubuntu`` and ``debian``:
  dash, Debian's and Ubuntu's ``/bin/sh``; aws/aws-codebuild-docker-images'
  ``ubuntu/standard/*/Dockerfile`` start ``FROM ubuntu`` and leave it.
* any other image, or none in the checked files: not known.

The image is known when the buildspec's CodeBuild project is checked with it: a
``codebuild-project`` file or a template's ``AWS::CodeBuild::Project`` in the same
directory that runs the buildspec, or the project a buildspec is written inline in
(:class:`pipespec.context.Project`, ``images``). :func:`resolve` gives ShellCheck's dialect
and whether it is known; under an unknown one, ShellCheck's POSIX-only codes (SC3000 to
SC3999, "In POSIX sh, ... is undefined") are info (:mod:`pipespec.shellfilter`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .shell import declared_shell, dialect

if TYPE_CHECKING:
    from .context import Project
    from .document import Document

#: ShellCheck's name for the shell: what the script's shebang says.
Flavour = Literal["sh", "bash", "dash"]

_REGISTRY = r"(?:public\.ecr\.aws/(?:docker/library/)?|docker\.io/(?:library/)?)?"
_AMAZON_LINUX = re.compile(
    r"(?:aws/codebuild/amazonlinux|public\.ecr\.aws/codebuild/amazonlinux"
    rf"|{_REGISTRY}amazonlinux(?:/amazonlinux)?(?::|$))"
)
_UBUNTU = re.compile(
    r"(?:aws/codebuild/(?:standard|ubuntu-base):|public\.ecr\.aws/codebuild/standard:"
    rf"|{_REGISTRY}(?:ubuntu(?:/ubuntu)?|debian(?:/debian)?)(?::|$))"
)


class Shell(NamedTuple):
    """The shell ShellCheck is told about, and whether the checked files say so."""

    flavour: Flavour
    known: bool
    #: where it comes from: "env.shell", "image", or "" (not known)
    source: str = ""


def image_sh(image: Any) -> Literal["bash", "dash"] | None:
    """The ``/bin/sh`` of a build image named like CodeBuild's or the distributions' own
    (``bash`` for Amazon Linux, ``dash`` for Ubuntu and Debian), or None."""
    if not isinstance(image, str):
        return None
    name = image.strip().lower()
    if _AMAZON_LINUX.match(name):
        return "bash"
    if _UBUNTU.match(name):
        return "dash"
    return None


def project_image(data: Any) -> str | None:
    """A project's ``environment.image`` (API shape), when it is a string."""
    env = data.get("environment") if isinstance(data, dict) else None
    image = env.get("image") if isinstance(env, dict) else None
    return image if isinstance(image, str) else None


def images_sh(images: Iterable[str | None]) -> Literal["bash", "dash"] | None:
    """The ``/bin/sh`` of every one of ``images`` when they all agree, else None."""
    found = {image_sh(i) for i in images}
    if len(found) == 1:
        return found.pop()
    return None


def resolve(doc: Document, project: Project | None = None) -> Shell | None:
    """The shell of a buildspec's commands (None for a Windows shell)."""
    declared = dialect(doc)
    if declared is None:
        return None
    if declared == "bash":
        return Shell("bash", True, "env.shell")
    sh = images_sh(project.images) if project is not None and project.images else None
    if sh == "bash":
        return Shell("bash", True, "image")
    if sh == "dash":
        return Shell("dash", True, "image")
    return Shell("sh", False, "env.shell" if declared_shell(doc) is not None else "")
