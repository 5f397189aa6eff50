# bench_operations.py
# The python3-torch side of bench-operations: one training epoch of the same small CNN, as a user's script does it; prints JSON.
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: bench_operations.py epoch DATA_DIR THREADS BATCH

Builds torch.nn's twin of the app's small CNN (conv 16 + BN, conv 32 + BN, linear 128, linear 10),
seeded, and trains it one epoch with Adam (learning rate 2e-3) on Fashion-MNIST's 60,000 training
images in batches of BATCH, shuffled with torch.randperm, THREADS intra-op threads (the data is
held in one tensor, as the app holds it). Prints {"seconds": epoch time, "accuracy": test top-1}.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(data_dir, prefix):
    with gzip.open(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(images.astype(np.float32) / np.float32(255)), torch.from_numpy(labels)


def main():
    if len(sys.argv) != 5 or sys.argv[1] != "epoch":
        sys.exit(__doc__)
    data_dir, threads, batch = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images, labels = load(data_dir, "train")
    test_images, test_labels = load(data_dir, "t10k")

    model = nn.Module()
    model.features = nn.Sequential(nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                                   nn.Conv2d(16, 32, 3), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
    model.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(images))
    for k in range(0, len(images), batch):
        index = order[k:k + batch]
        out = model.classifier(model.features(images[index]))
        loss = F.cross_entropy(out, labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        out = torch.cat([model.classifier(model.features(test_images[k:k + 256]))
                         for k in range(0, len(test_images), 256)])
    accuracy = float((out.argmax(1) == test_labels).float().mean())
    print(json.dumps({"seconds": seconds, "accuracy": accuracy}))


if __name__ == "__main__":
    main()
