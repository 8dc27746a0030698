# Seed 003 (shared/seeds/003_2421b75b226aacf1.txt), AFTER: config_12gb.py with the
# write-up's fixes 1-3 (batch 1 -> 4, accumulation 16 -> 4, LR 1e-4 -> 5e-5, cosine).
# Fix 4 (embedding init scaled by 1/sqrt(3)) and fix 5 (gradient logging) are code
# changes in model.py / train.py and have no config value.

batch_size = 4
gradient_accumulation_steps = 4
learning_rate = 5e-5

# train.py now calls get_cosine_schedule_with_warmup
lr_scheduler_type = "cosine"
warmup_steps = 500
max_steps = 60000
