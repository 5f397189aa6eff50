# make-cka-fixtures.py
# Writes the TorchScript models test-cka reads, their submodules' outputs from PyTorch forward hooks, and NumPy CKA.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: make-cka-fixtures.py OUTDIR

Writes into OUTDIR:
  input.f32                 a batch of 6 inputs (6 x 1 x 28 x 28 float32, little-endian)
  <model>.pt                TorchScript models:
    resnet-scripted.pt      a small ResNet-like model (BasicBlocks: shared in-place ReLU called twice,
                            `out += identity`), torch.jit.script
    resnet-traced.pt        the same, torch.jit.trace
    cnn-scripted.pt         a Sequential CNN (in-place ReLU, max pool, dropout, flatten, nn.Identity)
    cnn-traced.pt           the same, torch.jit.trace
    cnn-pruned-scripted.pt  the CNN with half of its conv weights set to zero (a different model, same layers)
    cnn-wide-scripted.pt    the CNN with wider layers (same module names, other widths)
    cnn-zero-scripted.pt    the CNN whose first convolution is all zero (constant activations after it)
    quant-traced.pt         the CNN with its Linear layers dynamically quantized (qint8), traced
    frozen.pt               the CNN after torch.jit.freeze (no submodules left)
  cnn-state.pt              torch.save(dict(cnn.state_dict())): weights only, nothing to run
  <model>.<module>.f32      each submodule's output on input.f32, captured by a forward hook (a clone
                            taken when the hook fires; the last call for modules called twice)
  expected.json             {"input_shape": [...], "models": {model: {"modules": {name: shape-or-null}}},
                             "cka": {...}}: see make_cka_expectations()

With --dataset-sample N it also reads Fashion-MNIST's test split the way the built-in dataset does
(gzip IDX, pixel / 255), takes the sample of N instances i * 10000 // N, and writes into
expected.json["cka"] the linear CKA (NumPy, float64) and the relative change of activations of
each model pair test-cka compares through the CLI: {"samples": N, "pairs": {"BASE:MODEL": {module:
{cka, relative_change, features_base, features_model}}}} (null: undefined), modules named as in the
eager models (cnn = cnn-scripted.pt, quant = quant-traced.pt, ...).
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)
torch.backends.quantized.engine = "qnnpack"


class Block(nn.Module):
    """torchvision's BasicBlock: one ReLU module called twice, in place, after `out += identity`."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out += identity
        out = self.relu(out)
        return out


class ResNetLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                  nn.ReLU(inplace=True))
        self.layer1 = nn.Sequential(Block(8), Block(8))
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.layer1(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class CNN(nn.Module):
    def __init__(self, c1=8, c2=16, hidden=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.skip = nn.Identity()
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * 7 * 7, hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(hidden, 10),
        )

    def forward(self, x):
        return self.classifier(self.skip(self.features(x)))


def randomize_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return model.eval()


def hook_outputs(model, x):
    """Every named submodule's output, as forward hooks see it (cloned when the hook fires)."""
    store = {}
    handles = []
    for name, module in model.named_modules():
        if not name:
            continue

        def hook(m, inputs, output, name=name):
            if isinstance(output, torch.Tensor):
                store[name] = output.detach().clone()
            else:
                store[name] = None
        handles.append(module.register_forward_hook(hook))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return store


def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def save_model(outdir, name, eager, scripted_or_traced, x, expected):
    path = os.path.join(outdir, name + ".pt")
    torch.jit.save(scripted_or_traced, path)
    outputs = hook_outputs(eager, x)
    modules = {}
    for module, out in outputs.items():
        if out is None:
            modules[module] = None
            continue
        modules[module] = list(out.shape[1:])
        write_f32(os.path.join(outdir, "%s.%s.f32" % (name, module)), out.numpy())
    expected["models"][name] = {"modules": modules,
                                "order": [n for n, _ in eager.named_modules() if n]}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def linear_cka(a, b):
    """Linear CKA of two activation matrices (rows = instances), in float64: centered Gram matrices."""
    a = a.reshape(a.shape[0], -1).astype(np.float64)
    b = b.reshape(b.shape[0], -1).astype(np.float64)
    ca = a - a.mean(axis=0)
    cb = b - b.mean(axis=0)
    # Outputs equal up to float32 rounding are constant: CKA is undefined.
    for raw, centered in ((a, ca), (b, cb)):
        if np.sqrt((centered ** 2).sum()) <= 1e-5 * np.sqrt((raw ** 2).sum()):
            return None
    a, b = ca, cb
    k = a @ a.T
    l = b @ b.T
    nk = np.sqrt((k * k).sum())
    nl = np.sqrt((l * l).sum())
    if nk == 0 or nl == 0:
        return None
    return float((k * l).sum() / (nk * nl))


