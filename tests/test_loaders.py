"""Loaders: positions, YAML 1.1 pitfalls, duplicates, safety (nothing executed), errors with positions."""

from __future__ import annotations

import pytest

from stablint.linter.document import UNRESOLVED, InputError
from stablint.linter.loaders import load_path, load_text


def test_yaml_positions_and_yaml11_float_strings():
    doc = load_text("c.yaml", "optimizer:\n  lr: 1e-4\n  wd: 0.01\nbatch_size: 8\n")
    lr = doc.find("optimizer.lr")
    assert lr.value == "1e-4" and lr.alt == 1e-4  # PyYAML keeps it a string; YAML 1.2 would give a float
    assert (lr.line, lr.column, lr.key_line, lr.key_column) == (2, 7, 2, 3)
    assert doc.find("optimizer.wd").value == 0.01 and doc.find("optimizer.wd").alt is None
    assert [(i.kind, i.key_path, i.line) for i in doc.issues] == [("yaml11-float-string", "optimizer.lr", 2)]


@pytest.mark.parametrize("text,is_str", [("5e-05", True), ("1.0e5", True), ("1e+4", True), ("1.0e-4", False),
                                         ("0.0001", False), ('"1e-4"', True)])
def test_yaml11_float_rule_matches_pyyaml(text, is_str):
    import yaml

    doc = load_text("c.yaml", f"x: {text}\n")
    assert isinstance(doc.find("x").value, str) is is_str
    assert doc.find("x").value == yaml.safe_load(f"x: {text}\n")["x"]


def test_yaml11_booleans_recorded():
    doc = load_text("c.yaml", "fp16: yes\nbf16: off\nname: 'on'\n")
    assert doc.find("fp16").value is True and doc.find("bf16").value is False
    assert doc.find("name").value == "on"  # quoted: a string
    assert sorted(i.key_path for i in doc.issues if i.kind == "yaml11-bool") == ["bf16", "fp16"]


def test_yaml_duplicate_key_last_wins():
    doc = load_text("c.yaml", "lr: 0.1\nbatch: 2\nlr: 0.2\n")
    assert doc.find("lr").value == 0.2
    dup = [i for i in doc.issues if i.kind == "duplicate-key"]
    assert len(dup) == 1 and dup[0].line == 3 and "line 1" in dup[0].detail


def test_yaml_merge_keys_are_flattened():
    doc = load_text("c.yaml", "default: &D\n  lr: 0.1\n  bs: 4\nexp:\n  <<: *D\n  bs: 8\n")
    assert doc.find("exp.lr").value == 0.1 and doc.find("exp.bs").value == 8


def test_yaml_python_tags_are_left_unresolved_never_constructed():
    # detectron2 configs use !!python/object/apply:eval on purpose (fvcore loads with yaml.unsafe_load);
    # the tagged value (scalar or collection, with its anchor and aliases) is UNRESOLVED, the rest is read
    text = ("x: !!python/object/apply:os.system ['touch /tmp/pwned']\n"
            "y: &n !!python/name:os.system\nz: *n\n"
            "w: !!python/object:collections.OrderedDict {a: 1, b: [1, 2]}\nlr: 0.01\n")
    doc = load_text("c.yaml", text)
    for key in ("x", "y", "z", "w"):
        assert doc.find(key).value is UNRESOLVED, key
    assert doc.find("x").raw == "!!python/object/apply:os.system ['touch /tmp/pwned']"
    assert doc.find("w").raw == "!!python/object:collections.OrderedDict {a: 1, b: [1, 2]}"
    assert doc.find("lr").value == 0.01
    kinds = [(i.kind, i.key_path, i.line) for i in doc.issues]
    assert ("unresolved-expression", "x", 1) in kinds and ("unresolved-expression", "w", 4) in kinds


def test_yaml_alias_bomb_bounded():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(InputError) as e:
        load_text("bomb.yaml", "\n".join(lines) + "\n")
    assert "alias" in e.value.message


