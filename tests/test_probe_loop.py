"""The probe loop: deferred host transfers, non-finite stop, and the un-instrumented baseline.

The instrumented loop keeps per-step values on the device and copies them to the host at
each flush (every ``loop.FLUSH_EVERY`` steps and at every probe-epoch end); these tests check
that this bookkeeping puts every value on the right step, that a diverging run still stops
within ``FLUSH_EVERY`` steps, and that ``Instrument(enabled=False)`` trains exactly the same
model (the benchmark's baseline is the same training, only unmeasured).
"""

import math

import pytest

torch = pytest.importorskip("torch")

from stablint.probes import loop, runner, spec as probe_spec  # noqa: E402
from stablint.probes.targets import build_target  # noqa: E402

pytestmark = pytest.mark.probe


def _spec(**kw):
    base = dict(target="mlp-regression", steps=40, steps_per_epoch=5, lr=1e-3, max_grad_norm=0.5)
    base.update(kw)
    return probe_spec.ProbeSpec(**base)


def _trained(spec, ins, plan=None):
    """(RunResult, final parameters) of one run on a fresh target."""
    torch.manual_seed(spec.seed)
    tgt = build_target(spec, plan)
    res = loop.run(spec, plan=plan, instrument=ins, target=tgt)
    return res, [p.detach().clone() for p in tgt.model.parameters()]


def _same(a, b):
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def test_records_put_every_value_on_its_step():
    # multitask with accumulation: per step 2 micro-batches x (loss + 3 terms) + the norm go through one flush
    s = _spec(target="multitask", grad_accum=2, micro_batch=8, steps=23, steps_per_epoch=7,
              loss_weights={"a": 1.0, "b": 2.0, "c": 0.5})
    res = loop.run(s, instrument=loop.Instrument(every=4, task_share=True))
    recs = res.trace.records
    assert [r.step for r in recs] == list(range(23)) and res.steps_done == 23
    for r in recs:
        # the weighted terms add up to the step's loss: a value read from the wrong slot breaks this
        assert sum(r.loss_terms.values()) == pytest.approx(r.loss, rel=1e-5)
        assert r.clipped == (r.grad_norm > 0.5)
        assert (r.update_ratio is not None) == (r.step % 4 == 0)
        assert r.epoch == pytest.approx((r.step + 1) / 7, abs=1e-4)
        assert (r.eval_loss is not None) == ((r.step + 1) % 7 == 0)
    assert res.update_ratios == [r.update_ratio for r in recs if r.update_ratio is not None]
    assert len(res.shares) == 6 and all(sum(sh.values()) == pytest.approx(1.0) for sh in res.shares)
    assert len(res.val_losses) == 3 and res.init_loss is not None


def test_step_losses_match_an_independent_forward_pass():
    # loss of step 0 = the model at init on micro-batch 0; loss of step i > 0 depends on the updates
    s = _spec(steps=12, grad_accum=3, micro_batch=4)
    res = loop.run(s)
    torch.manual_seed(s.seed)
    tgt = build_target(s)
    with torch.no_grad():
        first = sum(float(tgt.loss(tgt.model, tgt.batch(j))) for j in range(3)) / 3
    assert res.trace.records[0].loss == pytest.approx(first, rel=1e-6)
    norms = [r.grad_norm for r in res.trace.records]
    assert len(set(norms)) == len(norms)  # a stale or repeated slot would repeat a value


def test_divergence_stops_within_one_flush_and_names_the_first_bad_step():
    s = _spec(steps=200, steps_per_epoch=100, lr=1e4, optimizer="sgd", max_grad_norm=None)
    res = loop.run(s)
    assert res.status == "nonfinite"
    recs = res.trace.records
    first = next(r.step for r in recs if not (math.isfinite(r.loss) and math.isfinite(r.grad_norm)))
    assert f"at step {first}" in res.message
    assert first < res.steps_done <= first + loop.FLUSH_EVERY  # detection delay < FLUSH_EVERY steps
    assert res.steps_done == len(recs) < 200


