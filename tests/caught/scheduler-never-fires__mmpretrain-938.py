# Reconstruction of open-mmlab/mmpretrain#938 "learning rate unchanged":
# https://github.com/open-mmlab/mmpretrain/issues/938
# The reporter: "I am trying to use the step policy for learning rate decay, and I have revise
# the schedule config file as: [below] ... it seems the learning rate was fixed as 0.001 and
# unchanged at all". The four lines are the thread's, verbatim (an mmcv-1.x / mmcls config);
# with an int `step`, mmcv's StepLrUpdaterHook decays every `step` epochs, so the first decay
# would be at epoch 200 of a 200-epoch run. Model, data and runtime settings are not in the
# thread and are left out (their _base_ files are not part of this reconstruction).
optimizer = dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', gamma=0.9, step=200)
runner = dict(type='EpochBasedRunner', max_epochs=200)
