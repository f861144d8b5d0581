"""Name-to-class registries that build modules from YAML dicts, strictly.

A config such as ``{"type": "conformer", "num_blocks": 6}`` selects a registered class by
``type``; every other key must be a keyword of the class's ``__init__``. Unknown types,
unknown keys and missing required keys are a ``ValueError`` that names them, so a typo in
a YAML file cannot be silently ignored (ESPnet ``class_choices``, WeNet ``init_model``).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping, TypeVar

__all__ = ["Registry", "instantiate", "ENCODERS", "DECODERS", "FRONTENDS"]

T = TypeVar("T", bound=type)


class Registry:
    """Maps a ``type`` name to a class of one kind (e.g. ``"encoder"``).

    Args:
        kind (str): what the registry holds; used in error messages.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._classes: dict[str, type] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: register the class under ``name``."""

        def wrap(cls: T) -> T:
            if name in self._classes:
                raise ValueError(f"{self.kind} type {name!r} is already registered ({self._classes[name].__name__})")
            self._classes[name] = cls
            return cls

        return wrap

    @property
    def names(self) -> list[str]:
        """Registered type names, sorted."""
        return sorted(self._classes)

    def get(self, name: str) -> type:
        """The class registered as ``name``; ``ValueError`` listing the known names otherwise."""
        if name not in self._classes:
            raise ValueError(f"unknown {self.kind} type {name!r} (known: {', '.join(self.names)})")
        return self._classes[name]

    def build(self, config: Mapping[str, Any], **injected: Any) -> Any:
        """Instantiate ``config["type"]`` with the remaining keys as keyword arguments.

        Args:
            config (Mapping): the YAML dict; must hold ``type``.
            **injected: arguments the caller supplies (e.g. ``input_dim``); a config may not
                set them too.

        Raises:
            ValueError: missing ``type``, unknown type, unknown or duplicated key, or a
                required argument that neither the config nor the caller gives.
        """
        if not isinstance(config, Mapping):
            raise ValueError(f"{self.kind} config must be a mapping with a 'type' key, got {config!r}")
        if "type" not in config:
            raise ValueError(f"{self.kind} config has no 'type' key (known types: {', '.join(self.names)})")
        name = config["type"]
        kwargs = {k: v for k, v in config.items() if k != "type"}
        return instantiate(self.get(name), kwargs, f"{self.kind} {name!r}", **injected)


def instantiate(cls: type, kwargs: Mapping[str, Any], what: str, **injected: Any) -> Any:
    """``cls(**kwargs, **injected)`` after checking the keys against ``cls.__init__``.

    Args:
        cls (type): class to build.
        kwargs (Mapping): keyword arguments from a config.
        what (str): how error messages name the config, e.g. ``"encoder 'conformer'"``.
        **injected: arguments the caller supplies; the config may not set them.

    Raises:
        ValueError: an unknown key, a key that is injected, or a missing required argument.
    """
    params = inspect.signature(cls.__init__).parameters
    accepted = [p for p in params if p != "self" and p not in injected]
    for key in kwargs:
        if key in injected:
            raise ValueError(f"{what}: key {key!r} is set by the model, not the config")
        if key not in params or key == "self":
            raise ValueError(f"{what}: unknown key {key!r} (known: {', '.join(accepted)})")
    kwargs = {**kwargs, **injected}
    missing = [
        p.name
        for p in params.values()
        if p.name != "self" and p.default is inspect.Parameter.empty and p.name not in kwargs
    ]
    if missing:
        raise ValueError(f"{what}: missing required key(s) {', '.join(map(repr, missing))}")
    return cls(**kwargs)


ENCODERS = Registry("encoder")
DECODERS = Registry("decoder")
FRONTENDS = Registry("frontend")
