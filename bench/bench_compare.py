# bench_compare.py
# The NumPy side of bench-compare: writes seeded prediction arrays as raw files, times NumPy on them, prints JSON.
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: bench_compare.py DIR N K

Writes DIR/{labels,pb,pm}.i2 (int16 [N]), DIR/{zb,zm}.f2 (float16 [N, K]), DIR/{ptb,ptm}.f4 (float32 [N]),
then times, best of several runs, what bench-compare times in C on the same arrays:
- counts: change matrix, confusion matrices of B and M and their difference, flip summary,
  per-class accuracy of each and the delta;
- kl: KL(B‖M) in bits of the softmax of the float16 logits (float32 arithmetic) and Δ p(true);
- page: the first 50 instances by KL, largest first (argpartition + argsort of those).
Prints one JSON object with the times in seconds and check values.
"""
import json
import os
import sys
import time

import numpy as np


def best(f, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    d, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(12345)
    labels = rng.integers(0, k, n).astype(np.int16)
    z = rng.normal(0.0, 2.0, (n, k)).astype(np.float32)
    z[np.arange(n), labels] += 3.0
    zm = (z + rng.normal(0.0, 0.7, (n, k))).astype(np.float32)
    zb16, zm16 = z.astype(np.float16), zm.astype(np.float16)
    pb = np.argmax(z, axis=1).astype(np.int16)
    pm = np.argmax(zm, axis=1).astype(np.int16)

    def softmax_true(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return (e[np.arange(n), labels] / e.sum(axis=1)).astype(np.float32)

    ptb, ptm = softmax_true(z), softmax_true(zm)
    for name, a in [("labels.i2", labels), ("pb.i2", pb), ("pm.i2", pm), ("zb.f2", zb16), ("zm.f2", zm16),
                    ("ptb.f4", ptb), ("ptm.f4", ptm)]:
        a.tofile(os.path.join(d, name))

    def counts():
        l, b, m = labels.astype(np.int32), pb.astype(np.int32), pm.astype(np.int32)
        change = np.bincount(b * k + m, minlength=k * k).reshape(k, k)
        conf_b = np.bincount(l * k + b, minlength=k * k).reshape(k, k)
        conf_m = np.bincount(l * k + m, minlength=k * k).reshape(k, k)
        delta = conf_m - conf_b
        bc, mc, same = b == l, m == l, b == m
        flips = {"both_correct": int((bc & mc).sum()), "broken": int((bc & ~mc).sum()),
                 "fixed": int((~bc & mc).sum()), "both_wrong_same": int((~bc & ~mc & same).sum()),
                 "both_wrong_different": int((~bc & ~mc & ~same).sum()), "agree": int(np.trace(change))}
        count = conf_b.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            acc_b = np.diag(conf_b) / count
            acc_m = np.diag(conf_m) / count
        return flips, int(delta.sum()), acc_m - acc_b

    def kl():
        b, m = zb16.astype(np.float32), zm16.astype(np.float32)
        lb = b - b.max(axis=1, keepdims=True)
        lb -= np.log(np.exp(lb).sum(axis=1, keepdims=True))
        lm = m - m.max(axis=1, keepdims=True)
        lm -= np.log(np.exp(lm).sum(axis=1, keepdims=True))
        kl_bits = (np.exp(lb) * (lb - lm)).sum(axis=1) * np.float32(1 / np.log(2))
        return kl_bits, ptm - ptb

    t_counts, (flips, _, _) = best(counts, 5)
    t_kl, (kl_bits, dprob) = best(kl, 3)

    def page():
        top = np.argpartition(-kl_bits, 50)[:50]
        return top[np.argsort(-kl_bits[top], kind="stable")]

    t_page, first = best(page, 5)
    print(json.dumps({"counts_s": t_counts, "kl_s": t_kl, "page_s": t_page, "flips": flips,
                      "kl_mean": float(np.mean(kl_bits, dtype=np.float64)),
                      "dprob_mean": float(np.mean(dprob, dtype=np.float64)),
                      "first": [int(i) for i in first[:5]]}))


if __name__ == "__main__":
    main()
