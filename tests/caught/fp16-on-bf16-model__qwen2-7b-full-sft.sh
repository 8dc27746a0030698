#!/bin/sh
# Reconstruction of https://github.com/QwenLM/Qwen3/issues/670 ("qwen2训练loss出错"):
# "使用qwen2、fp16 进行sft全参数微调的时候，有些token会输出nan, 导致loss为0"
# (full-parameter SFT of Qwen2 in fp16: some tokens output nan, so the loss is 0); the model is
# "Qwen2-7B-Instruct", run with the repository's finetune script "with small changes".
# Maintainer: "bfloat16 is the preferred data type for this model; if your device does not
# support the data type, you can try float32."
# Only the model and fp16 (full fine-tuning: no LoRA flag) are from the thread; --output_dir and
# --num_train_epochs are placeholders (the thread does not state them).
torchrun --nproc_per_node 8 finetune.py \
  --model_name_or_path Qwen/Qwen2-7B-Instruct \
  --fp16 True \
  --output_dir output_qwen \
  --num_train_epochs 1
