# make-engine-fixtures.py
# Writes the models test-engine evaluates, and what PyTorch computes for them on Fashion-MNIST's test split.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: make-engine-fixtures.py OUTDIR [FASHION_MNIST_DIR]

Writes into OUTDIR:
  cnn-scripted.pt   torch.jit.script of a small CNN (conv+bn, conv, linear), trained briefly (fixed seed)
  mlp-traced.pt     torch.jit.trace of a small MLP, trained briefly
  nan-model.pt      scripted; its outputs are NaN for the brighter images (and +Inf for one class of some)
  wrong-shape.pt    scripted; its first convolution takes 3 channels (32×32 colour images)
  seven-outputs.pt  scripted; 7 classes
  state-dict.pt     torch.save of a plain dict of tensors (weights only)
  expected.json     {model: {n, k, correct, top1, top5, nonfinite}}
  MODEL.logits-f32  float32 [n, k] little-endian: the model's outputs, from torch.jit.load of the file
  MODEL.logits-f16  the same through torch's .half()
  MODEL.predicted   int16 [n]: arg-max ignoring NaN, -1 when a row is all NaN
  MODEL.top5        int16 [n, 5]: best first, NaN never ranked, -1 past the finite ones
  MODEL.p-true      float64 [n]: softmax (float64) of the true class, NaN when a row is not finite
  MODEL.p-max       float64 [n]
  MODEL.gap         float64 [n]: each row's smallest gap between consecutive ranks among its top 6
  labels.i16        int16 [n]
  halves.f32, halves.f16   special values and torch's .half() of them
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic == 2051:
        n, rows, cols = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows, cols)
    assert magic == 2049, path
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=8).reshape(n)


class SmallCNN(nn.Module):
    def __init__(self, in_channels=1, classes=10, side=28):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * (side // 4) ** 2, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class MLP(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, x):
        return self.net(x)


class NaNModel(nn.Module):
    """An MLP whose outputs are NaN for images brighter than a threshold, and +Inf in class 3 for a band."""

    def __init__(self, mlp: MLP):
        super().__init__()
        self.mlp = mlp

    def forward(self, x):
        logits = self.mlp(x)
        brightness = x.mean(dim=(1, 2, 3))
        nan_rows = (brightness > 0.45).unsqueeze(1).expand_as(logits)
        logits = torch.where(nan_rows, torch.full_like(logits, float("nan")), logits)
        inf_rows = ((brightness > 0.40) & (brightness <= 0.45)).unsqueeze(1)
        column = torch.zeros_like(logits, dtype=torch.bool)
        column[:, 3] = True
        return torch.where(inf_rows & column, torch.full_like(logits, float("inf")), logits)


def train(model, images, labels, steps, seed):
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(0, images.shape[0], (64,), generator=g)
        loss = nn.functional.cross_entropy(model(images[idx]), labels[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    return model


def rank(row):
    """Classes by decreasing value, NaN never ranked, ties by class index (as torch.argmax)."""
    finite = [j for j in range(len(row)) if not np.isnan(row[j])]
    return sorted(finite, key=lambda j: (-row[j], j))


def evaluate(path, images, labels, outdir, name):
    model = torch.jit.load(path).eval()
    outs = []
    with torch.no_grad():
        for start in range(0, images.shape[0], 256):
            outs.append(model(images[start:start + 256]))
    logits = torch.cat(outs).float()
    z = logits.numpy()
    n, k = z.shape
    predicted = np.full(n, -1, dtype=np.int16)
    top5 = np.full((n, 5), -1, dtype=np.int16)
    gap = np.full(n, np.inf)
    for i in range(n):
        order = rank(z[i])
        for j, c in enumerate(order[:5]):
            top5[i, j] = c
        if order:
            predicted[i] = order[0]
        vals = [z[i, c] for c in order[:6]]
        if len(vals) > 1:
            gap[i] = float(np.min(np.abs(np.diff(np.asarray(vals, dtype=np.float64)))))
    finite = np.isfinite(z).all(axis=1)
    p = torch.softmax(logits.double(), dim=1).numpy()
    p_true = np.where(finite, p[np.arange(n), labels], np.nan)
    p_max = np.where(finite, p.max(axis=1), np.nan)

    z.astype("<f4").tofile(os.path.join(outdir, name + ".logits-f32"))
    logits.half().numpy().view(np.uint16).astype("<u2").tofile(os.path.join(outdir, name + ".logits-f16"))
    predicted.astype("<i2").tofile(os.path.join(outdir, name + ".predicted"))
    top5.astype("<i2").tofile(os.path.join(outdir, name + ".top5"))
    p_true.astype("<f8").tofile(os.path.join(outdir, name + ".p-true"))
    p_max.astype("<f8").tofile(os.path.join(outdir, name + ".p-max"))
    gap.astype("<f8").tofile(os.path.join(outdir, name + ".gap"))
    correct = int((predicted == labels).sum())
    in_top5 = int((top5 == labels[:, None]).any(axis=1).sum())
    return {"n": n, "k": k, "correct": correct, "top1": correct / n, "top5": in_top5 / n,
            "nonfinite": int((~finite).sum())}


def main():
    outdir = sys.argv[1]
    data = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)

    train_x = torch.from_numpy(read_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))[:8000].astype(np.float32) / 255.0).unsqueeze(1)
    train_y = torch.from_numpy(read_idx(os.path.join(data, "train-labels-idx1-ubyte.gz"))[:8000].astype(np.int64))
    test_x = torch.from_numpy(read_idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0).unsqueeze(1)
    test_y = read_idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    test_y.astype("<i2").tofile(os.path.join(outdir, "labels.i16"))

    cnn = train(SmallCNN(), train_x, train_y, steps=150, seed=1)
    torch.jit.save(torch.jit.script(cnn), os.path.join(outdir, "cnn-scripted.pt"))
    mlp = train(MLP(), train_x, train_y, steps=150, seed=2)
    torch.jit.save(torch.jit.trace(mlp, train_x[:4]), os.path.join(outdir, "mlp-traced.pt"))
    torch.jit.save(torch.jit.script(NaNModel(mlp)), os.path.join(outdir, "nan-model.pt"))
    torch.jit.save(torch.jit.script(SmallCNN(in_channels=3, side=32).eval()), os.path.join(outdir, "wrong-shape.pt"))
    torch.jit.save(torch.jit.script(MLP(classes=7).eval()), os.path.join(outdir, "seven-outputs.pt"))
    torch.save(dict(cnn.state_dict()), os.path.join(outdir, "state-dict.pt"))

    expected = {}
    for name in ("cnn-scripted", "mlp-traced", "nan-model"):
        expected[name] = evaluate(os.path.join(outdir, name + ".pt"), test_x, test_y, outdir, name)

    specials = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 65519.0, 65520.0, 1e6, -1e6,
                         2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 2.0 ** -26, 5.9e-8, 1e-10,
                         np.inf, -np.inf, np.nan, 0.1, 1.0 / 3, 2049.0, 2051.0, 4097.0, 6.1e-5],
                        dtype=np.float32)
    rng = np.random.default_rng(7)
    values = np.concatenate([specials, rng.standard_normal(20000).astype(np.float32) * 10,
                             (rng.standard_normal(5000) * 1e-5).astype(np.float32)])
    values.astype("<f4").tofile(os.path.join(outdir, "halves.f32"))
    torch.from_numpy(values).half().numpy().view(np.uint16).astype("<u2").tofile(os.path.join(outdir, "halves.f16"))

    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
