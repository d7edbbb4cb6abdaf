"""CodeDeploy AppSpec rules (``AS1xx``).

Facts: the CodeDeploy user guide (AppSpec file reference: structure, 'files', 'permissions',
'hooks' and 'resources' sections; general troubleshooting) and, for EC2/On-Premises, the
CodeDeploy agent that reads the file on the instance (aws/aws-codedeploy-agent,
``application_specification/*.rb``: Ruby's YAML 1.1 loader, exact key names).

The ECS and Lambda forms are read by the CodeDeploy service, which does not care about the
letter case of keys: the reference itself writes the Lambda form with ``resources``,
``type``, ``properties``, ``currentversion``, and AWS's own samples write
``awsvpcConfiguration``/``subnets``. :func:`normalise_keys` maps such keys to the schema's
spelling before anything else looks at the document, so the schema and the rules below see
one spelling and positions still point at what the user wrote.

The rules live in one module per group, each rule's data generating its entry of the rule
reference: :mod:`.structure` (version, hooks), :mod:`.resources` (ECS and Lambda),
:mod:`.files` (files, permissions, line endings); :mod:`.model` holds what they share.
"""

from __future__ import annotations

from . import files, resources, structure
from .model import AS, HOOKS, _ruby_to_i, normalise_keys

__all__ = ["AS", "HOOKS", "_ruby_to_i", "files", "normalise_keys", "resources", "structure"]
