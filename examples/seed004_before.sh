#!/bin/sh
# Seed 004 (shared/seeds/004_e2dea00c37af9589.txt), BEFORE.
# GPT-2 (124M) LoRA fine-tune on Q&A text. Symptom: loss plateau around 6.5-6.7
# (step 1500 -> 2500) and a loss increase at step 2000.
# "Current Configuration": batch 16, block 128, LR 1e-5 constant (no scheduler),
# LoRA rank 8 (default), alpha 16.0 (default), gradient clipping 1.0.
# LORA_RANK / LORA_ALPHA were training.py's defaults; they are written out here so that
# the values the run used are visible. MAX_NORM is not read by training.py (it
# hard-codes clip_grad_norm_(max_norm=1.0)); it is written here so the plan carries it.
TRAINING_DATA_SOURCE=sources/training_data_final_merged.md \
MODEL_TYPE=gpt2 \
USE_LORA=True \
LORA_RANK=8 \
LORA_ALPHA=16.0 \
LEARNING_RATE=1e-5 \
BLOCK_SIZE=128 \
BATCH_SIZE=16 \
MAX_NORM=1.0 \
python3 training.py
