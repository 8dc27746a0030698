"""Keras dialect: ReduceLROnPlateau / EarlyStopping callbacks read from training scripts (issue 15, item 2).

Real scripts are under ``tests/keras/`` (sources in its README); the inline scripts are minimal
reconstructions of real ones, each citing its URL. Keras semantics checked here come from
``keras/src/callbacks/reduce_lr_on_plateau.py`` and ``early_stopping.py`` (keras 3), ``tf_keras/callbacks.py``
and keras 2.1.6 ``keras/callbacks.py``: both callbacks act on the ``patience``-th bad epoch.
"""

from __future__ import annotations

import os
import textwrap

import pytest

from stablint.linter.engine import LintOptions, lint_file

HERE = os.path.join(os.path.dirname(__file__), "keras")


def _lint(path: str):
    return lint_file(path, LintOptions(isolated=True))


def _write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


def _codes(res, severity=None):
    return sorted(f.code for f in res.findings if severity is None or f.severity == severity)


def test_yolov3_tf2_issue_181_early_stop_before_default_patience():
    """zzh8829/yolov3-tf2#181: default ReduceLROnPlateau patience 10 vs EarlyStopping(patience=3)."""
    res = _lint(os.path.join(HERE, "yolov3-tf2_train.py"))
    assert res.plan.dialect == "keras" and res.skipped is None
    assert res.plan.number("scheduler.patience") == 10 and res.plan.get("scheduler.patience").source.default
    assert res.plan.number("early_stopping.patience") == 3
    assert not res.plan.get("run.epochs").resolved  # epochs=FLAGS.epochs
    stl102 = [f for f in res.findings if f.code == "STL102"]
    assert len(stl102) == 1 and stl102[0].severity == "warning" and stl102[0].line == 197
    assert "after 10 bad epochs" in stl102[0].message and "after 3" in stl102[0].message
    # patience 10 with an unknown run length: info only
    assert [f.severity for f in res.findings if f.code == "STL101"] == ["info"]


def test_experiencor_yolo3_plateau_on_training_loss():
    res = _lint(os.path.join(HERE, "experiencor-keras-yolo3_train.py"))
    assert res.plan.dialect == "keras"
    assert res.plan.value("scheduler.monitor") == "loss"
    assert _codes(res, "warning") == ["STL103"]
    assert res.plan.number("scheduler.patience") == 2 and res.plan.number("early_stopping.patience") == 7


def test_qqwweee_yolo3_two_phases_no_run_length_and_no_finding():
    res = _lint(os.path.join(HERE, "qqwweee-keras-yolo3_train.py"))
    assert res.plan.dialect == "keras"
    assert not res.plan.has("run.epochs")  # fit_generator(epochs=50, initial_epoch=0) then (100, 50)
    assert res.plan.number("scheduler.patience") == 3 and res.plan.number("early_stopping.patience") == 10
    assert res.findings == []


def test_module_of_callbacks_is_read_and_silent():
    res = _lint(os.path.join(HERE, "traja-research_callbacks.py"))
    assert res.plan.dialect == "keras"
    assert res.plan.number("scheduler.patience") == 0 and res.plan.number("early_stopping.patience") == 3
    assert res.findings == []


def test_keras_script_without_plateau_callbacks_stays_skipped():
    res = _lint(os.path.join(HERE, "age-gender-estimation_train.py"))
    assert res.skipped is not None and "Python source" in res.skipped.reason


def test_patience_longer_than_run(tmp_path):
    """xuannianc/spinach learning_keras/callbacks/reduce_lr_on_plateau.py@b342635 (no licence: reconstructed)."""
    path = _write(tmp_path, "reduce_lr_on_plateau.py", """\
        import keras

        callbacks_list = [
            keras.callbacks.ReduceLROnPlateau(
                monitor='val_loss',
                factor=0.1,
                patience=10,
            ),
        ]
        model.fit(x, y,
                  epochs=10,
                  batch_size=32,
                  callbacks=callbacks_list,
                  validation_data=(x_val, y_val))
        """)
    res = _lint(path)
    [f] = res.findings
    assert f.code == "STL101" and f.severity == "warning"
    assert "epoch 10 of 10" in f.message and "at most 0 cuts" in f.message
    assert f.extra["window"] == 10  # keras cuts on the patience-th bad epoch, not patience + 1


@pytest.mark.parametrize("rlrop, es, fires", [
    (5, 6, False),   # keras cuts on bad epoch 5 and trains at the lower LR before stopping on 6 (torch would not)
    (5, 5, True),    # cut and stop on the same epoch: the lower LR is never used
    (10, 3, True),
    (3, 10, False),
])
def test_keras_patience_semantics(tmp_path, rlrop, es, fires):
    path = _write(tmp_path, "train.py", f"""\
        from tensorflow.keras.callbacks import ReduceLROnPlateau, EarlyStopping

        def main(model, data):
            callbacks = [ReduceLROnPlateau(monitor='val_loss', patience={rlrop}),
                         EarlyStopping(monitor='val_loss', patience={es})]
            model.fit(data, epochs=200, callbacks=callbacks)
        """)
    res = _lint(path)
    assert ("STL102" in _codes(res)) is fires


