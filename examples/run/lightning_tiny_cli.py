"""A plain LightningCLI script with no stablint import: `stablint probe --run --mode lightning-cli` adds the callback.

Usage: python lightning_tiny_cli.py fit --config lightning_tiny.yaml
A small MLP regression on random data (no download). Used by tests/test_callbacks_lightning.py and
bench/bench_callbacks.py.
"""

import torch
from lightning.pytorch import LightningDataModule, LightningModule
from lightning.pytorch.cli import LightningCLI


class Regression(LightningModule):
    def __init__(self, hidden: int = 32, lr: float = 0.01):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(8, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


class RandomData(LightningDataModule):
    def __init__(self, n: int = 2048, batch_size: int = 16):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 8, generator=g)
        self.y = self.x @ torch.randn(8, 1, generator=g)
        self.batch_size = batch_size

    def train_dataloader(self):
        return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(self.x, self.y), batch_size=self.batch_size)


if __name__ == "__main__":
    torch.set_num_threads(1)
    LightningCLI(Regression, RandomData, seed_everything_default=0)
