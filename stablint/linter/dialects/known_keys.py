"""Closed key sets of frameworks that reject (or silently drop) unknown keys, for ``unknown-key`` (STL004).

Each set is the union over the versions named below, so a key that one release
renamed (``evaluation_strategy`` → ``eval_strategy``, ultralytics ``half`` →
``quantize``) is still known. The lists were extracted from the dataclass fields
(``ast``, never imported) of the released wheels on PyPI and from the framework
sources; the sources are:

- ``HF_TRAINING_ARGUMENTS``: ``transformers.TrainingArguments`` fields of
  transformers 4.46.3 and 5.23.0 (``src/transformers/training_args.py``). HF
  ``HfArgumentParser.parse_yaml_file``/``parse_dict(allow_extra_keys=False)`` raise
  on any other key (research/existing_checks.md A.1, A.4).
- ``HF_SEQ2SEQ_EXTRA``: ``Seq2SeqTrainingArguments`` (``training_args_seq2seq.py``).
- ``HF_EXAMPLE_ARGUMENTS``: the ``ModelArguments``/``DataTrainingArguments`` of
  transformers ``examples/pytorch/*/run_*.py`` that HF YAML files commonly carry.
- ``TRL_EXTRA``: TRL 1.16.0 ``SFTConfig``, ``DPOConfig``, ``GRPOConfig``,
  ``KTOConfig``, ``RewardConfig``, ``ModelConfig``, ``ScriptArguments``
  (``trl/trainer/*_config.py``, ``trl/scripts/utils.py``) minus TrainingArguments.
- ``LLAMAFACTORY_EXTRA``: every dataclass field of LLaMA-Factory 0.9.5
  ``src/llamafactory/hparams/*.py`` (Model/Data/Finetuning/Generating/Evaluation/
  Training arguments) minus the HF ones; its parser raises "Some specified
  arguments are not used by the HfArgumentParser" (existing_checks.md A.4, P:149-163).
- ``DETECTRON2_TOP_LEVEL``: the top-level nodes of detectron2
  ``detectron2/config/defaults.py`` (``_C.MODEL`` ... ``_C.GLOBAL``) plus
  ``_BASE_``; yacs raises ``KeyError("Non-existent config key")`` (existing_checks.md A.9).
  Projects (DensePose, Panoptic-DeepLab ...) add their own top-level nodes, so
  this set is not closed for them: the rule only reports near-misses there.
- ``ULTRALYTICS_DEFAULT``: the keys of ``ultralytics/cfg/default.yaml`` of
  ultralytics 8.3.0 and 8.4.190, plus the deprecated/removed keys that
  ``_handle_deprecation`` still accepts (``boxes``, ``hide_labels``, ``hide_conf``,
  ``line_thickness``, ``label_smoothing``, ``save_hybrid``, ``crop_fraction``,
  ``keras``); ``check_dict_alignment`` raises ``SyntaxError`` for any other key
  (existing_checks.md A.11).
- ``PEFT_LORA_CONFIG``: ``peft.LoraConfig`` + ``PeftConfig`` fields of PEFT 0.21.2
  (``src/peft/tuners/lora/config.py``, ``src/peft/config.py``); PEFT drops unknown
  adapter_config.json keys with a warning (existing_checks.md A.2).
"""

from __future__ import annotations

