# Seed 003 (shared/seeds/003_2421b75b226aacf1.txt), BEFORE: build/masked_hwm/config_12gb.py.
# A masked world model (1xGPT data, 65536-token vocabulary: initial loss ~ln 65536 = 11.1).
# Symptom: the loss did not decrease.
# Values stated in the write-up. Only the module-level assignments matter to stablint
# (the file is read with `ast`, never executed).

batch_size = 1
gradient_accumulation_steps = 16
learning_rate = 1e-4

# train.py used get_linear_schedule_with_warmup (the fix switched it to cosine)
lr_scheduler_type = "linear"
# "Reaches 5e-5 after 500 steps": the write-up states the warmup for the fixed run;
# warmup was not among the changes, so the same 500 steps are written here
warmup_steps = 500
# from the training command: --max_steps 60000
max_steps = 60000
