#!/bin/sh
# Seed 004 (shared/seeds/004_e2dea00c37af9589.txt), the run BEFORE the OOM:
# "Batch size: 16 (reduced from 32 due to OOM)" with the LR kept at 1e-5.
# This file is examples/seed004_before.sh with BATCH_SIZE=32; stablint lint --base
# on the change to examples/seed004_before.sh reports lr-not-rescaled.
TRAINING_DATA_SOURCE=sources/training_data_final_merged.md \
MODEL_TYPE=gpt2 \
USE_LORA=True \
LORA_RANK=8 \
LORA_ALPHA=16.0 \
LEARNING_RATE=1e-5 \
BLOCK_SIZE=128 \
BATCH_SIZE=32 \
MAX_NORM=1.0 \
python3 training.py