HF_TRAINING_ARGUMENTS = frozenset({
    'accelerator_config', 'activation_checkpointing', 'activation_checkpointing_kwargs', 'adafactor', 'adam_beta1',
    'adam_beta2', 'adam_epsilon', 'auto_find_batch_size', 'average_tokens_across_devices', 'batch_eval_metrics',
    'bf16', 'bf16_full_eval', 'data_seed', 'dataloader_drop_last', 'dataloader_in_order',
    'dataloader_multiprocessing_context', 'dataloader_num_workers', 'dataloader_persistent_workers',
    'dataloader_pin_memory', 'dataloader_prefetch_factor', 'ddp_backend', 'ddp_broadcast_buffers',
    'ddp_bucket_cap_mb', 'ddp_find_unused_parameters', 'ddp_static_graph', 'ddp_timeout', 'debug', 'deepspeed',
    'disable_tqdm', 'dispatch_batches', 'do_eval', 'do_predict', 'do_train', 'enable_jit_checkpoint',
    'eval_accumulation_steps', 'eval_delay', 'eval_do_concat_batches', 'eval_on_start', 'eval_steps',
    'eval_strategy', 'eval_use_gather_object', 'evaluation_strategy', 'fp16', 'fp16_backend', 'fp16_full_eval',
    'fp16_opt_level', 'fsdp', 'fsdp_config', 'fsdp_min_num_params', 'fsdp_transformer_layer_cls_to_wrap',
    'full_determinism', 'gradient_accumulation_steps', 'gradient_checkpointing', 'gradient_checkpointing_kwargs',
    'greater_is_better', 'group_by_length', 'half_precision_backend', 'hub_always_push', 'hub_model_id',
    'hub_private_repo', 'hub_revision', 'hub_strategy', 'hub_token', 'ignore_data_skip', 'include_for_metrics',
    'include_inputs_for_metrics', 'include_num_input_tokens_seen', 'include_tokens_per_second', 'jit_mode_eval',
    'label_names', 'label_smoothing_factor', 'learning_rate', 'length_column_name', 'liger_kernel_config',
    'load_best_model_at_end', 'local_rank', 'log_level', 'log_level_replica', 'log_on_each_node', 'logging_dir',
    'logging_first_step', 'logging_nan_inf_filter', 'logging_steps', 'logging_strategy', 'lr_scheduler_kwargs',
    'lr_scheduler_type', 'max_grad_norm', 'max_steps', 'metric_for_best_model', 'mp_parameters',
    'neftune_noise_alpha', 'no_cuda', 'num_train_epochs', 'optim', 'optim_args', 'optim_target_modules',
    'output_dir', 'overwrite_output_dir', 'parallelism_config', 'past_index', 'per_device_eval_batch_size',
    'per_device_train_batch_size', 'per_gpu_eval_batch_size', 'per_gpu_train_batch_size', 'prediction_loss_only',
    'project', 'push_to_hub', 'push_to_hub_model_id', 'push_to_hub_organization', 'push_to_hub_token', 'ray_scope',
    'remove_unused_columns', 'report_to', 'restore_callback_states_from_checkpoint', 'resume_from_checkpoint',
    'run_name', 'save_on_each_node', 'save_only_model', 'save_safetensors', 'save_steps', 'save_strategy',
    'save_total_limit', 'seed', 'skip_memory_metrics', 'split_batches', 'tf32', 'torch_compile',
    'torch_compile_backend', 'torch_compile_mode', 'torch_empty_cache_steps', 'torchdynamo', 'tpu_metrics_debug',
    'tpu_num_cores', 'trackio_bucket_id', 'trackio_space_id', 'trackio_static_space_id', 'train_sampling_strategy',
    'use_cache', 'use_cpu', 'use_ipex', 'use_legacy_prediction_loop', 'use_liger_kernel', 'use_mps_device',
    'warmup_ratio', 'warmup_steps', 'weight_decay'
})

HF_SEQ2SEQ_EXTRA = frozenset({
    'generation_config', 'generation_max_length', 'generation_num_beams', 'predict_with_generate', 'sortish_sampler'
})