def test_yaml_syntax_error_has_position():
    with pytest.raises(InputError) as e:
        load_text("c.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    assert e.value.line >= 2 and e.value.message.startswith("invalid YAML")


def test_application_tags_kept_as_values():
    doc = load_text("hp.yaml", "lr: 0.00015\nopt: !name:torch.optim.Adam\n  lr: !ref <lr>\n")
    assert doc.find("opt").tag == "!name:torch.optim.Adam"
    assert doc.find("opt.lr").value == "<lr>"


def test_json_positions_values_and_duplicates():
    text = '{\n  "train_batch_size": 64,\n  "optimizer": {"type": "Adam", "params": {"lr": 1e-3}},\n  "train_batch_size": 32\n}\n'
    doc = load_text("ds.json", text)
    assert doc.find("optimizer.params.lr").value == 1e-3
    assert doc.find("optimizer.params.lr").line == 3
    assert doc.find("train_batch_size").value == 32 and doc.find("train_batch_size").key_line == 4
    assert [i.kind for i in doc.issues] == ["duplicate-key"]


def test_json_error_position():
    with pytest.raises(InputError) as e:
        load_text("x.json", '{\n  "a": GB_SIZE\n}')
    assert (e.value.line, e.value.column) == (2, 8)


def test_toml_positions_and_underscores():
    doc = load_text("t.toml", '[optimizer]\nname = "AdamW"\nlr = 8e-4\n\n[training]\nsteps = 10_000\n')
    assert doc.find("optimizer.lr").value == 8e-4 and doc.find("optimizer.lr").key_line == 3
    assert doc.find("training.steps").value == 10000 and doc.find("training.steps").line == 6


def test_python_config_folds_safely_and_never_executes(tmp_path):
    canary = tmp_path / "canary"
    text = (
        "import os\n"
        f"os.system('touch {canary}')\n"
        f"x = __import__('os').system('touch {canary}')\n"
        "gradient_accumulation_steps = 5 * 8\n"
        "learning_rate = 5e-4 * 2048 / 512\n"
        "max_tokens = int(1e9)\n"
        "device = 'cuda' if x else 'cpu'\n"
        "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=learning_rate), clip_grad=dict(max_norm=1.0))\n"
        "_base_ = ['../_base_/default_runtime.py']\n"
    )
    doc = load_text("config/train.py", text)
    assert not canary.exists()
    assert doc.find("gradient_accumulation_steps").value == 40
    assert doc.find("learning_rate").value == pytest.approx(2e-3)
    assert doc.find("max_tokens").value == 1_000_000_000
    assert doc.find("device").value is UNRESOLVED and doc.find("x").value is UNRESOLVED
    assert doc.find("optim_wrapper.optimizer.lr").value == pytest.approx(2e-3)
    assert doc.find("optim_wrapper.clip_grad.max_norm").key_line == 8
    assert doc.find("_base_").plain() == ["../_base_/default_runtime.py"]


def test_python_pow_bomb_is_not_evaluated():
    doc = load_text("c.py", "x = 10 ** 10 ** 10\n")
    assert doc.find("x").value is UNRESOLVED


def test_python_class_configs_become_mappings():
    doc = load_text("opt.py", "class Opt(Base):\n    lr: float = 1e-4\n    scheduler_patience: int = 50\n")
    assert doc.find("Opt.lr").value == 1e-4 and doc.find("Opt.lr").key_line == 2


def test_shell_flags_env_and_variables():
    text = (
        "#!/bin/bash\n"
        "LR=2e-5\n"
        "USE_LORA=True LORA_RANK=16 \\\n"
        "  python3 training.py --learning_rate $LR --per_device_train_batch_size=4 \\\n"
        "  --bf16 --data_path $DATA_PATH  # comment\n"
    )
    doc = load_text("run.sh", text)
    assert doc.find("learning_rate").value == 2e-5 and doc.find("learning_rate").key_line == 4
    assert doc.find("per_device_train_batch_size").value == 4
    assert doc.find("bf16").value is True
    assert doc.find("LORA_RANK").value == 16 and doc.find("USE_LORA").value is True
    assert doc.find("data_path").value is UNRESOLVED
    assert doc.meta["commands"] == ["python3 training.py"]


def test_merge_conflict_markers_rejected():
    with pytest.raises(InputError) as e:
        load_text("c.py", "a = 1\n<<<<<<< HEAD\nlr = 1\n=======\nlr = 2\n>>>>>>> main\n")
    assert e.value.line == 2 and "merge-conflict" in e.value.message


def test_binary_non_utf8_empty_and_non_mapping(tmp_path):
    b = tmp_path / "x.yaml"
    b.write_bytes(b"lr: 1\n\x00\x01")
    with pytest.raises(InputError, match="binary"):
        load_path(str(b))
    b.write_bytes(b"lr: 1\nname: \xff\xfe\n")
    with pytest.raises(InputError) as e:
        load_path(str(b))
    assert (e.value.line, e.value.column) == (2, 7)
    b.write_text("")
    assert load_path(str(b)).root.value == {}
    b.write_text("- 1\n- 2\n")
    with pytest.raises(InputError, match="mapping"):
        load_path(str(b))


def test_size_limit(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_text("a: 1\n" * 1000)
    with pytest.raises(InputError, match="limit"):
        load_path(str(p), max_bytes=100)


def test_every_corpus_file_loads_or_errors_with_position(corpus):
    loaded = errors = 0
    for f in sorted(corpus.rglob("*")):
        if not f.is_file() or f.name == "MANIFEST.tsv":
            continue
        try:
            load_path(str(f))
            loaded += 1
        except InputError as e:
            assert e.line >= 1 and e.column >= 1 and e.message
            errors += 1
    # three corpus files are broken upstream: a JSON template with unquoted placeholders,
    # a YAML file with bad indentation, and a Python file with merge-conflict markers
    assert (loaded, errors) == (88, 3)  # 7 composer files (issue 15)


@pytest.mark.parametrize("loader_name", ["SafeLoader", "CSafeLoader"])
@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000 + "\n",
                                  "a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n"])
def test_yaml_depth_error_is_ours_whichever_parser_stops_first(monkeypatch, loader_name, text):
    """libyaml >= 0.2.6 stops at its own nesting limit before our builder counts the events;
    the pure-Python parser leaves it to our limit. Either way the user reads one message, with a position."""
    import yaml

    from stablint.linter.loaders import yaml_loader

    loader = getattr(yaml, loader_name, None)
    if loader is None:
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(yaml_loader, "_Loader", loader)
    with pytest.raises(InputError) as exc:
        load_text("deep.yaml", text)
    assert exc.value.message == f"nesting deeper than {yaml_loader.MAX_DEPTH} levels"
    assert exc.value.line >= 1 and exc.value.column >= 1
