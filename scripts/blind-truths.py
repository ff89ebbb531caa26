#!/usr/bin/env python3
"""Regenerate test/fixtures/blind/truths.json: PyTorch's own figures for the blind-trial specs.

Run with /usr/bin/python3 (torch 1.13, torchvision 0.14): `python3 scripts/blind-truths.py`.
Tests never need torch: the JSON is committed, this script only regenerates it.

Counting convention (convspec's, from `convspec analyze --help`; this script counts independently):
  params   sum(p.numel() for p in model.parameters())  (all trainable here)
  buffers  every buffer but BatchNorm's num_batches_tracked (running_mean, running_var, and a
           registered constant): convspec reports these as non-trainable
           buffers and does NOT count num_batches_tracked (a 0-dim int64 per BN layer), which
           torch lists among its buffers. Both figures are written: `buffers` (what convspec
           must print) and `torch_buffers` (sum of every buffer's numel, for the record).
  MACs     forward hooks, batch 1, bias adds not counted:
             Conv1d/2d/3d:          out.numel() * (Cin / groups) * prod(kernel)
             ConvTranspose1d/2d/3d: in.numel()  * (Cout / groups) * prod(kernel)
             Linear:                out.numel() * in_features
             MultiheadAttention:    4·L·E² (q, k, v, out projections) + 2·L²·E (scores, mix)
           Pooling, normalization, activations, element-wise merges: 0 MACs (convspec counts
           them as FLOPs, not MACs).
  shapes   each named output without the batch axis, plus a few labelled intermediate layers
           ("taps": a module path in torch -> the label the spec gives that layer).
  rf       receptive fields measured, not computed: every weight set to 1/fan-in, biases 0,
           batchnorm to the identity, so every activation is 0 on a zero input and rises
           monotonically with any input (max pooling included). Spiking input positions (a whole
           hyperplane along one axis at a time) and watching which tap outputs leave 0 gives,
           per output position along the centre line of that axis, the first and last input
           index it depends on (`lo`, `hi`). "sweep" spikes every index (all outputs);
           "centre" binary-searches `lo` and `hi` for the centre output only (big nets).
           Outputs whose field touches the input's border (clipped by padding) are left out;
           those clipped inside (a partial ceil-mode window at a map's edge) stay in, narrower:
           the test compares the widest with convspec's size, and checks the centres of those.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm
import torchvision.transforms.functional as TF

torch.manual_seed(0)


# ---------------------------------------------------------------- hand-written models

class DCGANDisc(nn.Module):
    """DCGAN discriminator (Radford et al., 2016), ndf=64, 3x64x64 input."""
    def __init__(self, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SmallUNet(nn.Module):
    """A 3-level U-Net; at odd sizes the skip is center-cropped to the upsampled map (as the
    original U-Net crops), then concatenated. Output: 2-class logits at the decoder's size."""
    def __init__(self, c=16, ncls=2):
        super().__init__()
        self.e1 = DoubleConv(3, c)
        self.e2 = DoubleConv(c, 2 * c)
        self.e3 = DoubleConv(2 * c, 4 * c)
        self.mid = DoubleConv(4 * c, 8 * c)
        self.u3 = nn.ConvTranspose2d(8 * c, 4 * c, 2, stride=2)
        self.d3 = DoubleConv(8 * c, 4 * c)
        self.u2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.d2 = DoubleConv(4 * c, 2 * c)
        self.u1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.d1 = DoubleConv(2 * c, c)
        self.head = nn.Conv2d(c, ncls, 1)

    @staticmethod
    def crop_cat(skip, up):
        skip = TF.center_crop(skip, list(up.shape[-2:]))
        return torch.cat([skip, up], 1)

    def forward(self, x):
        s1 = self.e1(x)
        s2 = self.e2(F.max_pool2d(s1, 2))
        s3 = self.e3(F.max_pool2d(s2, 2))
        m = self.mid(F.max_pool2d(s3, 2))
        y = self.d3(self.crop_cat(s3, self.u3(m)))
        y = self.d2(self.crop_cat(s2, self.u2(y)))
        y = self.d1(self.crop_cat(s1, self.u1(y)))
        return self.head(y)


