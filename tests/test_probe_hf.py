"""stablint probe --hf-model DIR: a local Hugging Face model directory, PEFT for LoRA, clean failures.

Needs torch, transformers and peft (the ``stablint[hf]`` extra). The models are built here, random-init and
tiny (hidden 32, 2 layers, vocabulary 256), so every probe run takes about a second.
"""

import importlib.util
import json
import math

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("peft")
tokenizers = pytest.importorskip("tokenizers")
from click.testing import CliRunner  # noqa: E402

from stablint.cli import cli  # noqa: E402
from stablint.probes import loop, runner, target_hf  # noqa: E402
from stablint.probes import spec as probe_spec  # noqa: E402
from stablint.probes.targets import stdlib_corpus  # noqa: E402

pytestmark = pytest.mark.probe
VERDICTS = {"confirmed", "not-observed", "inconclusive"}
V = 256


@pytest.fixture(scope="module")
def gpt2_dir(tmp_path_factory):
    """Tiny GPT-2 (Conv1D attention, tied head), no tokenizer."""
    d = tmp_path_factory.mktemp("gpt2")
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(n_embd=32, n_layer=2, n_head=2, vocab_size=V, n_positions=128,
                                  bos_token_id=0, eos_token_id=0)
    transformers.GPT2LMHeadModel(cfg).save_pretrained(d)
    return d


