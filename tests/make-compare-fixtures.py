# make-compare-fixtures.py
# Writes seeded prediction arrays of a base model and compared models (.npy), plus Pareto points, for the comparison tests.
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: make-compare-fixtures.py OUTDIR [SEED]

OUTDIR/k10 and OUTDIR/k20 each hold one evaluation per model (base, m1, m2, same) on the same instances:
  labels.npy (int16 [n]), images.npy (uint8 [n, 4, 4], for registering the dataset),
  <model>_predicted.npy (int16 [n]), <model>_top5.npy (int16 [n, 5]), <model>_p_true.npy,
  <model>_p_max.npy (float32 [n]), <model>_logits.npy (float16 [n, k]);
  ties.npy (float32 [n]: a score with many ties, NaN and -0.0, for the paging tests).
k10: 5003 instances (not a multiple of 8), 10 classes, class 7 never occurs; m2 has an infinite logit
(instance 5) and a prediction outside the classes (instance 9); m1 has a logit beyond the half range
(instance 11, stored as inf) and logits in the hundreds (instance 12). k20: 3001 instances, 20 classes.
"same" is an exact copy of the base. OUTDIR/pareto2.npy and pareto3.npy: points with ties, duplicates, NaN.
"""
import os
import sys

import numpy as np


def softmax(z):
    z = z.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def write_model(d, name, z, labels):
    n, k = z.shape
    z = z.astype(np.float32)
    p = softmax(z)
    predicted = np.argmax(z, axis=1).astype(np.int16)
    top5 = np.argsort(-z, axis=1, kind="stable")[:, :5].astype(np.int16)
    if k < 5:
        top5 = np.pad(top5, ((0, 0), (0, 5 - k)), constant_values=-1)
    with np.errstate(over="ignore"):   # beyond the half range: stored as inf, as the engine would
        np.save(os.path.join(d, name + "_logits.npy"), z.astype(np.float16))
    np.save(os.path.join(d, name + "_p_true.npy"), p[np.arange(n), labels].astype(np.float32))
    np.save(os.path.join(d, name + "_p_max.npy"), p.max(axis=1).astype(np.float32))
    np.save(os.path.join(d, name + "_top5.npy"), top5)
    return predicted


def make_set(d, rng, n, k, missing):
    os.makedirs(d, exist_ok=True)
    labels = rng.integers(0, k, n)
    if missing is not None:
        labels[labels == missing] = (missing + 1) % k
    z = rng.normal(0.0, 2.0, (n, k))
    z[np.arange(n), labels] += 3.0
    m1 = z + rng.normal(0.0, 0.6, (n, k))
    m2 = 0.7 * z + rng.normal(0.0, 1.5, (n, k))
    # Logits beyond the half range and near-ties between classes.
    m1[11, :] = 0.0
    m1[11, labels[11]] = 70000.0
    m1[12, :] = rng.normal(0.0, 300.0, k)
    if k == 10:
        m2[5, 2] = np.inf
    np.save(os.path.join(d, "labels.npy"), labels.astype(np.int16))
    np.save(os.path.join(d, "images.npy"), rng.integers(0, 256, (n, 4, 4)).astype(np.uint8))
    for name, logits in (("base", z), ("m1", m1), ("m2", m2), ("same", z.copy())):
        predicted = write_model(d, name, logits, labels)
        if name == "m2" and k == 10:
            predicted[9] = -1
        np.save(os.path.join(d, name + "_predicted.npy"), predicted)
    ties = (rng.integers(-4, 5, n) * 0.25).astype(np.float32)
    ties[rng.random(n) < 0.05] = np.nan
    ties[ties == 0] = np.where(rng.random(int((ties == 0).sum())) < 0.5, -0.0, 0.0)
    np.save(os.path.join(d, "ties.npy"), ties)


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20251128
    rng = np.random.default_rng(seed)
    make_set(os.path.join(out, "k10"), rng, 5003, 10, 7)
    make_set(os.path.join(out, "k20"), rng, 3001, 20, None)
    p2 = rng.integers(0, 12, (60, 2)).astype(np.float64)
    p2[5] = p2[6]                      # a duplicate
    p2[7, 1] = np.nan
    p2[8, 0] = np.nan
    p2[9] = [-np.inf, 5.0]
    p2[10] = [3.0, np.inf]
    np.save(os.path.join(out, "pareto2.npy"), p2)
    p3 = rng.integers(0, 6, (40, 3)).astype(np.float64)
    p3[3] = p3[4]
    p3[10, 2] = np.nan
    np.save(os.path.join(out, "pareto3.npy"), p3)


if __name__ == "__main__":
    main()
