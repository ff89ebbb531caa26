#!/usr/bin/python3
"""Torch-derived truths for specs/unet.cnn, deeplabv3_resnet50.cnn, yolov2_voc.cnn and tcn.cnn.

Run with Debian's python (torch 1.13, torchvision 0.14): /usr/bin/python3 scripts/zoo-truths-b.py
Prints, per model and input size: params, trainable params, buffers (elements; BatchNorm's
num_batches_tracked counters are left out, as convspec does), the output shape(s) and MACs
summed by forward hooks on Conv*/ConvTranspose*/Linear (conv: output elements · Cin/groups ·
prod(kernel); transposed: input elements · Cout/groups · prod(kernel); linear: in · out).
The numbers are copied into the specs' asserts; tests do not need torch.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.manual_seed(0)


def count(model, *inputs, names=()):
    macs = [0]
    shapes = {}

    def hook(mod, inp, out):
        x = inp[0]
        if isinstance(mod, nn.ConvTranspose2d):
            macs[0] += x.numel() // x.shape[0] * mod.out_channels // mod.groups * int(torch.tensor(mod.kernel_size).prod())
        elif isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            macs[0] += out.numel() // out.shape[0] * mod.in_channels // mod.groups * int(torch.tensor(mod.kernel_size).prod())
        elif isinstance(mod, nn.Linear):
            macs[0] += out.numel() // out.shape[0] * mod.in_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.Linear))]
    for n in names:
        mod = dict(model.named_modules())[n]
        hs.append(mod.register_forward_hook(lambda m, i, o, n=n: shapes.__setitem__(n, tuple(o.shape[1:]))))
    model.eval()
    with torch.no_grad():
        out = model(*inputs)
    for h in hs:
        h.remove()
    if isinstance(out, dict):
        out = out["out"]
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    return dict(params=params, trainable=trainable, buffers=buffers, out=tuple(out.shape[1:]), macs=macs[0], shapes=shapes)


def show(name, r):
    print(f"{name}: params {r['params']:,} trainable {r['trainable']:,} buffers {r['buffers']:,} "
          f"output {list(r['out'])} MACs {r['macs']:,}")
    for k, v in r["shapes"].items():
        print(f"    {k}: {list(v)}")


# (1) U-Net, Ronneberger et al. 2015, Figure 1: unpadded 3x3 convs, 2x2 max pools, 2x2 up-convs
# halving the channels, skips centre-cropped to the decoder's size, 1x1 to 2 classes.
class UNet(nn.Module):
    def __init__(self, cin=1, classes=2):
        super().__init__()
        def dc(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3), nn.ReLU(), nn.Conv2d(o, o, 3), nn.ReLU())
        self.d1, self.d2, self.d3, self.d4 = dc(cin, 64), dc(64, 128), dc(128, 256), dc(256, 512)
        self.mid = dc(512, 1024)
        self.up4, self.u4 = nn.ConvTranspose2d(1024, 512, 2, 2), dc(1024, 512)
        self.up3, self.u3 = nn.ConvTranspose2d(512, 256, 2, 2), dc(512, 256)
        self.up2, self.u2 = nn.ConvTranspose2d(256, 128, 2, 2), dc(256, 128)
        self.up1, self.u1 = nn.ConvTranspose2d(128, 64, 2, 2), dc(128, 64)
        self.head = nn.Conv2d(64, classes, 1)

    @staticmethod
    def crop(x, like):
        h, w = like.shape[-2:]
        t = int(round((x.shape[-2] - h) / 2.0)); l = int(round((x.shape[-1] - w) / 2.0))
        return x[..., t:t + h, l:l + w]

    def forward(self, x):
        e1 = self.d1(x); e2 = self.d2(F.max_pool2d(e1, 2)); e3 = self.d3(F.max_pool2d(e2, 2))
        e4 = self.d4(F.max_pool2d(e3, 2)); m = self.mid(F.max_pool2d(e4, 2))
        u = self.up4(m); u = self.u4(torch.cat([self.crop(e4, u), u], 1))
        u = self.up3(u); u = self.u3(torch.cat([self.crop(e3, u), u], 1))
        u = self.up2(u); u = self.u2(torch.cat([self.crop(e2, u), u], 1))
        u = self.up1(u); u = self.u1(torch.cat([self.crop(e1, u), u], 1))
        return self.head(u)


show("unet 572", count(UNet(), torch.zeros(1, 1, 572, 572), names=("mid", "up4", "up1")))
show("unet 188 (the smallest valid size)", count(UNet(), torch.zeros(1, 1, 188, 188)))

# (2) DeepLabV3-ResNet50 as torchvision builds it, without the auxiliary head.
dl = torchvision.models.segmentation.deeplabv3_resnet50(weights=None, weights_backbone=None, aux_loss=False, num_classes=21)
show("deeplabv3_resnet50 513", count(dl, torch.zeros(1, 3, 513, 513), names=("backbone.layer1", "backbone.layer4", "classifier.0")))
show("deeplabv3_resnet50 769", count(dl, torch.zeros(1, 3, 769, 769), names=("backbone.layer4",)))


# (3) YOLOv2 (Redmon & Farhadi 2017) as darknet's cfg/yolo-voc.cfg: Darknet-19 convs (BN, no
# bias, leaky 0.1), the passthrough (1x1 to 64 on the 26x26 map, reorg 2 -> 256 x 13 x 13)
# concatenated before the 1024 features, a 3x3 conv, and a 1x1 to 5 · (20 + 5) = 125.
class YOLOv2(nn.Module):
    def __init__(self):
        super().__init__()
        def c(i, o, k):
            return [nn.Conv2d(i, o, k, padding=k // 2, bias=False), nn.BatchNorm2d(o), nn.LeakyReLU(0.1)]
        M = lambda: [nn.MaxPool2d(2)]
        self.a = nn.Sequential(*c(3, 32, 3), *M(), *c(32, 64, 3), *M(), *c(64, 128, 3), *c(128, 64, 1), *c(64, 128, 3), *M(),
                               *c(128, 256, 3), *c(256, 128, 1), *c(128, 256, 3), *M(),
                               *c(256, 512, 3), *c(512, 256, 1), *c(256, 512, 3), *c(512, 256, 1), *c(256, 512, 3))
        self.b = nn.Sequential(*M(), *c(512, 1024, 3), *c(1024, 512, 1), *c(512, 1024, 3), *c(1024, 512, 1), *c(512, 1024, 3),
                               *c(1024, 1024, 3), *c(1024, 1024, 3))
        self.pass_ = nn.Sequential(*c(512, 64, 1))
        self.head = nn.Sequential(*c(1280, 1024, 3), nn.Conv2d(1024, 125, 1))

    def forward(self, x):
        a = self.a(x); b = self.b(a); p = F.pixel_unshuffle(self.pass_(a), 2)
        return self.head(torch.cat([p, b], 1))


show("yolov2 416", count(YOLOv2(), torch.zeros(1, 3, 416, 416), names=("a", "b", "pass_")))
show("yolov2 608", count(YOLOv2(), torch.zeros(1, 3, 608, 608)))


# (4) A causal TCN (Bai et al. 2018, github.com/locuslab/TCN, sequential MNIST: 8 levels of 25
# channels, kernel 7, dilations 1..128), without weight_norm: each conv pads (k-1)d on both
# sides and Chomp1d drops the last (k-1)d steps; the last step feeds a linear layer to 10.
class Block(nn.Module):
    def __init__(self, i, o, k, d):
        super().__init__()
        self.p = (k - 1) * d
        self.c1 = nn.Conv1d(i, o, k, padding=self.p, dilation=d)
        self.c2 = nn.Conv1d(o, o, k, padding=self.p, dilation=d)
        self.down = nn.Conv1d(i, o, 1) if i != o else None

    def forward(self, x):
        y = F.relu(self.c1(x)[..., :-self.p]); y = F.relu(self.c2(y)[..., :-self.p])
        return F.relu(y + (x if self.down is None else self.down(x)))


class TCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(*[Block(1 if i == 0 else 25, 25, 7, 2 ** i) for i in range(8)])
        self.fc = nn.Linear(25, 10)

    def forward(self, x):
        return self.fc(self.net(x)[:, :, -1])


show("tcn 784", count(TCN(), torch.zeros(1, 1, 784), names=("net",)))
show("tcn 196", count(TCN(), torch.zeros(1, 1, 196)))
