# ---------------------------------------------------------------
# Copyright (c) 2022 BIT-DA. All rights reserved.
# Licensed under the Apache License, Version 2.0
# ---------------------------------------------------------------

# SePiCo Dark
_base_ = ['sepico.py']
uda = dict(
    type='SePiCoDark',
)
