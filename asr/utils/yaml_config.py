"""YAML for configs: PyYAML's safe loader, reading ``1e-3`` as a number.

PyYAML follows YAML 1.1, where a float needs a dot: ``lr: 4e-3`` or ``--set
model.encoder.dropout=1e-1`` would reach the code as the string ``"4e-3"``. YAML 1.2 (and
every config a person writes) means the number.
"""

from __future__ import annotations

import re
from typing import IO, Any

import yaml

__all__ = ["load_config_yaml"]


class _ConfigLoader(yaml.SafeLoader):
    pass


_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def load_config_yaml(stream: str | IO[str]) -> Any:
    """Parse one YAML document like ``yaml.safe_load``, with exponent floats without a dot
    (``1e-3``, ``-2E5``) read as floats.

    Raises:
        yaml.YAMLError: malformed YAML.
    """
    return yaml.load(stream, Loader=_ConfigLoader)  # noqa: S506 (a SafeLoader subclass)