LLAMAFACTORY_EXTRA = frozenset({
    'adapter_folder', 'adapter_name_or_path', 'add_special_tokens', 'add_tokens', 'additional_target',
    'apollo_layerwise', 'apollo_proj', 'apollo_proj_type', 'apollo_rank', 'apollo_scale', 'apollo_scale_front',
    'apollo_scale_type', 'apollo_target', 'apollo_update_interval', 'asft_alpha', 'audio_sampling_rate',
    'badam_mask_mode', 'badam_mode', 'badam_start_block', 'badam_switch_interval', 'badam_switch_mode',
    'badam_update_ratio', 'badam_verbose', 'batch_size', 'block_diag_attn', 'buffer_size', 'cache_dir',
    'compute_accuracy', 'compute_dtype', 'create_new_adapter', 'crop_to_patches', 'cutoff_len',
    'data_shared_file_system', 'dataset', 'dataset_dir', 'default_system', 'device_map',
    'disable_gradient_checkpointing', 'disable_shuffling', 'do_sample', 'double_quantization', 'download_mode',
    'dpo_label_smoothing', 'eaft_alpha', 'early_stopping_steps', 'enable_liger_kernel', 'enable_thinking',
    'enable_torch_profiler', 'eval_dataset', 'eval_num_beams', 'eval_on_each_dataset', 'export_device',
    'export_dir', 'export_hub_model_id', 'export_legacy_format', 'export_quantization_bit',
    'export_quantization_dataset', 'export_quantization_maxlen', 'export_quantization_nsamples', 'export_size',
    'finetuning_type', 'flash_attn', 'fp8', 'fp8_backend', 'fp8_enable_fsdp_float8_all_gather',
    'freeze_extra_modules', 'freeze_language_model', 'freeze_multi_modal_projector', 'freeze_trainable_layers',
    'freeze_trainable_modules', 'freeze_vision_tower', 'galore_layerwise', 'galore_proj_type', 'galore_rank',
    'galore_scale', 'galore_target', 'galore_update_interval', 'hf_hub_token', 'hyper_parallel_args',
    'ignore_pad_token_for_loss', 'image_do_pan_and_scan', 'image_max_pixels', 'image_min_pixels',
    'include_effective_tokens_per_second', 'infer_backend', 'infer_dtype', 'init_special_tokens',
    'interleave_probs', 'kt_expert_checkpoint_path', 'kt_lora_expert_intermediate_size', 'kt_lora_expert_num',
    'kt_use_lora_experts', 'kt_weight_path', 'kto_chosen_weight', 'kto_rejected_weight', 'lang', 'ld_alpha',
    'length_penalty', 'lora_alpha', 'lora_dropout', 'lora_rank', 'lora_target', 'loraplus_lr_embedding',
    'loraplus_lr_ratio', 'low_cpu_mem_usage', 'mask_history', 'master_addr', 'master_port', 'max_length',
    'max_new_tokens', 'max_samples', 'media_dir', 'mix_strategy', 'mixture_of_depths', 'model_max_length',
    'model_name_or_path', 'model_revision', 'module_dropout', 'moe_aux_loss_coef', 'ms_hub_token', 'n_shot',
    'neat_packing', 'new_special_tokens_config', 'num_beams', 'offload_folder', 'oft_block_size', 'oft_rank',
    'oft_target', 'om_hub_token', 'overwrite_cache', 'packing', 'pissa_convert', 'pissa_init', 'pissa_iter',
    'plot_loss', 'ppo_buffer_size', 'ppo_epochs', 'ppo_score_norm', 'ppo_target', 'ppo_whiten_rewards',
    'pref_bco_weight', 'pref_beta', 'pref_ftx', 'pref_loss', 'preprocessing_batch_size',
    'preprocessing_num_workers', 'preserve_thinking', 'print_param_status', 'profile_modules',
    'profiler_active_steps', 'profiler_output_dir', 'profiler_profile_memory', 'profiler_record_shapes',
    'profiler_repeat', 'profiler_wait_steps', 'profiler_warmup_steps', 'profiler_with_stack', 'pure_bf16',
    'quantization_bit', 'quantization_device_map', 'quantization_method', 'quantization_type', 'ray_init_kwargs',
    'ray_num_workers', 'ref_model', 'ref_model_adapters', 'ref_model_quantization_bit', 'repetition_penalty',
    'resize_vocab', 'reward_model', 'reward_model_adapters', 'reward_model_quantization_bit', 'reward_model_type',
    'rope_scaling', 'save_dir', 'sglang_config', 'sglang_lora_backend', 'sglang_maxlen', 'sglang_mem_fraction',
    'sglang_tp_size', 'shift_attn', 'simpo_gamma', 'skip_special_tokens', 'split_special_tokens', 'stage',
    'streaming', 'swanlab_api_key', 'swanlab_lark_secret', 'swanlab_lark_webhook_url', 'swanlab_logdir',
    'swanlab_mode', 'swanlab_project', 'swanlab_run_name', 'swanlab_workspace', 'task', 'task_dir', 'temperature',
    'template', 'tokenized_path', 'tool_format', 'top_k', 'top_p', 'train_from_scratch', 'train_on_prompt',
    'trust_remote_code', 'upcast_layernorm', 'upcast_lmhead_output', 'use_adam_mini', 'use_apollo', 'use_asft_loss',
    'use_audio_in_video', 'use_badam', 'use_dft_loss', 'use_dora', 'use_eaft_loss', 'use_fast_tokenizer',
    'use_galore', 'use_hyper_parallel', 'use_kt', 'use_kv_cache', 'use_llama_pro', 'use_mca', 'use_muon',
    'use_reentrant_gc', 'use_rslora', 'use_swanlab', 'use_unsloth', 'use_unsloth_gc', 'use_v1_kernels', 'val_size',
    'video_fps', 'video_max_pixels', 'video_maxlen', 'video_min_pixels', 'vllm_config', 'vllm_enforce_eager',
    'vllm_gpu_util', 'vllm_max_lora_rank', 'vllm_maxlen'
})