def relative_change(a, b):
    a = a.reshape(a.shape[0], -1).astype(np.float64)
    b = b.reshape(b.shape[0], -1).astype(np.float64)
    if a.shape != b.shape:
        return None
    na = np.sqrt((a * a).sum())
    nd = np.sqrt(((b - a) ** 2).sum())
    if na == 0:
        return 0.0 if nd == 0 else None
    return float(nd / na)


def make_cka_expectations(eager_models, n):
    images = read_idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    size = images.shape[0]
    idx = [(i * size) // n for i in range(n)]
    x = torch.from_numpy(images[idx].astype(np.float32) / np.float32(255))
    acts = {name: hook_outputs(model, x) for name, model in eager_models.items()}
    pairs = [("cnn", "cnn-pruned"), ("cnn", "cnn"), ("cnn", "cnn-wide"), ("cnn", "cnn-zero"),
             ("cnn", "quant")]
    result = {"samples": n, "pairs": {}}
    for base, model in pairs:
        layers = {}
        for name, a in acts[base].items():
            b = acts[model].get(name)
            if a is None or b is None:
                continue
            layers[name] = {"cka": linear_cka(a.numpy(), b.numpy()),
                            "relative_change": relative_change(a.numpy(), b.numpy()),
                            "features_base": int(np.prod(a.shape[1:])),
                            "features_model": int(np.prod(b.shape[1:]))}
        result["pairs"]["%s:%s" % (base, model)] = layers
    return result


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    x = torch.randn(6, 1, 28, 28)
    write_f32(os.path.join(outdir, "input.f32"), x.numpy())
    expected = {"input_shape": list(x.shape), "models": {}}

    resnet = randomize_bn(ResNetLike())
    save_model(outdir, "resnet-scripted", resnet, torch.jit.script(resnet), x, expected)
    save_model(outdir, "resnet-traced", resnet, torch.jit.trace(resnet, x), x, expected)

    cnn = CNN().eval()
    save_model(outdir, "cnn-scripted", cnn, torch.jit.script(cnn), x, expected)
    save_model(outdir, "cnn-traced", cnn, torch.jit.trace(cnn, x), x, expected)

    pruned = CNN().eval()
    pruned.load_state_dict(cnn.state_dict())
    with torch.no_grad():
        for conv in (pruned.features[0], pruned.features[3]):
            w = conv.weight
            threshold = w.abs().flatten().kthvalue(w.numel() // 2).values
            w[w.abs() <= threshold] = 0
    save_model(outdir, "cnn-pruned-scripted", pruned, torch.jit.script(pruned), x, expected)

    wide = CNN(c1=12, c2=20, hidden=48).eval()
    save_model(outdir, "cnn-wide-scripted", wide, torch.jit.script(wide), x, expected)

    zero = CNN().eval()
    zero.load_state_dict(cnn.state_dict())
    with torch.no_grad():
        zero.features[0].weight.zero_()
        zero.features[0].bias.zero_()
    save_model(outdir, "cnn-zero-scripted", zero, torch.jit.script(zero), x, expected)

    quant = torch.quantization.quantize_dynamic(CNN().eval(), {nn.Linear}, dtype=torch.qint8)
    save_model(outdir, "quant-traced", quant, torch.jit.trace(quant, x), x, expected)

    torch.jit.save(torch.jit.freeze(torch.jit.script(cnn)), os.path.join(outdir, "frozen.pt"))
    torch.save(dict(cnn.state_dict()), os.path.join(outdir, "cnn-state.pt"))

    if len(sys.argv) > 3 and sys.argv[2] == "--dataset-sample":
        expected["cka"] = make_cka_expectations(
            {"cnn": cnn, "cnn-pruned": pruned, "cnn-wide": wide, "cnn-zero": zero,
             "quant": quant}, int(sys.argv[3]))

    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
