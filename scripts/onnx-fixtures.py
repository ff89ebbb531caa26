#!/usr/bin/env python3
"""Regenerates test/fixtures/onnx/: real PyTorch ONNX exports for the importer's tests, and
truths.json with what PyTorch itself says about each model.

    /usr/bin/python3 scripts/onnx-fixtures.py [--out test/fixtures/onnx] [--vgg16 /tmp/vgg16.onnx]

Needs Debian's python3-torch, python3-torchvision and python3-onnx (apt-get install); the tests
need none of them. torchvision models are built with random weights (weights=None) and
exported in eval mode at opsets 11 and 17 (PyTorch folds each batchnorm into the conv before
it), ResNet-18 and MobileNetV2 also in training mode (batchnorm kept). Some opset-17 exports
are also rewritten to opset 18 (`to_opset18`: torch 1.13 exports up to 17, and Debian's onnx
1.12 has no version converter to 18), for the operators opset 18 changed. Weight data is stripped
from the torchvision exports (written as external data, the .data file then deleted: the
initializers keep their dims, tensors under 1 KiB stay inline), so the fixtures are small; the
small nets keep their weights, for the onnxruntime cross-check.

truths.json, per fixture, from PyTorch (never from convspec):
  torch_params   sum(p.numel() for p in model.parameters())
  torch_buffers  running_mean + running_var elements (num_batches_tracked excluded)
  stored_params  params as the file stores them: in an eval export, batchnorm's γ, β (2·C) are
                 gone and each bias-less conv before one gains a bias (C); asserted here against
                 the file's float initializers
  folded_convs   convs whose bias came from folding a batchnorm (eval exports)
  buffers        buffers as stored (0 once batchnorm is folded)
  macs           forward hooks: Conv out.numel()/N·(Cin/groups)·∏K, ConvTranspose on input
                 positions in.numel()/N·(Cout/groups)·∏K, Linear in·out, MultiheadAttention
                 4·N·C² + 2·N²·C over N tokens
  output_shape   model(x).shape without the batch axis
"""
import argparse
import json
import os

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm
from onnx import helper, numpy_helper
from torchvision.models.shufflenetv2 import channel_shuffle
from torchvision.models.vision_transformer import VisionTransformer


class ReflectNet(nn.Module):
    """Reflect padding: a conv with padding_mode='reflect' and an asymmetric ReflectionPad2d."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, padding_mode="reflect")
        self.pad = nn.ReflectionPad2d((1, 2, 0, 1))
        self.conv2 = nn.Conv2d(8, 8, 3)
        self.pool = nn.MaxPool2d(4)
        self.fc = nn.Linear(8 * 7 * 8, 10)  # 32 → 33 × 35 padded → 31 × 33 → 7 × 8

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = self.pool(self.conv2(self.pad(x)))
        return self.fc(torch.flatten(x, 1))


class CeilNet(nn.Module):
    """Ceil-mode max and average pooling, one window overhanging the input."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.pool2 = nn.AvgPool2d(3, 2, padding=1, ceil_mode=True)
        self.fc = nn.Linear(8 * 9 * 9, 5)  # 36 → 34 → 17 (the last window overhangs) → 9

    def forward(self, x):
        x = self.pool2(self.pool1(torch.relu(self.conv(x))))
        return self.fc(x.view(x.size(0), -1))


class DeconvNet(nn.Module):
    """Transposed convolutions, one with output_padding, grouped."""

    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.up1 = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False)

    def forward(self, x):
        return self.up2(torch.relu(self.up1(torch.relu(self.down(x)))))


