# bench_evaluate.py
# The python3-torch side of bench-evaluate: the evaluation script a user writes, timed; prints JSON.
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: bench_evaluate.py make-model OUT
       bench_evaluate.py run MODEL DATA_DIR THREADS BATCH RUNS

make-model: a small CNN (conv 16 + batch norm, conv 32, linear 128, linear 10) for 1×28×28 input,
            seeded, saved with torch.jit.save(torch.jit.script(...)).
run: what a user's evaluation script does on Fashion-MNIST's test split, timed from after the imports:
  end_to_end  a Dataset reading the gzip IDX files with NumPy (ToTensor's scaling per item), a DataLoader
              at BATCH, torch.jit.load, no_grad, softmax, keeping predictions, top-5, p(true) and the
              logits in NumPy, the accuracy;
  forward     instances/s of the forward pass alone over the pre-made batches (best of 3 passes);
  latency     batch-1 forward, p50 and p95 in ms over RUNS runs after 20 warm-up runs;
  peak_rss    ru_maxrss in bytes.
"""
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


class FashionMNIST(Dataset):
    def __init__(self, data_dir):
        self.images = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
        self.labels = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz"), 8).astype(np.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        # what torchvision's ToTensor() gives: float32 1×28×28 in [0, 1]
        return torch.from_numpy(self.images[i].astype(np.float32) / 255.0).unsqueeze(0), int(self.labels[i])


def make_model(out):
    torch.manual_seed(0)
    model = SmallCNN().eval()
    with torch.no_grad():
        model.features[1].running_mean.uniform_(-0.5, 0.5)
        model.features[1].running_var.uniform_(0.5, 2.0)
    torch.jit.save(torch.jit.script(model), out)


def run(model_path, data_dir, threads, batch, runs):
    torch.set_num_threads(threads)

    start = time.perf_counter()
    dataset = FashionMNIST(data_dir)
    loader = DataLoader(dataset, batch_size=batch, shuffle=False, num_workers=0)
    model = torch.jit.load(model_path).eval()
    predictions, top5s, p_true, logits = [], [], [], []
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            p = torch.softmax(out, dim=1)
            predictions.append(out.argmax(dim=1).numpy())
            top5s.append(out.topk(5, dim=1).indices.numpy())
            p_true.append(p[torch.arange(len(y)), y].numpy())
            logits.append(out.numpy())
    predictions = np.concatenate(predictions)
    top5s = np.concatenate(top5s)
    p_true = np.concatenate(p_true)
    logits = np.concatenate(logits)
    correct = int((predictions == dataset.labels).sum())
    end_to_end = time.perf_counter() - start

    images = torch.from_numpy(dataset.images.astype(np.float32) / 255.0).unsqueeze(1)
    batches = [images[i:i + batch] for i in range(0, len(images), batch)]
    best = float("inf")
    with torch.no_grad():
        for b in batches:
            model(b)
        for _ in range(3):
            t = time.perf_counter()
            for b in batches:
                model(b)
            best = min(best, time.perf_counter() - t)

        one = images[:1].clone()
        for _ in range(20):
            model(one)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            model(one)
            times.append((time.perf_counter() - t) * 1e3)

    print(json.dumps({
        "n": len(dataset), "correct": correct, "end_to_end": end_to_end,
        "forward": len(images) / best,
        "latency_p50": float(np.percentile(times, 50)), "latency_p95": float(np.percentile(times, 95)),
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make-model":
        make_model(sys.argv[2])
    elif len(sys.argv) == 7 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
