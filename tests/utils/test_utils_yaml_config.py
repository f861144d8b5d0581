"""The config YAML loader: exponent floats without a dot are numbers; the rest as safe_load."""

from __future__ import annotations

import pytest
import yaml

from asr.utils.yaml_config import load_config_yaml


@pytest.mark.parametrize("text,value", [
    ("1e-3", 0.001), ("4e-3", 0.004), ("-2E5", -200000.0), ("+1e+2", 100.0), ("1_000e-3", 1.0), ("1.5e-3", 0.0015),
])
def test_exponent_floats_are_numbers(text: str, value: float) -> None:
    assert yaml.safe_load(f"x: {text}")["x"] == (value if "." in text else text)  # PyYAML's own reading
    loaded = load_config_yaml(f"x: {text}")["x"]
    assert isinstance(loaded, float) and loaded == pytest.approx(value)


def test_everything_else_reads_as_safe_load() -> None:
    text = "a: 12\nb: 0.5\nc: true\nd: null\ne: [1, two]\nf: '1e-3'\ng: e5\nh: 1e\ni: 0x1F\nj: .inf\nk: 1.0e-05\n"
    assert load_config_yaml(text) == yaml.safe_load(text)
    assert load_config_yaml(text)["f"] == "1e-3"  # quoted stays a string


def test_malformed_yaml_raises_yaml_error() -> None:
    with pytest.raises(yaml.YAMLError):
        load_config_yaml("a: [1, 2")
