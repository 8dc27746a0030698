# Reconstruction of https://github.com/open-mmlab/mmdetection/issues/4180 ("Resnest BN batchsize =1 error"):
# "when i use backbone resnest,i set BN and Batchsize =1 ,error,ValueError: Expected more than 1 value per
# channel when training, got input size torch.Size([1, 64, 1, 1]) ,when i set bachsize =2 it can train".
# Maintainer: "since there is GAP in ResNeSt and BN doesn't allow 1 size value input when training."
# An mmdetection 2.x config holding only what the thread states: a ResNeSt backbone, norm_cfg BN, one image
# per GPU (the detector and its _base_ files are not named in the thread and are left out).
model = dict(
    backbone=dict(
        type='ResNeSt',
        norm_cfg=dict(type='BN', requires_grad=True)))
data = dict(samples_per_gpu=1)
# Placeholders, not from the thread: the optimizer lines of mmdetection 2.x configs/_base_/schedules/schedule_1x.py.
optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