class DilatedNet(nn.Module):
    """Dilated convolutions, batchnorm, global pooling by x.mean([2, 3])."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, dilation=2, padding=2)
        self.conv2 = nn.Conv2d(16, 16, 3, dilation=4, padding=4, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv2(torch.relu(self.conv1(x)))))
        return self.fc(x.mean([2, 3]))


class PatternNet(nn.Module):
    """Decomposed ops: LayerNorm (before opset 17), GELU (Erf), SiLU, hardswish, hardsigmoid,
    Linear on channels-last maps (permute / Linear / permute), ReLU6."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.norm = nn.LayerNorm([8, 16, 16])
        self.mix = nn.Linear(8, 12)
        self.conv2 = nn.Conv2d(12, 12, 1)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        x = nn.functional.gelu(self.norm(self.conv(x)))
        x = self.mix(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        x = nn.functional.silu(x)
        x = nn.functional.hardswish(self.conv2(x))
        x = nn.functional.relu6(nn.functional.hardsigmoid(x))
        return self.fc(x.mean([2, 3]))


class ViewNet(nn.Module):
    """Parameter-free data movement, so the importer's layers can be run on the same input as
    onnxruntime and compared by value: chunk (ShuffleNet's split), split into sizes, channel
    shuffle, pixel_unshuffle, interpolate to a size and by a fractional scale, a crop by slicing,
    a permute, and a second output that selects one row."""

    def forward(self, x):  # [8, 16, 16]
        a, b = x.chunk(2, dim=1)
        c, d = torch.relu(b).split([1, 3], dim=1)
        y = channel_shuffle(torch.cat([a, d, c], 1), 2)
        y = F.pixel_unshuffle(y, 2)  # [32, 8, 8]
        y = F.interpolate(y, size=(12, 12), mode="bilinear", align_corners=False)
        y = F.interpolate(y, scale_factor=1.5, mode="nearest")  # 18
        y = y[:, :, 1:-1, 2:]  # [32, 16, 16]
        top, bottom = y.split(8, dim=2)  # Split into equal parts (num_outputs at opset 18)
        y = torch.cat([bottom, top], 2)
        return y.permute(0, 1, 3, 2), y[:, :, 0]


class ResnetBlock(nn.Module):
    """CycleGAN's residual block: reflect pad, conv, instance norm, ReLU, reflect pad, conv, instance norm; x + that."""

    def __init__(self, c):
        super().__init__()
        self.block = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(True),
                                   nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c))

    def forward(self, x):
        return x + self.block(x)