class Audio1D(nn.Module):
    """1-D audio classifier: strided front conv, dilated convs, MaxPool1d(ceil_mode=True)."""
    def __init__(self, ncls=10):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv1d(1, 32, 64, stride=8, padding=28), nn.BatchNorm1d(32), nn.ReLU(),
            nn.MaxPool1d(3, stride=2, ceil_mode=True),
            nn.Conv1d(32, 64, 3, padding=2, dilation=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 64, 3, padding=4, dilation=4), nn.BatchNorm1d(64), nn.ReLU(),
            nn.MaxPool1d(4, ceil_mode=True),
            nn.Conv1d(64, 128, 5, stride=2, dilation=3), nn.BatchNorm1d(128), nn.ReLU(),
            nn.MaxPool1d(3, stride=3, padding=1, ceil_mode=True),
            nn.Conv1d(128, 128, 3, groups=4, bias=False), nn.BatchNorm1d(128), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(128, ncls))

    def forward(self, x):
        return self.f(x)


class Net3D(nn.Module):
    """A small 3-D conv net: Conv3d with anisotropic kernels/strides, MaxPool3d, BatchNorm3d,
    AdaptiveAvgPool3d to 1, Linear."""
    def __init__(self, ncls=400):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv3d(3, 32, (3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False), nn.BatchNorm3d(32), nn.ReLU(),
            nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
            nn.Conv3d(32, 64, 3, padding=1, bias=False), nn.BatchNorm3d(64), nn.ReLU(),
            nn.MaxPool3d(2, ceil_mode=True),
            nn.Conv3d(64, 128, (3, 1, 1), padding=(1, 0, 0), bias=False), nn.BatchNorm3d(128), nn.ReLU(),
            nn.Conv3d(128, 128, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), groups=8), nn.ReLU(),
            nn.MaxPool3d((2, 2, 2), stride=(2, 1, 1)),
            nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(128, ncls))

    def forward(self, x):
        return self.f(x)


class DilatedSame(nn.Module):
    """Context-aggregation style net (Yu & Koltun): stride-1 convs with padding='same' and
    growing dilation (incl. even kernels, where torch pads asymmetrically), then
    AvgPool2d(ceil_mode=True, count_include_pad=False) and a 1x1 classifier."""
    def __init__(self, c=32, ncls=21):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(3, c, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding='same', dilation=1), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding='same', dilation=2), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding='same', dilation=4), nn.ReLU(),
            nn.Conv2d(c, 2 * c, 4, padding='same', dilation=2), nn.ReLU(),
            nn.Conv2d(2 * c, 2 * c, 2, padding='same'), nn.ReLU(),
            nn.Conv2d(2 * c, 2 * c, (5, 3), padding='same', dilation=(1, 3), padding_mode='reflect'), nn.ReLU(),
            nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
            nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False),
            nn.Conv2d(2 * c, ncls, 1))

    def forward(self, x):
        return self.f(x)


class TemporalBlock(nn.Module):
    def __init__(self, cin, cout, k, d):
        super().__init__()
        p = (k - 1) * d
        self.net = nn.Sequential(
            nn.ConstantPad1d((p, 0), 0.0), nn.Conv1d(cin, cout, k, dilation=d), nn.ReLU(), nn.Dropout(0.1),
            nn.ConstantPad1d((p, 0), 0.0), nn.Conv1d(cout, cout, k, dilation=d), nn.ReLU(), nn.Dropout(0.1))
        self.down = nn.Conv1d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        res = x if self.down is None else self.down(x)
        return F.relu(self.net(x) + res)


class TCN(nn.Module):
    """Temporal convolutional network (Bai et al., 2018): causal left padding as pad layers."""
    def __init__(self, cin=8, chans=(32, 32, 64, 64), k=3, ncls=5):
        super().__init__()
        layers, c = [], cin
        for i, co in enumerate(chans):
            layers.append(TemporalBlock(c, co, k, 2 ** i))
            c = co
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Conv1d(c, ncls, 1)

    def forward(self, x):
        return self.head(self.blocks(x))


