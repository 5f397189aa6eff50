# bench_layers.py
# The NumPy side of bench-layers: writes seeded weights and activations as raw files, times NumPy on them, prints JSON.
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: bench_layers.py DIR

Writes into DIR:
  manifest.json     the parameters of a ResNet-50-shaped model (25.5M weights): names and shapes
  base.f32          every parameter of B, concatenated (float32)
  model.f32         M: B magnitude-pruned by 50% per layer, the rest changed by a few percent
  x.f32, y.f32      two 2048 x 4096 activation matrices (float32) for linear CKA
then times, best of several runs, what bench-layers times in C on the same arrays:
  stats     per-parameter statistics of both models (zeros, min, max, mean, std, L1, L2)
  compare   B vs M per parameter: zeros of each, mask overlap, ‖ΔW‖², ‖W_B‖², ‖W_M‖², ⟨W_B, W_M⟩,
            Σ|Δw| and the 31 × 6 histogram of weight value × relative change (bincount)
  cka       linear CKA of x and y: centering, the two Gram matrices (float32 BLAS), then
            ⟨K, L⟩ / (‖K‖ ‖L‖) summed in float64
Prints one JSON object with the times in seconds and check values.
"""
import json
import os
import sys
import time

import numpy as np

VALUE_BINS = 31
CHANGE_EDGES = np.array([0.2, 0.4, 0.6, 0.8, 1.0])


def best(f, runs):
    times = []
    out = None
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def resnet50_shapes():
    shapes = [("conv1.weight", (64, 3, 7, 7)), ("bn1.weight", (64,)), ("bn1.bias", (64,))]
    inplanes = 64
    for stage, blocks in enumerate([3, 4, 6, 3]):
        width = 64 * 2 ** stage
        out = width * 4
        for b in range(blocks):
            p = "layer%d.%d." % (stage + 1, b)
            shapes += [(p + "conv1.weight", (width, inplanes, 1, 1)), (p + "bn1.weight", (width,)),
                       (p + "bn1.bias", (width,)), (p + "conv2.weight", (width, width, 3, 3)),
                       (p + "bn2.weight", (width,)), (p + "bn2.bias", (width,)),
                       (p + "conv3.weight", (out, width, 1, 1)), (p + "bn3.weight", (out,)),
                       (p + "bn3.bias", (out,))]
            if b == 0:
                shapes += [(p + "downsample.0.weight", (out, inplanes, 1, 1)),
                           (p + "downsample.1.weight", (out,)), (p + "downsample.1.bias", (out,))]
            inplanes = out
    shapes += [("fc.weight", (1000, 2048)), ("fc.bias", (1000,))]
    return shapes


def stats(arrays):
    out = []
    for a in arrays:
        a64 = a.astype(np.float64)
        out.append((np.count_nonzero(a == 0), a.min(), a.max(), a64.mean(), a64.std(),
                    np.abs(a64).sum(), np.sqrt(np.dot(a64, a64))))
    return out


def compare(base, model, limit):
    scale = VALUE_BINS / (2.0 * limit)
    total = np.zeros(VALUE_BINS * 6, dtype=np.int64)
    sums = np.zeros(8)
    for b, m in zip(base, model):
        b64 = b.astype(np.float64)
        m64 = m.astype(np.float64)
        d = m64 - b64
        zb, zm = b == 0, m == 0
        vbin = np.clip(np.floor((m64 + limit) * scale), 0, VALUE_BINS - 1).astype(np.intp)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.abs(d) / np.abs(b64)
        cbin = np.searchsorted(CHANGE_EDGES, r, side="right")
        cbin = np.where(d == 0, 0, np.where(zb, 5, cbin))
        hist = np.bincount(vbin * 6 + cbin, minlength=VALUE_BINS * 6)
        total += hist
        sums += (np.count_nonzero(zb), np.count_nonzero(zm), np.count_nonzero(zb & zm),
                 np.dot(b64, b64), np.dot(m64, m64), np.dot(b64, m64), np.dot(d, d),
                 np.abs(d).sum())
    return total, sums


def linear_cka(x, y):
    xc = x - x.mean(axis=0)
    yc = y - y.mean(axis=0)
    k = xc @ xc.T          # float32 BLAS (SYRK)
    l = yc @ yc.T
    # The sums over n² products in float64: in float32 they are off by ~1e-4 at this size.
    k = k.ravel().astype(np.float64)
    l = l.ravel().astype(np.float64)
    return np.dot(k, l) / np.sqrt(np.dot(k, k) * np.dot(l, l))


def main():
    d = sys.argv[1]
    rng = np.random.default_rng(2024)
    shapes = resnet50_shapes()

    base, model = [], []
    for name, shape in shapes:
        n = int(np.prod(shape))
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        b = (rng.standard_normal(n) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        m = (b * (1 + 0.03 * rng.standard_normal(n))).astype(np.float32)
        if len(shape) > 1:
            m[np.abs(b) <= np.median(np.abs(b))] = 0
        base.append(b)
        model.append(m)
    np.concatenate(base).tofile(os.path.join(d, "base.f32"))
    np.concatenate(model).tofile(os.path.join(d, "model.f32"))
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump([{"name": n, "shape": list(s)} for n, s in shapes], f)

    n, dim = 2048, 4096
    x = rng.standard_normal((n, dim), dtype=np.float32)
    y = (x + 0.7 * rng.standard_normal((n, dim), dtype=np.float32)).astype(np.float32)
    x.tofile(os.path.join(d, "x.f32"))
    y.tofile(os.path.join(d, "y.f32"))

    limit = max(max(float(np.abs(a).max()) for a in base), max(float(np.abs(a).max()) for a in model))
    t_stats, _ = best(lambda: stats(base + model), 3)
    t_compare, (hist, sums) = best(lambda: compare(base, model, limit), 3)
    t_cka, cka = best(lambda: linear_cka(x, y), 3)

    print(json.dumps({
        "parameters": int(sum(a.size for a in base)),
        "stats_s": t_stats,
        "compare_s": t_compare,
        "cka_s": t_cka,
        "check": {"zeros_model": int(sums[1]), "sum_sq_diff": float(sums[6]),
                  "histogram_total": int(hist.sum()), "histogram_15_5": int(hist[15 * 6 + 5]),
                  "cka": float(cka)},
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
    }))


if __name__ == "__main__":
    main()