class CycleGanNet(nn.Module):
    """A small CycleGAN / pix2pix ResNet generator (junyanz/pytorch-CycleGAN-and-pix2pix's
    ResnetGenerator with norm_layer=InstanceNorm2d: affine=False, no running statistics, so
    the convs keep their biases): reflect pad 3 + 7×7 conv, two stride-2 downsamplings, two
    residual blocks, two ConvTranspose2d upsamplings, reflect pad 3 + 7×7 conv, tanh."""

    def __init__(self, ngf=8):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
        for i in range(2):
            m = 2 ** i
            layers += [nn.Conv2d(ngf * m, ngf * m * 2, 3, stride=2, padding=1), nn.InstanceNorm2d(ngf * m * 2), nn.ReLU(True)]
        layers += [ResnetBlock(ngf * 4) for _ in range(2)]
        for i in range(2):
            m = 2 ** (2 - i)
            layers += [nn.ConvTranspose2d(ngf * m, ngf * m // 2, 3, stride=2, padding=1, output_padding=1), nn.InstanceNorm2d(ngf * m // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class NormNet(nn.Module):
    """Instance norm (1-, 2-, 3-D, affine or not) and GroupNorm (affine or not, eps), whose
    γ, β keep their fresh 1 and 0 (equal initializers, which the exporter shares through
    Identity nodes); adaptive pooling to sizes that divide the input (exported as plain pools)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1)
        self.in2 = nn.InstanceNorm2d(8, affine=True)
        self.gn = nn.GroupNorm(4, 8)
        self.gn_plain = nn.GroupNorm(2, 8, eps=1e-3, affine=False)
        self.in1 = nn.InstanceNorm1d(8, affine=True, eps=1e-3)
        self.conv1 = nn.Conv1d(8, 8, 1)
        self.in3 = nn.InstanceNorm3d(8)
        self.gn3 = nn.GroupNorm(8, 8)
        self.conv3 = nn.Conv3d(8, 4, 1)
        self.avg = nn.AdaptiveAvgPool2d((4, 2))  # 8 × 8 → 4 × 2: an AveragePool of (2, 4)
        self.max = nn.AdaptiveMaxPool2d(2)  # 4 × 2 → 2 × 2: a MaxPool of (2, 1)
        self.fc = nn.Linear(4 * 2 * 2, 5)

    def forward(self, x):  # [4, 8, 8]
        x = self.gn_plain(torch.relu(self.gn(self.in2(self.conv(x)))))
        x = self.conv1(self.in1(x.flatten(2)))  # [8, 64]
        x = self.conv3(self.gn3(self.in3(x.view(x.size(0), 8, 4, 4, 4))))  # [4, 4, 4, 4]
        x = self.max(self.avg(x.view(x.size(0), 4, 8, 8)))
        return self.fc(x.flatten(1))


TORCHVISION = {
    "resnet18": lambda: tvm.resnet18(weights=None),
    "resnet50": lambda: tvm.resnet50(weights=None),
    "mobilenet_v2": lambda: tvm.mobilenet_v2(weights=None),
    "googlenet": lambda: tvm.googlenet(weights=None, aux_logits=False, init_weights=False),
    "shufflenet_v2": lambda: tvm.shufflenet_v2_x1_0(weights=None),
    "efficientnet_b0": lambda: tvm.efficientnet_b0(weights=None),
    "convnext_tiny": lambda: tvm.convnext_tiny(weights=None),
    "squeezenet": lambda: tvm.squeezenet1_0(weights=None),
}

SMALL = {
    "reflect_net": (ReflectNet, [3, 32, 32]),
    "ceil_net": (CeilNet, [3, 36, 36]),
    "deconv_net": (DeconvNet, [3, 16, 16]),
    "dilated_net": (DilatedNet, [3, 24, 24]),
    "pattern_net": (PatternNet, [3, 16, 16]),
    "view_net": (ViewNet, [8, 16, 16]),
    "cyclegan_net": (CycleGanNet, [3, 32, 32]),
    "norm_net": (NormNet, [4, 8, 8]),
    # torchvision's ViT code (nn.MultiheadAttention, class token, position embedding), small.
    "vit_net": (lambda: VisionTransformer(image_size=16, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32, num_classes=5), [3, 16, 16]),
}

# Outputs other than the one `output` (the models above return one tensor).
OUTPUTS = {"view_net": ["crop", "row"]}

# Opset-17 exports also written at opset 18.
OPSET18 = ("pattern_net", "view_net", "reflect_net", "dilated_net")

# Operators whose `axes` moved from an attribute to an input in opset 18 (ReduceSum did in 13).
REDUCE_AXES_18 = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}


def to_opset18(src, dst):
    """An opset-17 model rewritten to opset 18 by the ONNX changelog (Operators.md): the Reduce
    ops' axes become an int64 input, a Split into equal parts states num_outputs instead of the
    sizes; Pad (optional
    axes), Resize (antialias, axes, keep_aspect_ratio_policy) keep their meaning unchanged."""
    m = onnx.load(src, load_external_data=False)
    g = m.graph
    for k, n in enumerate(g.node):
        attrs = {a.name: a for a in n.attribute}
        if n.op_type in REDUCE_AXES_18 and "axes" in attrs:
            name = f"{n.name or n.output[0]}_axes18_{k}"
            g.initializer.append(numpy_helper.from_array(__import__("numpy").array(list(attrs["axes"].ints), dtype="int64"), name))
            n.input.append(name)
            n.attribute.remove(attrs["axes"])
        if n.op_type != "Split":
            continue
        given = n.input[1] if len(n.input) > 1 else ""
        sizes = [numpy_helper.to_array(t).tolist() for t in g.initializer if t.name == given]
        sizes += [numpy_helper.to_array(c.attribute[0].t).tolist() for c in g.node if c.op_type == "Constant" and c.output[0] == given]
        if given == "" or (sizes and len(set(sizes[0])) == 1):
            # Equal parts: Split-18 states their number instead of the sizes.
            del n.input[1:]
            n.attribute.append(helper.make_attribute("num_outputs", len(n.output)))
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = 18
    onnx.save(m, dst)



def randomize_norms(model):
    """Batchnorm statistics away from their fresh values (γ 1, β 0, mean 0, var 1), so every folded
    bias differs and the exporter cannot merge equal initializers, as in a trained model."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_()
                m.running_mean.normal_()
                m.running_var.uniform_(0.5, 2.0)


def macs_of(model, x):
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.ConvTranspose2d) or isinstance(m, nn.ConvTranspose1d) or isinstance(m, nn.ConvTranspose3d):
            k = 1
            for v in m.kernel_size:
                k *= v
            total[0] += inp[0].numel() // inp[0].shape[0] * (m.out_channels // m.groups) * k
        elif isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            k = 1
            for v in m.kernel_size:
                k *= v
            total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * k
        elif isinstance(m, nn.MultiheadAttention):
            # Its projections run inside F.multi_head_attention_forward, which no hook sees:
            # q, k, v and out (4·N·C² for N tokens of C) plus q·kᵀ and the weighted sum (2·N²·C),
            # as scripts/zoo-truths.py counts them.
            n, c = out[0].shape[-2], out[0].shape[-1]
            total[0] += 4 * n * c * c + 2 * n * n * c
        elif isinstance(m, nn.Linear) and not isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            rows = inp[0].numel() // inp[0].shape[-1]  # Linear on channels-last maps runs per position
            total[0] += rows * m.in_features * m.out_features // inp[0].shape[0]

    hs = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        out = model(x)
    for h in hs:
        h.remove()
    return total[0], (tuple(out) if isinstance(out, tuple) else list(out.shape[1:]))


def stored_float_numel(path):
    m = onnx.load(path, load_external_data=False)
    return sum(int(torch.tensor(list(t.dims)).prod().item()) if len(t.dims) else 1 for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)


def strip(path):
    """Re-saves with every tensor ≥ 1 KiB as external data, then deletes the data file."""
    m = onnx.load(path)
    data = os.path.basename(path) + ".data"
    onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data, size_threshold=1024)
    os.remove(os.path.join(os.path.dirname(path), data))