def _reversed_byte_tokenizer():
    """Byte-level tokenizer whose ids are NOT the byte values (id = 255 - rank), so its use is visible."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tok = Tokenizer(models.BPE(vocab={c: V - 1 - i for i, c in enumerate(alphabet)}, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return transformers.PreTrainedTokenizerFast(tokenizer_object=tok)


@pytest.fixture(scope="module")
def llama_dir(tmp_path_factory):
    """Tiny Llama (q/k/v/o_proj), with a tokenizer."""
    d = tmp_path_factory.mktemp("llama")
    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                                   num_key_value_heads=2, vocab_size=V, max_position_embeddings=128,
                                   bos_token_id=0, eos_token_id=0, pad_token_id=0)
    transformers.LlamaForCausalLM(cfg).save_pretrained(d)
    _reversed_byte_tokenizer().save_pretrained(d)
    return d


def _probe(*args):
    res = CliRunner().invoke(cli, ["probe", *map(str, args)])
    assert res.exit_code in (0, 1, 2), res.output
    return res


def _probe_json(config, model, *extra):
    res = _probe(config, "--hf-model", model, "--steps", "16", "--format", "json", "--device", "cpu", *extra)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def test_full_finetune_trains_the_model_and_judges_the_findings(gpt2_dir, tmp_path):
    cfg = tmp_path / "train.yaml"
    cfg.write_text("training:\n  learning_rate: 3.0e-3\n  batch_size: 8\n  max_grad_norm: 1.0e-3\n")
    out = _probe_json(cfg, gpt2_dir)
    assert out["target"] == f"hf:{gpt2_dir}"
    main = out["runs"]["main"]
    assert main["status"] == "ok" and main["steps"] == 16
    # random init: the model's own causal-LM loss starts near ln(V), and training lowers it
    assert abs(main["init_loss"] - math.log(V)) < 0.3
    assert main["final_val"] < main["init_loss"] - 0.1
    assert any("no tokenizer" in n for n in out["notes"])
    assert any("bytes mod vocab_size 256" in n for n in out["notes"])
    # a clip threshold of 1e-3 clips every step of a real model: measured on its gradients
    clip = next(c for c in out["checks"] if c["signal"] == "clip-saturation")
    assert clip["evidence"]["clip_rate"] == 1.0 and clip["evidence"]["p50"] > 1e-3


def test_seed_example_gets_real_verdicts(gpt2_dir):
    out = _probe_json("examples/seed000_before.yaml", gpt2_dir)
    assert out["findings"], "seed 000 has static findings"
    assert all(f["probe"]["verdict"] in VERDICTS for f in out["findings"])
    assert {c["signal"] for c in out["checks"]} >= {"clip-saturation", "lr-never-changes"}


def test_directory_tokenizer_is_used(llama_dir):
    stream, how = target_hf.token_stream(str(llama_dir), V)
    assert "directory's tokenizer" in how
    corpus = stdlib_corpus()
    # the tokenizer's ids are not the bytes: 255 - rank in the byte-level alphabet
    assert not torch.equal(stream[:500], corpus[:500] % V)
    tok = transformers.AutoTokenizer.from_pretrained(llama_dir)
    text = bytes(corpus[:300].tolist()).decode("utf-8", errors="replace")
    assert tok.decode(stream[:300].tolist()) == text


def test_lora_seed004_trains_only_adapters_at_the_configured_scale(gpt2_dir):
    plan, findings = runner.load("examples/seed004_before.sh")
    spec = probe_spec.spec_from_plan(plan, steps=16)
    spec.target = target_hf.prepare(str(gpt2_dir), spec)
    tgt = target_hf.build_hf_target(spec, plan, str(gpt2_dir))
    trainable = {n: p for n, p in tgt.model.named_parameters() if p.requires_grad}
    frozen = {n: p.detach().clone() for n, p in tgt.model.named_parameters() if not p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    assert len(frozen) > len(trainable)
    # seed 004: LORA_RANK=8, LORA_ALPHA=16 → PEFT scaling alpha/r = 2 on every adapted layer
    assert tgt.adapters and all(a.scaling == pytest.approx(16 / 8) for a in tgt.adapters)
    lora_b = {n: p.detach().clone() for n, p in trainable.items() if "lora_B" in n}
    assert all(float(b.abs().max()) == 0.0 for b in lora_b.values())  # adapted model starts at the base model
    res = loop.run(spec, plan=plan, target=tgt, instrument=loop.Instrument())
    assert res.status == "ok" and res.steps_done == 16
    after = dict(tgt.model.named_parameters())
    assert all(torch.equal(after[n].detach(), w) for n, w in frozen.items()), "a base weight moved"
    assert any(float(after[n].detach().abs().max()) > 0 for n in lora_b), "the adapters did not train"
    assert res.lora_rel is not None and res.lora_rel > 0


def test_lora_cli_runs_the_alpha_ab_and_reports_the_scale(gpt2_dir):
    out = _probe_json("examples/seed004_before.sh", gpt2_dir)
    assert set(out["runs"]) == {"main", "alpha x4"}
    f = next(f for f in out["findings"] if f["rule"] == "lora-scaling-too-low")
    assert f["probe"]["signal"] == "lora-effective-update" and f["probe"]["verdict"] in VERDICTS
    ev = f["probe"]["evidence"]
    # alpha x4 → scaling x4 → the relative update ‖s·BA‖/‖W0‖ grows (same init and data)
    assert ev["relative_update_alpha_x4"] > ev["relative_update"] > 0
    assert any("scale alpha/r = 16/8 = 2" in n and "base frozen" in n for n in out["notes"])


def test_rslora_and_target_modules_from_the_config(llama_dir, tmp_path):
    cfg = tmp_path / "adapter_config.json"
    cfg.write_text(json.dumps({"peft_type": "LORA", "r": 16, "lora_alpha": 8, "use_rslora": True,
                               "target_modules": ["q_proj"]}))
    plan, _ = runner.load(str(cfg))
    spec = probe_spec.spec_from_plan(plan, steps=8)
    tgt = target_hf.build_hf_target(spec, plan, str(llama_dir))
    # rsLoRA: alpha / sqrt(r) = 8 / 4 = 2 (plain LoRA would be 0.5); only q_proj adapted (2 layers)
    assert len(tgt.adapters) == 2 and all(a.scaling == pytest.approx(2.0) for a in tgt.adapters)
    adapted = {n.split(".")[-1] for n, m in tgt.model.named_modules() if hasattr(m, "lora_A")}
    assert adapted == {"q_proj"}
    assert any("alpha/sqrt(r) = 8/sqrt(16)" in n and "from the config" in n for n in tgt.notes)


def test_target_modules_that_match_nothing_point_at_the_config(llama_dir, tmp_path):
    cfg = tmp_path / "adapter_config.json"
    cfg.write_text('{\n  "peft_type": "LORA",\n  "r": 8,\n  "target_modules": ["c_attn"]\n}\n')
    res = _probe(cfg, "--hf-model", llama_dir, "--steps", "8")
    assert res.exit_code == 2
    assert res.output.startswith(f"{cfg}:4:") and "c_attn" in res.output and "Traceback" not in res.output


def _garbage_weights(tmp_path, gpt2_dir):
    d = tmp_path / "garbage"
    d.mkdir()
    (d / "config.json").write_text((gpt2_dir / "config.json").read_text())
    (d / "model.safetensors").write_bytes(b"\x00not a safetensors file\xff" * 64)
    return d, f"{d / 'model.safetensors'}:1:1: cannot load the weights"


def _bad_json(tmp_path, _):
    d = tmp_path / "badjson"
    d.mkdir()
    (d / "config.json").write_text('{"model_type": "gpt2",\n  oops}\n')
    return d, f"{d / 'config.json'}:2:3: invalid JSON"


def _not_causal_lm(tmp_path, _):
    d = tmp_path / "vit"
    d.mkdir()
    (d / "config.json").write_text('{"model_type": "vit", "architectures": ["ViTModel"]}')
    return d, f"{d / 'config.json'}:1:1: unsupported architecture ViTModel"


def _no_weights(tmp_path, gpt2_dir):
    d = tmp_path / "noweights"
    d.mkdir()
    (d / "config.json").write_text((gpt2_dir / "config.json").read_text())
    return d, f"{d}:1:1: no weights"


@pytest.mark.parametrize("make", [
    lambda tmp, _: (tmp / "missing", f"{tmp / 'missing'}:1:1: no such Hugging Face model directory"),
    lambda tmp, _: (tmp, f"{tmp}:1:1: no config.json"),
    _bad_json, _not_causal_lm, _no_weights, _garbage_weights,
], ids=["missing-dir", "no-config", "bad-json", "not-causal-lm", "no-weights", "garbage-weights"])
def test_bad_model_directory_is_one_line_exit_2(make, tmp_path, gpt2_dir):
    d, expected = make(tmp_path, gpt2_dir)
    res = _probe("examples/seed004_before.sh", "--hf-model", d, "--steps", "8")
    assert res.exit_code == 2
    assert res.output.startswith(expected), res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output


def test_size_guard_refuses_large_models_on_cpu(gpt2_dir):
    res = _probe("examples/seed000_before.yaml", "--hf-model", gpt2_dir, "--hf-max-params", "1000", "--device", "cpu")
    assert res.exit_code == 2
    assert res.output.startswith(f"{gpt2_dir}:1:1: GPT2LMHeadModel has 37,760 parameters, above the CPU probe limit "
                                 "of 1,000")
    assert "--hf-max-params" in res.output
    assert target_hf.DEFAULT_MAX_PARAMS_CPU >= 10_000_000  # the measured 10M model stays probe-able


def test_target_and_hf_model_are_exclusive(gpt2_dir):
    res = _probe("examples/seed000_before.yaml", "--hf-model", gpt2_dir, "--target", "lm")
    assert res.exit_code == 2 and "exclusive" in res.output


def _hide(monkeypatch, name):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a, **k: None if n == name else real(n, *a, **k))


def test_missing_transformers_says_how_to_install(monkeypatch, gpt2_dir):
    _hide(monkeypatch, "transformers")
    res = _probe("examples/seed000_before.yaml", "--hf-model", gpt2_dir)
    assert res.exit_code == 2
    assert res.output.startswith("error: --hf-model needs transformers") and "stablint[hf]" in res.output


def test_missing_peft_with_lora_says_how_to_install(monkeypatch, gpt2_dir):
    _hide(monkeypatch, "peft")
    res = _probe("examples/seed004_before.sh", "--hf-model", gpt2_dir, "--steps", "8")
    assert res.exit_code == 2
    assert res.output.startswith("error: ") and "PEFT" in res.output and "stablint[hf]" in res.output
    # without LoRA, peft is not needed
    ok = _probe("examples/seed000_before.yaml", "--hf-model", gpt2_dir, "--steps", "8", "--format", "json")
    assert ok.exit_code in (0, 1), ok.output


def test_alpha_ab_run_cut_by_the_time_limit_refutes_nothing():
    """A large HF model can hit --max-seconds before the alpha x4 run validates: inconclusive, not not-observed."""
    from stablint.probes import signals_probe as sp
    from stablint.trends.trace import Trace

    main = loop.RunResult(trace=Trace(), init_loss=9.0, val_losses=[8.9], lora_rel=1e-3, steps_done=22)
    cut = loop.RunResult(trace=Trace(), status="timeout", init_loss=9.0, val_losses=[], steps_done=13)
    assert sp.lora_effective_update(main, cut).fired is None
    blown = loop.RunResult(trace=Trace(), status="nonfinite", init_loss=9.0, val_losses=[float("nan")], steps_done=5)
    assert sp.lora_effective_update(main, blown).fired is False


def test_ab_runs_cut_at_different_epochs_are_compared_at_the_common_epoch():
    """Slow HF models: the main run validated 2 times, the alpha x4 run (less budget) once."""
    from stablint.probes import signals_probe as sp
    from stablint.trends.trace import Trace

    main = loop.RunResult(trace=Trace(), status="timeout", init_loss=9.0, val_losses=[8.95, 8.90], steps_done=47)
    boost = loop.RunResult(trace=Trace(), status="timeout", init_loss=9.0, val_losses=[8.85], steps_done=36)
    c = sp.lora_effective_update(main, boost)
    # at epoch 1: drop 0.05 vs 0.15 → gain 3 (comparing 8.90 at epoch 2 with 8.85 at epoch 1 gave 1.5)
    assert c.evidence["compared_at_epoch"] == 1 and c.fired is True
    low = loop.RunResult(trace=Trace(), status="timeout", init_loss=9.0, val_losses=[8.5], steps_done=30)
    assert sp.lr_ab(main, low).evidence["val_loss_lr"] == 8.95