class ESPCN(nn.Module):
    """ESPCN (Shi et al., 2016) x3 super-resolution: conv5-tanh, conv3-tanh, conv3, PixelShuffle."""
    def __init__(self, r=3, c=1):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(c, 64, 5, padding=2), nn.Tanh(),
            nn.Conv2d(64, 32, 3, padding=1), nn.Tanh(),
            nn.Conv2d(32, c * r * r, 3, padding=1), nn.PixelShuffle(r))

    def forward(self, x):
        return self.f(x)


class EdgeMix2D(nn.Module):
    """A probe of less common layer options, two named outputs: circular padding, dilated
    ceil-mode max pooling, grouped transposed conv with output_padding, a dilated anisotropic
    transposed conv, pixel_unshuffle, channel_shuffle, split, a strided slice, a fractional
    nearest upsample, LP pooling, adaptive pooling to non-divisible sizes."""
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(8, 16, 3, padding=1, padding_mode='circular')
        self.p1 = nn.MaxPool2d(3, stride=2, dilation=2, ceil_mode=True)
        self.t1 = nn.ConvTranspose2d(16, 12, 3, stride=2, padding=1, output_padding=1, groups=4)
        self.t2 = nn.ConvTranspose2d(12, 6, (3, 2), stride=(2, 3), padding=(0, 1), output_padding=(1, 0), dilation=2, bias=False)
        self.unshuffle = nn.PixelUnshuffle(2)
        self.ca = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.cb = nn.Conv2d(16, 24, 1)
        self.up = nn.Upsample(scale_factor=1.5, mode='nearest')
        self.lp = nn.LPPool2d(2, 3, stride=2, ceil_mode=True)
        self.a1 = nn.AdaptiveAvgPool2d((5, 7))
        self.a2 = nn.AdaptiveMaxPool2d(3)
        self.fc = nn.Linear(6 * 5 * 7, 11)

    def forward(self, x):
        y = self.p1(F.relu(self.c1(x)))
        y = self.t2(F.relu(self.t1(y)))
        y = self.unshuffle(y)                                   # 24 channels
        n, c, h, w = y.shape
        y = y.view(n, 3, c // 3, h, w).transpose(1, 2).reshape(n, c, h, w)   # channel_shuffle(3)
        a, b = torch.split(y, [8, 16], 1)
        y = torch.cat([self.ca(a), self.cb(b)], 1)              # 32 channels
        y = y[:, 2:20:3]                                        # 6 channels
        y = self.up(y)
        head = self.fc(torch.flatten(self.a1(y), 1))
        pooled = self.a2(self.lp(y))
        return {"head": head, "pooled": pooled}


class Deconv13D(nn.Module):
    """1-D and 3-D decoders side by side (two inputs, two outputs): ConvTranspose1d/3d with
    stride, padding, output_padding, dilation and groups; reflect and replicate padding;
    a 1-D nearest upsample; ceil-mode AvgPool1d without the padding; AdaptiveMaxPool1d."""
    def __init__(self):
        super().__init__()
        self.d1 = nn.ConvTranspose1d(16, 32, 5, stride=4, padding=2, output_padding=1, dilation=2)
        self.c1 = nn.Conv1d(32, 32, 7, padding=3, padding_mode='replicate', groups=2)
        self.up = nn.Upsample(scale_factor=2, mode='nearest')
        self.pad = nn.ReflectionPad1d((3, 1))
        self.c2 = nn.Conv1d(32, 8, 3, stride=2)
        self.ap = nn.AvgPool1d(5, stride=3, padding=2, ceil_mode=True, count_include_pad=False)
        self.am = nn.AdaptiveMaxPool1d(7)
        self.d3 = nn.ConvTranspose3d(8, 16, (3, 4, 4), stride=(1, 2, 2), padding=(1, 1, 1), groups=2, bias=False)
        self.bn3 = nn.BatchNorm3d(16)
        self.d3b = nn.ConvTranspose3d(16, 4, 3, stride=2, padding=1, output_padding=(0, 1, 1), dilation=(1, 2, 1))

    def forward(self, wave, vol):
        a = F.relu(self.d1(wave))
        a = self.c1(a)
        a = self.c2(self.pad(self.up(a)))
        a = self.am(self.ap(a))
        v = self.d3b(F.relu(self.bn3(self.d3(vol))))
        return {"wave_out": a, "vol_out": v}


class NormAttn(nn.Module):
    """1.1 features: reflect-padded grouped conv, GroupNorm, an asymmetric pad then a crop,
    InstanceNorm with affine, a learnable layer scale (param) and a constant (buffer), multi-head
    self-attention over all H·W positions, channel LayerNorm (LayerNorm2d), bilinear resize by
    2.5, permute and select. Two outputs."""
    def __init__(self, c=64, heads=4):
        super().__init__()
        self.conv = nn.Conv2d(32, c, 3, padding=1, padding_mode='reflect', groups=4)
        self.gn = nn.GroupNorm(8, c)
        self.inorm = nn.InstanceNorm2d(c, affine=True)
        self.gamma = nn.Parameter(torch.ones(c, 1, 1))
        self.register_buffer("shift", torch.zeros(c, 1, 1))
        self.attn = nn.MultiheadAttention(c, heads)
        self.ln = nn.LayerNorm(c)
        self.proj = nn.Conv2d(c, 16, 1)

    def forward(self, x):
        y = F.gelu(self.gn(self.conv(x)))
        y = F.pad(y, (0, 3, 1, 2))[:, :, 0:-1, 2:]              # pad H [1, 2], W [0, 3]; crop H [0, 1], W [2, 0]
        y = self.inorm(y) * self.gamma + self.shift
        n, c, h, w = y.shape
        t = y.flatten(2).permute(2, 0, 1)                      # [HW, N, C]
        a, _ = self.attn(t, t, t, need_weights=False)
        y = y + a.permute(1, 2, 0).reshape(n, c, h, w)
        y = self.ln(y.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)   # LayerNorm over channels
        y = self.proj(y)
        z = F.interpolate(y, scale_factor=2.5, mode='bilinear', align_corners=False)
        row = z.permute(0, 1, 3, 2)[:, :, 3]                   # permute([0, 2, 1]) then select(3, axis=1)
        return {"map": z, "row": row}


class Pool3DProbe(nn.Module):
    """3-D pooling and resizing: ceil-mode AvgPool3d without the padding, dilated ceil-mode
    MaxPool3d, a 'same' dilated Conv3d, a fractional nearest upsample, adaptive pooling to 2x3x5."""
    def __init__(self):
        super().__init__()
        self.ap = nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.mp = nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), dilation=(1, 2, 1), ceil_mode=True)
        self.conv = nn.Conv3d(4, 8, (3, 3, 2), padding='same', dilation=(2, 1, 3))
        self.up = nn.Upsample(scale_factor=1.5, mode='nearest')
        self.ad = nn.AdaptiveAvgPool3d((2, 3, 5))

    def forward(self, x):
        y = self.conv(self.mp(self.ap(x)))
        return self.ad(self.up(y))


