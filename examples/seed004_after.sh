#!/bin/sh
# Seed 004 (shared/seeds/004_e2dea00c37af9589.txt), AFTER: the write-up's
# "Recommended Training Command (Best Balance)": rank 8 -> 16, alpha 16 -> 32,
# LR 1e-5 -> 2e-5. MAX_NORM: see seed004_before.sh (hard-coded 1.0 in training.py).
TRAINING_DATA_SOURCE=sources/training_data_final_merged.md \
MODEL_TYPE=gpt2 \
USE_LORA=True \
LORA_RANK=16 \
LORA_ALPHA=32.0 \
TRAINING_STEPS=5000 \
LEARNING_RATE=2e-5 \
BLOCK_SIZE=128 \
BATCH_SIZE=16 \
ENABLE_CHECKPOINTS=True \
CHECKPOINT_INTERVAL=500 \
MAX_NORM=1.0 \
python3 training.py
