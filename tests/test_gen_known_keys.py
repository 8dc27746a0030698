"""tools/gen_known_keys.py reads key sets from framework sources without importing them."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location("gen_known_keys", Path(__file__).parents[1] / "tools" / "gen_known_keys.py")
gen = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen)

SOURCE = '''
from dataclasses import dataclass, field
from typing import ClassVar

@dataclass
class TrainingArguments:
    framework = "pt"
    output_dir: str = field(default=None)
    learning_rate: float = 5e-5
    _n_gpu: int = field(init=False, repr=False, default=-1)
    _VALID_DICT_FIELDS: ClassVar[list] = []

class NotADataclass:
    x: int = 1

@dataclasses.dataclass(frozen=True)
class DPOConfig(TrainingArguments):
    beta: float = 0.1
'''


def test_dataclass_fields_are_the_init_arguments():
    got = gen.dataclass_fields(SOURCE, ["TrainingArguments"])
    assert got == {"TrainingArguments": ["output_dir", "learning_rate"]}  # no init=False, no ClassVar
    assert gen.dataclass_fields(SOURCE, "*") == {"TrainingArguments": ["output_dir", "learning_rate"],
                                                "DPOConfig": ["beta"]}  # "*": decorated classes only


def test_ultralytics_deprecated_keys_from_both_code_styles():
    src = '''
def _handle_deprecation(custom):
    deprecated_mappings = {"boxes": ("show_boxes", None), "hide_labels": ("show_labels", None)}
    removed_keys = {"label_smoothing", "save_hybrid"}
    if "end2end" in custom:
        pass
    for key in custom.copy().keys():
        if key == "line_thickness":
            pass
    flag = str(x).lower() not in {"none", "false"}
'''
    func = ast.parse(src).body[0]
    got = gen._deprecated_keys(func, src)
    assert got == {"boxes", "hide_labels", "label_smoothing", "save_hybrid", "end2end", "line_thickness"}
