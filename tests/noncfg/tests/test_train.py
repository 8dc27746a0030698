from mytrainer import train

batch_size = 1
learning_rate = 1e-3


def test_one_step_runs(tmp_path):
    train(batch_size=batch_size, learning_rate=learning_rate, max_steps=1, output_dir=tmp_path)
