"""A hand-written PyTorch loop recorded and judged by ``stablint.watch`` (docs/probe.md).

Usage: python watch_loop.py [--lr LR] [--trace PATH] [--config CONFIG] [--steps N]
A small MLP regression; ``--lr 5`` makes it blow up, and ``stop_on`` ends the loop within 10 steps
of the first non-finite value with the finding, its numbers and the config line. Under
``torchrun --nproc_per_node 2`` (gloo) only rank 0 writes the trace. Used by tests/test_callbacks.py.
"""

import argparse
import os

import torch

import stablint


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--trace", default="watch.trace.jsonl")
    ap.add_argument("--config", default=None)
    ap.add_argument("--clip", type=float, default=1.0)
    a = ap.parse_args()
    dist = "RANK" in os.environ
    if dist:
        torch.distributed.init_process_group("gloo")
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    if dist:
        model = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9)
    g = torch.Generator().manual_seed(1 + int(os.environ.get("RANK", 0)))
    w_true = torch.randn(8, 1, generator=g)
    with stablint.watch(model, opt, max_grad_norm=a.clip, trace=a.trace, config=a.config,
                        stop_on=("nonfinite-values", "loss-divergence")) as w:
        for step in range(a.steps):
            x = torch.randn(32, 8, generator=g)
            mse = ((model(x) - x @ w_true) ** 2).mean()
            l1 = 1e-4 * sum(p.abs().sum() for p in model.parameters())
            loss = mse + l1
            opt.zero_grad()
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)  # returns the pre-clip norm
            opt.step()
            w.step(loss=loss, grad_norm=gn, terms={"mse": mse, "l1": l1})
    rank = int(os.environ.get("RANK", 0))
    print(f"rank {rank}: steps {step + 1}, stopped: {(w.stopped.code + ' ' + w.stopped.signal).strip() if w.stopped else 'no'}")
    if dist:
        # every rank reaches the barrier before any tears gloo down: without it a rank that destroys the
        # group while its peer is still sending can abort ("terminate called without an active exception")
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