def export(model, shape, path, opset, train, fold=True, outputs=("output",)):
    x = torch.randn(1, *shape)
    mode = torch.onnx.TrainingMode.TRAINING if train else torch.onnx.TrainingMode.EVAL
    axes = {name: {0: "batch"} for name in ("image", *outputs)}
    torch.onnx.export(model, x, path, opset_version=opset, training=mode, do_constant_folding=fold and not train,
                      input_names=["image"], output_names=list(outputs), dynamic_axes=axes)


def truths_for(model, shape, train):
    params = sum(p.numel() for p in model.parameters())
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    buffers = sum(m.running_mean.numel() + m.running_var.numel() for m in bns)
    bn_channels = sum(m.num_features for m in bns)
    model.eval()
    macs, out = macs_of(model, torch.randn(1, *shape))
    if isinstance(out, tuple):
        out = [list(o.shape[1:]) for o in out]
    stored = params if train else params - 2 * bn_channels + bn_channels
    return {"torch_params": params, "torch_buffers": buffers, "stored_params": stored,
            "buffers": buffers if train else 0, "folded_convs": 0 if train else len(bns),
            "macs": macs, "output_shape": out, "input_shape": shape}


def write_truths(path, truths):
    with open(path, "w") as f:
        json.dump(truths, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="test/fixtures/onnx")
    ap.add_argument("--only", help="comma-separated model names to regenerate (truths.json keeps the others)")
    ap.add_argument("--vgg16", help="also write a full-weight VGG-16 export here (for bench/onnx_import.ts; not committed)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    truths_path = os.path.join(args.out, "truths.json")
    truths = {}
    if args.only and os.path.exists(truths_path):
        with open(truths_path) as f:
            truths = json.load(f)
        for t in truths.values():
            t.pop("unrepresentable_params", None)  # ConvNeXt's layer scale and LayerNorm2d now import
    # (name, constructor, input shape, opset, training mode, strip weights, suffix, constant folding)
    jobs = [(n, f, [3, 224, 224], o, False, True, "", True) for n, f in TORCHVISION.items() for o in (11, 17)]
    jobs += [(n, TORCHVISION[n], [3, 224, 224], 13, True, True, "_train", False) for n in ("resnet18", "mobilenet_v2")]
    jobs += [(n, c, s, o, False, False, "", True) for n, (c, s) in SMALL.items() for o in (11, 17)]
    # Without constant folding the exporter computes reflect-pad amounts and view shapes with
    # Shape/Gather/ConstantOfShape/Concat/Reshape/Slice/Transpose/Cast nodes: the importer folds them.
    jobs += [(n, SMALL[n][0], SMALL[n][1], 11, False, False, "_nofold", False) for n in ("reflect_net", "ceil_net")]
    if args.only:
        jobs = [j for j in jobs if j[0] in args.only.split(",")]
    for name, ctor, shape, opset, train, do_strip, suffix, fold in jobs:
        file = f"{name}_op{opset}{suffix}.onnx"
        path = os.path.join(args.out, file)
        model = ctor()
        randomize_norms(model)
        model.train() if train else model.eval()
        export(model, shape, path, opset, train, fold, OUTPUTS.get(name, ("output",)))
        t = truths_for(model, shape, train)
        got = stored_float_numel(path)
        # The file's float initializers hold the stored params, the buffers, and small constants.
        t["file_float_numel"] = got
        if do_strip:
            strip(path)
        truths[file] = t
        write_truths(truths_path, truths)
        print(f"{file}: params {t['torch_params']:,} stored {t['stored_params']:,} file floats {got:,} macs {t['macs']:,} out {t['output_shape']}", flush=True)
    # Opset 18 from each opset-17 file there is (this run's or an earlier one's), same truths.
    for name in OPSET18:
        src = os.path.join(args.out, f"{name}_op17.onnx")
        if os.path.exists(src) and f"{name}_op17.onnx" in truths:
            to_opset18(src, src.replace("_op17", "_op18"))
            truths[f"{name}_op18.onnx"] = dict(truths[f"{name}_op17.onnx"])
            print(f"{name}_op18.onnx: rewritten from {name}_op17.onnx", flush=True)
    write_truths(truths_path, truths)
    if args.vgg16:
        torch.onnx.export(tvm.vgg16(weights=None).eval(), torch.randn(1, 3, 224, 224), args.vgg16, opset_version=17, input_names=["image"])
        print(f"wrote {args.vgg16} ({os.path.getsize(args.vgg16):,} bytes)")


if __name__ == "__main__":
    main()
