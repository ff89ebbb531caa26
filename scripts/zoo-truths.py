#!/usr/bin/python3
"""Truths for specs/ written from torchvision 0.14 / PyTorch 1.13 (not needed by the tests).

For each model: parameters (sum of p.numel()), buffers, output shape at batch 1, and MACs
counted by forward hooks: a conv's output elements times (Cin / groups) * prod(kernel), a
transposed conv's input elements times (Cout / groups) * prod(kernel), a linear's output
elements times in_features, and nn.MultiheadAttention's 4*N*C^2 + 2*N^2*C (its projections run
inside F.multi_head_attention_forward, which no hook sees). Run: /usr/bin/python3 scripts/zoo-truths.py
"""
import math
import sys

import torch
from torch import nn
import torchvision


def dcgan_generator(nz=100, ngf=64, nc=3):
    """The DCGAN generator of PyTorch's DCGAN tutorial (Radford et al., 2016): 100 -> 3x64x64."""
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
    )


def count(model, shape):
    model.eval()
    macs = [0]

    def hook(m, inp, out):
        x = inp[0] if inp else out[0]   # torchvision calls attention with keywords only
        if isinstance(m, nn.ConvTranspose1d | nn.ConvTranspose2d | nn.ConvTranspose3d):
            macs[0] += x.numel() * (m.out_channels // m.groups) * math.prod(m.kernel_size)
        elif isinstance(m, nn.Conv1d | nn.Conv2d | nn.Conv3d):
            macs[0] += out.numel() * (m.in_channels // m.groups) * math.prod(m.kernel_size)
        elif isinstance(m, nn.Linear) and not isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            macs[0] += out.numel() * m.in_features
        elif isinstance(m, nn.MultiheadAttention):
            x = out[0]                        # batch_first: (B, N, C), the input's shape
            n, c = x.shape[-2], x.shape[-1]
            macs[0] += x.shape[0] * (4 * n * c * c + 2 * n * n * c)

    for m in model.modules():
        m.register_forward_hook(hook)
    with torch.no_grad():
        out = model(torch.randn(1, *shape))
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    return params, buffers, tuple(out.shape[1:]), macs[0]


MODELS = {
    "convnext_tiny": (lambda: torchvision.models.convnext_tiny(), (3, 224, 224)),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(), (3, 224, 224)),
    "vit_b_16": (lambda: torchvision.models.vit_b_16(), (3, 224, 224)),
    "dcgan_generator": (dcgan_generator, (100, 1, 1)),
}

if __name__ == "__main__":
    torch.manual_seed(0)
    torch.set_num_threads(1)
    for name in sys.argv[1:] or MODELS:
        make, shape = MODELS[name]
        p, b, o, m = count(make(), shape)
        print(f"{name}: input {list(shape)} params {p:,} buffers {b:,} output {list(o)} macs {m:,}")