# ---------------------------------------------------------------- the list
# name -> (constructor, [input shapes without batch], {torch module path: spec label})
MODELS = {
    "googlenet": (lambda: tvm.googlenet(aux_logits=False, transform_input=False, init_weights=False),
                  [[3, 224, 224], [3, 193, 201]], {"inception4e": "inception4e", "maxpool4": "maxpool4"}),
    "inception_v3": (lambda: tvm.inception_v3(aux_logits=False, transform_input=False, init_weights=False),
                     [[3, 299, 299], [3, 342, 320]], {"Mixed_6e": "mixed_6e", "Mixed_7c": "mixed_7c"}),
    "squeezenet1_0": (lambda: tvm.squeezenet1_0(), [[3, 224, 224], [3, 227, 250]], {"features": "features"}),
    "squeezenet1_1": (lambda: tvm.squeezenet1_1(), [[3, 224, 224], [3, 227, 250]], {"features": "features"}),
    "mobilenet_v2": (lambda: tvm.mobilenet_v2(), [[3, 224, 224], [3, 193, 257]], {"features": "features"}),
    "regnet_y_400mf": (lambda: tvm.regnet_y_400mf(), [[3, 224, 224], [3, 161, 190]], {"trunk_output": "trunk"}),
    "resnext50_32x4d": (lambda: tvm.resnext50_32x4d(), [[3, 224, 224], [3, 199, 240]], {"layer4": "layer4"}),
    "vgg11_bn": (lambda: tvm.vgg11_bn(), [[3, 224, 224], [3, 256, 300]], {"features": "features"}),
    "alexnet": (lambda: tvm.alexnet(), [[3, 224, 224], [3, 255, 300]], {"features": "features"}),
    "mnasnet0_75": (lambda: tvm.mnasnet0_75(), [[3, 224, 224], [3, 200, 177]], {"layers": "features"}),
    "efficientnet_b0": (lambda: tvm.efficientnet_b0(), [[3, 224, 224], [3, 240, 199]], {"features": "features"}),
    "dcgan_disc": (lambda: DCGANDisc(), [[3, 64, 64], [3, 96, 128]], {}),
    "unet_small": (lambda: SmallUNet(), [[3, 100, 100], [3, 77, 90]], {"mid": "mid"}),
    "audio1d": (lambda: Audio1D(), [[1, 16000], [1, 22050]], {"f.10": "pool2", "f.14": "pool3"}),
    "net3d": (lambda: Net3D(), [[3, 16, 112, 112], [3, 9, 65, 80]], {"f.11": "conv4", "f.13": "pool3"}),
    "dilated_same": (lambda: DilatedSame(), [[3, 97, 97], [3, 64, 81]], {"f.14": "pool1"}),
    "tcn": (lambda: TCN(), [[8, 1000], [8, 333]], {}),
    "espcn_x3": (lambda: ESPCN(), [[1, 64, 64], [1, 51, 70]], {}),
    "edge_mix2d": (lambda: EdgeMix2D(), [[8, 37, 45], [8, 50, 41]], {"p1": "pool1", "t2": "up2", "lp": "lp"}),
    "norm_attn": (lambda: NormAttn(), [[32, 20, 24], [32, 13, 18]], {}),
    "pool3d_probe": (lambda: Pool3DProbe(), [[4, 9, 17, 20], [4, 12, 31, 22]], {"conv": "conv", "up": "up"}),
    # several inputs: a list of shapes per size, in forward's order
    "deconv13d": (lambda: Deconv13D(), [[[16, 50], [8, 4, 6, 5]], [[16, 37], [8, 3, 9, 7]]], {"ap": "avg"}),
}


