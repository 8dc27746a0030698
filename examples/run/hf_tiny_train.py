"""A plain HF Trainer script with no stablint import: `stablint probe --run` instruments it from outside.

Usage: python hf_tiny_train.py CONFIG.yaml [OUTPUT_DIR]
CONFIG holds TrainingArguments keys (learning_rate, max_grad_norm ...). The model is a tiny GPT-2
built from a config (no download); the data are random token sequences with a learnable pattern.
Used by tests/test_callbacks_hf.py, bench/bench_callbacks.py and the GPU check in docs/probe.md.
"""

import sys

import torch
import yaml
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments


class Tokens(torch.utils.data.Dataset):
    def __init__(self, n=512, length=16, vocab=64, seed=0):
        g = torch.Generator().manual_seed(seed)
        start = torch.randint(0, vocab, (n, 1), generator=g)
        self.x = (start + torch.arange(length)) % vocab  # next token = this token + 1

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "labels": self.x[i]}


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    out = sys.argv[2] if len(sys.argv) > 2 else cfg.pop("output_dir", "out")
    cfg.pop("output_dir", None)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=64, n_positions=32, n_embd=32, n_layer=1, n_head=2))
    args = TrainingArguments(output_dir=out, report_to=[], save_strategy="no", disable_tqdm=True,
                             use_cpu=not torch.cuda.is_available(), **cfg)
    Trainer(model=model, args=args, train_dataset=Tokens()).train()


if __name__ == "__main__":
    main()