ULTRALYTICS_DEFAULT = frozenset({
    'agnostic_nms', 'amp', 'angle', 'augment', 'auto_augment', 'batch', 'bgr', 'box', 'boxes', 'cache', 'cfg',
    'channels_last', 'classes', 'close_mosaic', 'cls', 'cls_pw', 'cls_remap', 'compile', 'conf', 'copy_paste',
    'copy_paste_mode', 'cos_lr', 'crop_fraction', 'cutmix', 'data', 'degrees', 'deterministic', 'device', 'dfl',
    'dgrad', 'dis', 'distill_model', 'dlam', 'dlog', 'dnn', 'dropout', 'dynamic', 'embed', 'epochs', 'erasing',
    'exist_ok', 'fliplr', 'flipud', 'format', 'fraction', 'freeze', 'half', 'hide_conf', 'hide_labels', 'hsv_h',
    'hsv_s', 'hsv_v', 'imgsz', 'int8', 'iou', 'keras', 'kobj', 'label_smoothing', 'line_thickness', 'line_width',
    'lr0', 'lrf', 'mask_ratio', 'max_det', 'mixup', 'mode', 'model', 'momentum', 'mosaic', 'multi_scale', 'name',
    'nbs', 'nms', 'opset', 'optimize', 'optimizer', 'overlap_mask', 'patience', 'perspective', 'plots', 'pose',
    'pretrained', 'profile', 'project', 'quantize', 'rect', 'resume', 'retina_masks', 'rle', 'save', 'save_conf',
    'save_crop', 'save_frames', 'save_hybrid', 'save_json', 'save_period', 'save_txt', 'scale', 'seed', 'shear',
    'show', 'show_boxes', 'show_conf', 'show_labels', 'simplify', 'single_cls', 'source', 'split', 'stream_buffer',
    'task', 'time', 'tracker', 'translate', 'val', 'verbose', 'vid_stride', 'visualize', 'warmup_bias_lr',
    'warmup_epochs', 'warmup_momentum', 'weight_decay', 'workers', 'workspace'
})

PEFT_LORA_CONFIG = frozenset({
    'alora_invocation_tokens', 'alpha_pattern', 'arrow_config', 'auto_mapping', 'base_model_name_or_path', 'bias',
    'corda_config', 'ensure_weight_tying', 'eva_config', 'exclude_modules', 'fan_in_fan_out', 'inference_mode',
    'init_lora_weights', 'kasa_config', 'layer_replication', 'layers_pattern', 'layers_to_transform',
    'loftq_config', 'lora_alpha', 'lora_bias', 'lora_dropout', 'lora_ga_config', 'megatron_config', 'megatron_core',
    'modules_to_save', 'monteclora_config', 'peft_type', 'peft_version', 'qalora_group_size', 'r', 'rank_pattern',
    'revision', 'runtime_config', 'target_modules', 'target_parameters', 'task_type', 'trainable_token_indices',
    'use_bdlora', 'use_dora', 'use_qalora', 'use_rslora', 'velora_config'
})