def test_cooldown_does_not_delay_the_first_keras_cut(tmp_path):
    path = _write(tmp_path, "train.py", """\
        from keras.callbacks import ReduceLROnPlateau, EarlyStopping
        rl = ReduceLROnPlateau(patience=4, cooldown=5)
        es = EarlyStopping(patience=6)
        """)
    assert "STL102" not in _codes(_lint(path))  # torch's rule (4 + 1 + 5 >= 6) would fire


@pytest.mark.parametrize("body", [
    # EarlyStopping on another metric than the plateau callback
    "cbs = [ReduceLROnPlateau(monitor='val_acc', patience=2), EarlyStopping(patience=10)]\n"
    "    cbs2 = [ReduceLROnPlateau(monitor='val_acc', patience=2), EarlyStopping(patience=10)]",
    # each callback under its own flag (fizyr/keras-retinanet keras_retinanet/bin/train.py style)
    "cbs = []\n    if a.reduce:\n        cbs.append(ReduceLROnPlateau(patience=10))\n"
    "    if a.stop:\n        cbs.append(EarlyStopping(patience=3))",
    # patience from a function parameter
    "cbs = [ReduceLROnPlateau(patience=p), EarlyStopping(patience=3)]",
    # **kwargs
    "cbs = [ReduceLROnPlateau(**kw), EarlyStopping(patience=3)]",
    # a LearningRateScheduler sets the LR every epoch (keras/examples/cifar10_resnet.py style)
    "cbs = [ReduceLROnPlateau(patience=10), EarlyStopping(patience=3), LearningRateScheduler(f)]",
])
def test_unreadable_or_unpaired_callbacks_are_silent(tmp_path, body):
    path = _write(tmp_path, "train.py", "from tensorflow.keras.callbacks import *\n\n"
                  "def main(model, a, p, kw, f):\n    " + body + "\n    model.fit(epochs=100, callbacks=cbs)\n")
    res = _lint(path)
    assert [f for f in res.findings if f.severity != "info"] == []


def test_monitor_loss_is_training_metric_val_is_not(tmp_path):
    path = _write(tmp_path, "train.py", """\
        import tensorflow as tf
        r = tf.keras.callbacks.ReduceLROnPlateau(monitor='val_loss', patience=2)
        """)
    assert _lint(path).findings == []
    path = _write(tmp_path, "train2.py", """\
        import tensorflow as tf
        r = tf.keras.callbacks.ReduceLROnPlateau(monitor='accuracy', patience=2)
        """)
    assert _codes(_lint(path)) == ["STL103"]


def test_module_constants_and_learning_rate(tmp_path):
    path = _write(tmp_path, "train.py", """\
        from tensorflow import keras
        EPOCHS = 40
        PATIENCE = 10

        def train(model, ds):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-4), loss="mse")
            model.fit(ds, epochs=EPOCHS, callbacks=[keras.callbacks.ReduceLROnPlateau(patience=PATIENCE, factor=0.5)])
        """)
    res = _lint(path)
    assert res.plan.number("run.epochs") == 40 and res.plan.number("optimizer.lr") == 3e-4
    [f] = [f for f in res.findings if f.code == "STL101"]
    assert f.severity == "warning" and "epoch 10 of 40" in f.message and "lr 0.0003" in f.message
    assert not res.plan.has("optimizer.type")  # only what the plateau rules need


def test_compile_string_optimizer_default_lr(tmp_path):
    path = _write(tmp_path, "train.py", """\
        from keras.callbacks import ReduceLROnPlateau
        model.compile(optimizer='adam', loss='mse')
        model.fit(x, y, epochs=5, callbacks=[ReduceLROnPlateau()])
        """)
    pv = _lint(path).plan.get("optimizer.lr")
    assert pv.value == 0.001 and pv.source.default  # keras Adam(learning_rate=0.001)


@pytest.mark.parametrize("text", [
    # torch's ReduceLROnPlateau in a training script: not Keras, still skipped as source
    "import torch\nfrom torch.optim.lr_scheduler import ReduceLROnPlateau\n"
    "def main(opt):\n    s = ReduceLROnPlateau(opt, patience=10)\n    s.step(1)\n",
    # a Keras import but no plateau/early-stopping callback
    "import tensorflow as tf\ndef main(m):\n    m.fit(epochs=10)\n",
    # a user class named like the Keras callback, no Keras import
    "class ReduceLROnPlateau:\n    pass\ndef f():\n    return ReduceLROnPlateau()\n",
    # a built but unused callback inside a function
    "from keras.callbacks import ReduceLROnPlateau\ndef main(m):\n    r = ReduceLROnPlateau(patience=50)\n"
    "    m.fit(epochs=10)\n",
])
def test_ordinary_python_files_stay_skipped(tmp_path, text):
    path = _write(tmp_path, "train.py", text)
    res = _lint(path)
    assert res.skipped is not None and res.findings == []


def test_bad_python_never_raises(tmp_path):
    path = _write(tmp_path, "train.py", "from keras.callbacks import ReduceLROnPlateau\nReduceLROnPlateau(patience=\n")
    res = _lint(path)
    assert res.error is not None and res.findings == []