def count(model, shape, taps):
    macs = 0
    tapped = {}

    def hook(mod, inp, out):
        nonlocal macs
        if isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            macs += out.numel() * (mod.in_channels // mod.groups) * math.prod(mod.kernel_size)
        elif isinstance(mod, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            macs += inp[0].numel() * (mod.out_channels // mod.groups) * math.prod(mod.kernel_size)
        elif isinstance(mod, nn.MultiheadAttention):
            # in-projection (q, k, v) and out-projection: 4·L·E² ; scores q·kᵀ and weights·v: 2·L²·E
            L, E = inp[0].shape[0], mod.embed_dim
            macs += inp[0].shape[1] * (4 * L * E * E + 2 * L * L * E)
        elif isinstance(mod, nn.Linear):
            macs += out.numel() * mod.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    mods = dict(model.named_modules())
    for path, label in taps.items():
        handles.append(mods[path].register_forward_hook(
            lambda m, i, o, label=label: tapped.__setitem__(label, list(o.shape[1:]))))
    inputs = [shape] if isinstance(shape[0], int) else shape
    with torch.no_grad():
        out = model(*[torch.zeros([1] + s) for s in inputs])
    for h in handles:
        h.remove()
    outs = {k: list(v.shape[1:]) for k, v in out.items()} if isinstance(out, dict) else {"output": list(out.shape[1:])}
    return macs, outs, tapped


# name -> [(torch module path, spec label, input shapes, which input to spike, mode)]
RF_CASES = {
    "alexnet": [("features", "features", [[3, 320, 320]], 0, "centre")],
    "vgg11_bn": [("features", "features", [[3, 256, 256]], 0, "centre")],
    "googlenet": [("inception4e", "inception4e", [[3, 352, 352]], 0, "centre"),
                  ("maxpool4", "maxpool4", [[3, 352, 352]], 0, "centre")],
    "mobilenet_v2": [("features", "features", [[3, 576, 576]], 0, "centre")],
    "squeezenet1_1": [("features", "features", [[3, 260, 260]], 0, "sweep")],
    "dcgan_disc": [("main.10", "d4", [[3, 128, 128]], 0, "sweep")],
    "unet_small": [("mid", "mid", [[3, 100, 100]], 0, "sweep"), ("head", "logits", [[3, 164, 164]], 0, "sweep")],
    "audio1d": [("f.3", "pool1", [[1, 4000]], 0, "sweep"), ("f.10", "pool2", [[1, 4000]], 0, "sweep"),
                ("f.14", "pool3", [[1, 4000]], 0, "sweep")],
    "net3d": [("f.11", "conv4", [[3, 24, 96, 96]], 0, "sweep"), ("f.13", "pool3", [[3, 24, 96, 96]], 0, "sweep")],
    "dilated_same": [("f.14", "pool1", [[3, 130, 130]], 0, "sweep"), ("f.15", "pool2", [[3, 130, 130]], 0, "sweep")],
    "tcn": [("head", "head", [[8, 200]], 0, "sweep")],
    "espcn_x3": [("f.5", "shuffle", [[1, 40, 40]], 0, "sweep")],
    "edge_mix2d": [("p1", "pool1", [[8, 40, 48]], 0, "sweep"), ("t2", "up2", [[8, 40, 48]], 0, "sweep"),
                   ("lp", "lp", [[8, 40, 48]], 0, "sweep")],
    "pool3d_probe": [("conv", "conv", [[4, 14, 31, 30]], 0, "sweep"), ("up", "up", [[4, 14, 31, 30]], 0, "sweep")],
    "deconv13d": [("d1", "up1", [[16, 60], [8, 4, 6, 5]], 0, "sweep"), ("ap", "avg", [[16, 60], [8, 4, 6, 5]], 0, "sweep")],
}


def monotone(model):
    """Weights 1/fan-in, biases 0, batchnorm the identity: zero in, zero everywhere, monotone."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
                m.weight.fill_(1.0)
                m.bias.fill_(0.0)
                m.running_mean.fill_(0.0)
                m.running_var.fill_(1.0)
            elif getattr(m, "weight", None) is not None:
                m.weight.fill_(1.0 / m.weight[0].numel())
                if getattr(m, "bias", None) is not None:
                    m.bias.fill_(0.0)
    return model


def tap_values(model, tap, inputs, spike, spiked):
    """Tap output summed over channels, one row per spiked input (a batch)."""
    got = {}
    h = dict(model.named_modules())[tap].register_forward_hook(lambda m, i, o: got.__setitem__("o", o))
    batch = spiked.shape[0]
    xs = [torch.zeros([batch] + s) for s in inputs]
    xs[spike] = spiked
    with torch.no_grad():
        model(*xs)
    h.remove()
    return got["o"].sum(1)


def rf_axis(model, tap, inputs, spike, axis, mode):
    """[{i, lo, hi}] along `axis` (0-based spatial) of the tap, on the centre line of the other axes."""
    shape = inputs[spike]
    n = shape[1 + axis]

    def planes(rows):   # a batch: row b spikes the indices rows[b] (a boolean mask over the axis)
        x = torch.zeros([len(rows)] + shape)
        for b, mask in enumerate(rows):
            idx = [b, slice(None)] + [slice(None)] * (len(shape) - 1)
            idx[2 + axis] = torch.tensor(mask)
            x[tuple(idx)] = 1.0
        return x

    def line(v):        # [B, *spatial] -> [B, n_out] along axis, others at their centre
        for a in reversed(range(v.dim() - 1)):
            if a != axis:
                v = v.select(1 + a, v.shape[1 + a] // 2)
        return v

    out = []
    if mode == "sweep":
        hits = []
        for start in range(0, n, 32):
            rs = list(range(start, min(n, start + 32)))
            x = torch.zeros([len(rs)] + shape)
            for b, r in enumerate(rs):
                x.select(0, b).select(1 + axis, r).fill_(1.0)
            hits.append(line(tap_values(model, tap, inputs, spike, x)) > 0)
        hits = torch.cat(hits)                      # [n_in, n_out]
        for i in range(hits.shape[1]):
            rs = hits[:, i].nonzero().flatten().tolist()
            if rs and rs[0] > 0 and rs[-1] < n - 1:
                out.append({"i": i, "lo": rs[0], "hi": rs[-1]})
    else:
        n_out = line(tap_values(model, tap, inputs, spike, planes([[True] * n]))).shape[1]
        i = n_out // 2

        def hit(mask):
            return bool(line(tap_values(model, tap, inputs, spike, planes([mask])))[0, i] > 0)

        lo_a, lo_b = 0, n - 1                        # smallest r with hit(k <= r)
        while lo_a < lo_b:
            mid = (lo_a + lo_b) // 2
            if hit([k <= mid for k in range(n)]):
                lo_b = mid
            else:
                lo_a = mid + 1
        hi_a, hi_b = 0, n - 1                        # largest r with hit(k >= r)
        while hi_a < hi_b:
            mid = (hi_a + hi_b + 1) // 2
            if hit([k >= mid for k in range(n)]):
                hi_a = mid
            else:
                hi_b = mid - 1
        assert 0 < lo_a and hi_a < n - 1, f"{tap}: the centre output's field is clipped; use a bigger input"
        out.append({"i": i, "lo": lo_a, "hi": hi_a})
    assert out, f"{tap}: no unclipped output along axis {axis}"
    return out


def main():
    """`blind-truths.py` regenerates every entry; `blind-truths.py NAME...` only those (others kept)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test", "fixtures", "blind", "truths.json")
    only = sys.argv[1:]
    truths = {}
    if only:
        with open(path) as f:
            truths = json.load(f)
    for name, (make, shapes, taps) in MODELS.items():
        if only and name not in only:
            continue
        model = make().eval()
        params = sum(p.numel() for p in model.parameters())
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert params == trainable
        torch_buffers = sum(b.numel() for b in model.buffers())
        bn_stats = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
        entry = {"params": str(params), "buffers": str(bn_stats), "torch_buffers": str(torch_buffers), "sizes": {}}
        for shape in shapes:
            macs, out, tapped = count(model, shape, taps)
            inputs = [shape] if isinstance(shape[0], int) else shape
            key = "+".join("x".join(str(d) for d in s) for s in inputs)
            entry["sizes"][key] = {"inputs": inputs, "macs": str(macs), "shapes": {**out, **tapped}}
        rf = {}
        for tap, label, inputs, spike, mode in RF_CASES.get(name, []):
            m = monotone(make().eval())
            axes = len(inputs[spike]) - 1
            rf[label] = {"inputs": inputs, "spike": spike, "mode": mode,
                         "axes": [rf_axis(m, tap, inputs, spike, a, mode) for a in range(axes)]}
            print("  rf", label, [[(e["hi"] - e["lo"] + 1) for e in ax][:3] for ax in rf[label]["axes"]])
        if rf:
            entry["rf"] = rf
        truths[name] = entry
        print(name, params, bn_stats, {k: v["macs"] for k, v in entry["sizes"].items()})
    truths = {name: truths[name] for name in MODELS}
    with open(path, "w") as f:
        json.dump(truths, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