@pytest.mark.parametrize("sched", [
    {"scheduler": "plateau", "scheduler_interval": "epoch",
     "sched": {"patience": 0, "factor": 0.5, "monitor": "train_loss"}},
    {"scheduler": "plateau", "scheduler_interval": "epoch", "sched": {"patience": 0, "factor": 0.5},
     "early_stopping_patience": 1},
])
def test_plain_loop_trains_the_same_model(sched):
    # the scheduler still gets its metric without instrumentation: same LR cuts, same weights
    s = _spec(lr=3e-2, steps=60, **sched)
    inst, w_inst = _trained(s, loop.Instrument())
    plain, w_plain = _trained(s, loop.Instrument(enabled=False))
    lrs = {r.lr for r in inst.trace.records}
    assert len(lrs) > 1, "the plateau scheduler never cut the LR: the test would not cover it"
    assert _same(w_inst, w_plain)
    assert plain.steps_done == inst.steps_done and plain.status == inst.status
    assert plain.trace.records == [] and plain.init_loss is None


def test_plain_loop_validates_only_when_the_training_needs_it():
    plan, _ = runner.load("examples/seed002_before.yaml")  # plateau on val loss + early stopping
    s = probe_spec.spec_from_plan(plan, steps=40)
    assert loop.needs_validation(s)
    res = loop.run(s, plan=plan, instrument=loop.Instrument(enabled=False, validate_every_epoch=False))
    assert len(res.val_losses) == 40 // s.steps_per_epoch
    plan0, _ = runner.load("examples/seed000_before.yaml")  # plateau on the training loss
    s0 = probe_spec.spec_from_plan(plan0, steps=40)
    assert not loop.needs_validation(s0)
    assert loop.run(s0, plan=plan0, instrument=loop.Instrument(enabled=False, validate_every_epoch=False)).val_losses == []
    assert len(loop.run(s0, plan=plan0, instrument=loop.Instrument(enabled=False)).val_losses) > 0


def test_progress_is_reported_at_each_flush():
    seen = []
    s = _spec(steps=33, steps_per_epoch=33)
    loop.run(s, progress=lambda step, total: seen.append((step, total)))
    assert [x for x, _ in seen] == [10, 20, 30, 33] and {t for _, t in seen} == {33}


@pytest.mark.parametrize("target", ["multitask", "cnn-classification", "mlp-classification"])
def test_validation_loss_is_the_mean_over_the_validation_batches(target):
    # built-in MLP/CNN targets validate in one concatenated pass (loop.COLLATE_VAL): same mean as batch by batch
    s = _spec(target=target, steps=8, loss_weights={"a": 1.0, "b": 0.1} if target == "multitask" else {})
    assert target in loop.COLLATE_VAL
    res = loop.run(s)
    torch.manual_seed(s.seed)
    tgt = build_target(s)
    tgt.model.eval()
    with torch.no_grad():
        per_batch = [loop._combine(tgt.loss(tgt.model, b), s.loss_weights)[0].item() for b in tgt.val_batches]
    assert len(per_batch) > 1
    assert res.init_loss == pytest.approx(sum(per_batch) / len(per_batch), rel=1e-6)


def test_noise_scale_batches_come_from_the_training_split():
    # the extra micro-batches of the two-batch noise estimator must not be validation batches
    from stablint.probes.targets import _VAL_OFFSET, NOISE_OFFSET

    s = _spec(steps=12, micro_batch=2)
    torch.manual_seed(s.seed)
    tgt = build_target(s, None)
    asked = []
    inner = tgt.batch

    def spy(i):
        asked.append(i)
        return inner(i)

    tgt.batch = spy
    res = loop.run(s, instrument=loop.Instrument(every=4, noise=True, noise_k=3), target=tgt)
    extra = [i for i in asked if i >= NOISE_OFFSET]
    assert res.noise and extra, (res.noise, asked)
    assert all(i < _VAL_OFFSET for i in asked)
