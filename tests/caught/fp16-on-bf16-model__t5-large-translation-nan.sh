#!/bin/sh
# Reconstruction of https://github.com/huggingface/transformers/issues/11461
# ("T5-large FP16 produces nan in loss"): the reporter's command, quoted in the thread
# (examples/seq2seq/run_translation.py), with the expectation "FP16 mode shouldn't produce nan in loss".
# T5 was pretrained in bfloat16 (google-research/text-to-text-transfer-transformer#539).
./run_translation.py \
--model_name_or_path t5-large \
--do_train --source_lang en --target_lang ro \
--source_prefix "translate English to Romanian: " \
--dataset_name wmt16 --dataset_config "ro-en" \
--output_dir /tmp/tst-translation \
--per_device_train_batch_size 4 \
--overwrite_output_dir \
--predict_with_generate \
--num_train_epochs 1 --fp16