TRL_EXTRA = frozenset({
    'activation_offloading', 'assistant_only_loss', 'attn_implementation', 'beta', 'bnb_4bit_quant_storage',
    'bnb_4bit_quant_type', 'cache_implementation', 'cast_lm_head_to_fp32', 'center_rewards_coefficient',
    'chat_template_kwargs', 'chat_template_path', 'columns', 'completion_only_loss', 'data_dir', 'data_files',
    'dataset_config', 'dataset_kwargs', 'dataset_name', 'dataset_num_proc', 'dataset_streaming',
    'dataset_test_split', 'dataset_text_field', 'dataset_train_split', 'datasets', 'delta', 'desirable_weight',
    'disable_dropout', 'discopop_tau', 'ds3_gather_for_generation', 'dtype', 'entropy_coef', 'entropy_coef_delta',
    'entropy_coef_max', 'entropy_coef_min', 'entropy_target', 'eos_token', 'epsilon', 'epsilon_high',
    'eval_packing', 'f_alpha_divergence_coef', 'f_divergence_type', 'fraction', 'generation_batch_size',
    'generation_kwargs', 'ignore_bias_buffers', 'importance_sampling_level', 'label_smoothing', 'ld_alpha',
    'load_in_4bit', 'load_in_8bit', 'log_completions', 'log_completions_hub_repo', 'log_multimodal',
    'log_unique_prompts', 'lora_alpha', 'lora_dropout', 'lora_modules_to_save', 'lora_r', 'lora_target_modules',
    'lora_target_parameters', 'lora_task_type', 'loss_type', 'loss_weights', 'mask_truncated_completions',
    'max_completion_length', 'max_length', 'max_tool_calling_iterations', 'min_p', 'model_init_kwargs',
    'model_name_or_path', 'model_revision', 'multi_objective_aggregation', 'name', 'num_completions_to_print',
    'num_generations', 'num_generations_eval', 'num_iterations', 'off_policy_mask_threshold', 'packing',
    'packing_strategy', 'pad_to_multiple_of', 'pad_token', 'padding_free', 'path', 'precompute_ref_batch_size',
    'precompute_ref_log_probs', 'ref_model_mixup_alpha', 'ref_model_sync_steps', 'repetition_penalty',
    'reward_weights', 'router_aux_loss_coef', 'sapo_temperature_neg', 'sapo_temperature_pos', 'scale_rewards',
    'shuffle_dataset', 'split', 'steps_per_generation', 'streaming', 'sync_ref_model', 'temperature',
    'test_split_size', 'top_entropy_quantile', 'top_k', 'top_p', 'transformers_continuous_batching_config',
    'truncation_mode', 'trust_remote_code', 'undesirable_weight', 'use_adaptive_entropy', 'use_bias_correction_kl',
    'use_bnb_nested_quant', 'use_dora', 'use_peft', 'use_rslora', 'use_transformers_continuous_batching',
    'use_transformers_paged', 'use_vllm', 'use_weighting', 'vespo_k_neg', 'vespo_k_pos', 'vespo_lambda_neg',
    'vespo_lambda_pos', 'vllm_enable_sleep_mode', 'vllm_gpu_memory_utilization', 'vllm_group_port',
    'vllm_importance_sampling_cap', 'vllm_importance_sampling_clip_max', 'vllm_importance_sampling_clip_min',
    'vllm_importance_sampling_correction', 'vllm_importance_sampling_mode', 'vllm_max_model_length', 'vllm_mode',
    'vllm_model_impl', 'vllm_server_base_url', 'vllm_server_host', 'vllm_server_port', 'vllm_server_timeout',
    'vllm_structured_outputs_regex', 'vllm_tensor_parallel_size'
})

HF_EXAMPLE_ARGUMENTS = frozenset({
    'block_size', 'cache_dir', 'config_name', 'config_overrides', 'dataset_config_name', 'dataset_name',
    'dataset_text_field', 'dataset_train_split', 'dataset_test_split', 'forced_bos_token', 'ignore_pad_token_for_loss',
    'keep_linebreaks', 'lang', 'low_cpu_mem_usage', 'max_eval_samples', 'max_predict_samples', 'max_seq_length',
    'max_source_length', 'max_target_length', 'max_train_samples', 'model_name_or_path', 'model_revision',
    'model_type', 'num_beams', 'overwrite_cache', 'pad_to_max_length', 'preprocessing_num_workers', 'source_lang',
    'source_prefix', 'streaming', 'summary_column', 'target_lang', 'task_name', 'test_file', 'text_column', 'token',
    'tokenizer_name', 'torch_dtype', 'train_file', 'trust_remote_code', 'use_auth_token', 'use_fast_tokenizer',
    'val_max_target_length', 'validation_file', 'validation_split_percentage',
})

DETECTRON2_TOP_LEVEL = frozenset({
    '_BASE_', 'VERSION', 'MODEL', 'INPUT', 'DATASETS', 'DATALOADER', 'SOLVER', 'TEST', 'OUTPUT_DIR', 'SEED',
    'CUDNN_BENCHMARK', 'FLOAT32_PRECISION', 'VIS_PERIOD', 'GLOBAL',
})


# The known top-level keys of each dialect: its module sets ``Dialect.known_keys`` to one
# of these (hf_trainer, llamafactory, detectron2, ultralytics, peft), with the framework's
# ``unknown_keys`` policy beside it; that attribute is the one place rules read.
HF_TRAINER = HF_TRAINING_ARGUMENTS | HF_SEQ2SEQ_EXTRA | HF_EXAMPLE_ARGUMENTS | TRL_EXTRA
LLAMAFACTORY = HF_TRAINING_ARGUMENTS | HF_SEQ2SEQ_EXTRA | LLAMAFACTORY_EXTRA
DETECTRON2 = DETECTRON2_TOP_LEVEL
ULTRALYTICS = ULTRALYTICS_DEFAULT
PEFT = PEFT_LORA_CONFIG
