# compare_reference.py
# The independent NumPy computation of every comparison number the tests check, on the arrays make-compare-fixtures.py wrote.
# SPDX-License-Identifier: GPL-3.0-or-later
"""usage: compare_reference.py DIR

Reads DIR/k10, DIR/k20 and DIR/pareto*.npy; writes DIR/reference.json and, per set and model,
<set>/ref_<model>_scores.npy (float64 [4, n]: kl in bits, dprob, mse, dmargin) and
<set>/ref_<model>_scores32.npy (the same as float32, the input of the paging checks).

Definitions (as documented in src/core/analysis/cnc-prediction-change.h):
- an instance is valid when its label and both predictions lie in 0 … k-1; invalid ones are left out of
  every count;
- change[i][j]: B predicted i, M predicted j; confusions are true × predicted;
- KL(B‖M) in bits of the softmax outputs of the stored float16 logits; NaN when a logit of either
  model is not finite; mse: mean over classes of the squared logit difference (NaN likewise);
- margin = p(true) − max over other classes of p, from the float16 logits; dmargin = margin_M − margin_B;
- dprob = p_true_M − p_true_B, in float32, from the stored float32 probabilities;
- pages: filter, then sort by the score (kl and mse descending, dprob and margin ascending by default),
  ties by instance index, NaN last; instances outside the classes pass only an empty filter.
"""
import json
import os
import sys

import numpy as np

FLIPS = ["both-correct", "both-wrong-same", "both-wrong-different", "broken", "fixed", "changed"]


def num(x):
    x = float(x)
    return None if not np.isfinite(x) else x


def load(d, name):
    return np.load(os.path.join(d, name))


def counts(labels, pb, pm, k):
    valid = (labels >= 0) & (labels < k) & (pb >= 0) & (pb < k) & (pm >= 0) & (pm < k)
    l, b, m = labels[valid].astype(np.int64), pb[valid].astype(np.int64), pm[valid].astype(np.int64)
    change = np.zeros((k, k), np.int64)
    np.add.at(change, (b, m), 1)
    conf_b = np.zeros((k, k), np.int64)
    np.add.at(conf_b, (l, b), 1)
    conf_m = np.zeros((k, k), np.int64)
    np.add.at(conf_m, (l, m), 1)
    bc, mc = b == l, m == l
    nvalid = int(valid.sum())
    class_count = np.bincount(l, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc_b = np.where(class_count > 0, np.diag(conf_b) / np.maximum(class_count, 1), np.nan)
        acc_m = np.where(class_count > 0, np.diag(conf_m) / np.maximum(class_count, 1), np.nan)
    rows = change.sum(axis=1)
    transitions = []
    for i in range(k):
        for j in range(k):
            if i != j and change[i, j] > 0:
                transitions.append({"from": i, "to": j, "count": int(change[i, j]),
                                    "rate": change[i, j] / nvalid, "rate_of_from": change[i, j] / rows[i]})
    transitions.sort(key=lambda t: (-t["count"], t["from"], t["to"]))
    return {
        "n": int(labels.size),
        "valid": nvalid,
        "invalid": int(labels.size - nvalid),
        "change": change.tolist(),
        "confusion_base": conf_b.tolist(),
        "confusion_model": conf_m.tolist(),
        "confusion_delta": (conf_m - conf_b).tolist(),
        "both_correct": int((bc & mc).sum()),
        "both_wrong_same": int((~bc & ~mc & (b == m)).sum()),
        "both_wrong_different": int((~bc & ~mc & (b != m)).sum()),
        "broken": int((bc & ~mc).sum()),
        "fixed": int((~bc & mc).sum()),
        "agree": int((b == m).sum()),
        "agreement": num((b == m).mean()) if nvalid else None,
        "accuracy_base": num(bc.mean()) if nvalid else None,
        "accuracy_model": num(mc.mean()) if nvalid else None,
        "class_count": class_count.tolist(),
        "class_accuracy_base": [num(a) for a in acc_b],
        "class_accuracy_model": [num(a) for a in acc_m],
        "class_accuracy_delta": [num(a) for a in acc_m - acc_b],
        "transitions": [{**t, "rate": float(t["rate"]), "rate_of_from": float(t["rate_of_from"])}
                        for t in transitions],
    }


def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def scores(labels, zb16, zm16, ptb, ptm):
    n, k = zb16.shape
    zb, zm = zb16.astype(np.float64), zm16.astype(np.float64)
    finite = np.isfinite(zb).all(axis=1) & np.isfinite(zm).all(axis=1)
    zb_f, zm_f = np.where(finite[:, None], zb, 0.0), np.where(finite[:, None], zm, 0.0)
    lb, lm = log_softmax(zb_f), log_softmax(zm_f)
    pb, pm = np.exp(lb), np.exp(lm)
    kl = (pb * (lb - lm)).sum(axis=1) / np.log(2.0)
    mse = ((zm_f - zb_f) ** 2).mean(axis=1)
    valid = (labels >= 0) & (labels < k)
    rows = np.arange(n)
    lab = np.where(valid, labels, 0)

    def margin(p):
        other = p.copy()
        other[rows, lab] = -np.inf
        return p[rows, lab] - other.max(axis=1)

    dmargin = margin(pm) - margin(pb)
    kl[~finite] = np.nan
    mse[~finite] = np.nan
    dmargin[~finite | ~valid] = np.nan
    dprob = (ptm.astype(np.float32) - ptb.astype(np.float32)).astype(np.float64)
    dprob[~valid] = np.nan
    return np.stack([kl, dprob, mse, dmargin])


def page(labels, pb, pm, k, key, descending, flt, offset, limit):
    n = labels.size
    idx = np.arange(n)
    mask = np.ones(n, bool)
    if flt:
        valid = (labels >= 0) & (labels < k) & (pb >= 0) & (pb < k) & (pm >= 0) & (pm < k)
        mask &= valid
        bc, mc, same = pb == labels, pm == labels, pb == pm
        if "class" in flt:
            mask &= labels == flt["class"]
        if "cell" in flt:
            mask &= (pb == flt["cell"][0]) & (pm == flt["cell"][1])
        f = flt.get("flip")
        if f == "both-correct":
            mask &= bc & mc
        elif f == "both-wrong-same":
            mask &= ~bc & ~mc & same
        elif f == "both-wrong-different":
            mask &= ~bc & ~mc & ~same
        elif f == "broken":
            mask &= bc & ~mc
        elif f == "fixed":
            mask &= ~bc & mc
        elif f == "changed":
            mask &= ~same
    sel = idx[mask]
    if key is None:
        order = sel[::-1] if descending else sel
    else:
        v = key[sel].astype(np.float64)
        nan = np.isnan(v)
        v = np.where(nan, 0.0, -v if descending else v)
        order = sel[np.lexsort((sel, v, nan))]
    return int(sel.size), [int(i) for i in order[offset:offset + limit]]


SCORE_ROWS = {"kl": 0, "dprob": 1, "mse": 2, "margin": 3}
DEFAULT_DESC = {"kl": True, "mse": True, "dprob": False, "margin": False, "ties": False, "index": False}


def make_queries(labels, pm_b, pm_m, k, s32, ties):
    out = []
    n = labels.size

    def add(score, order, flt, offset, limit):
        key = None if score == "index" else (ties if score == "ties" else s32[SCORE_ROWS[score]])
        desc = DEFAULT_DESC[score] if order == "default" else order == "desc"
        count, idx = page(labels, pm_b, pm_m, k, key, desc, flt, offset, limit)
        out.append({"score": score, "order": order, "filter": flt, "offset": offset, "limit": limit,
                    "count": count, "indices": idx})

    for score in ["kl", "dprob", "mse", "margin", "ties", "index"]:
        for order in ["default", "asc", "desc"]:
            add(score, order, {}, 0, 30)
    add("kl", "default", {}, 0, n)
    add("ties", "asc", {}, 0, n)
    add("ties", "desc", {}, 0, n)
    add("index", "desc", {}, 0, n)
    for offset, limit in [(0, 100), (256, 100), (300, 700), (n - 10, 100), (n + 5, 10)]:
        add("ties", "default", {}, offset, limit)
    valid = (pm_b >= 0) & (pm_b < k) & (pm_m >= 0) & (pm_m < k) & (pm_b != pm_m)
    change = np.zeros((k, k), np.int64)
    np.add.at(change, (pm_b[valid].astype(np.int64), pm_m[valid].astype(np.int64)), 1)
    i, j = np.unravel_index(np.argmax(change), change.shape)
    cell = [int(i), int(j)]
    for flt in [{"cell": cell}, {"class": 3}, {"class": 7}, {"class": 3, "flip": "broken"},
                {"cell": cell, "class": int(i)}, {"cell": [int(j), int(i)], "flip": "both-wrong-different"}] + \
               [{"flip": f} for f in FLIPS]:
        add("kl", "default", flt, 0, 40)
        add("ties", "default", flt, 5, 60)
    return out


def pareto(points, higher):
    n, d = points.shape
    s = np.where(np.array(higher)[None, :], points, -points)
    ok = ~np.isnan(points).any(axis=1)
    front, dominated_by = [], []
    for i in range(n):
        doms = []
        if ok[i]:
            for j in range(n):
                if j != i and ok[j] and (s[j] >= s[i]).all() and (s[j] > s[i]).any():
                    doms.append(j)
            if not doms:
                front.append(i)
        dominated_by.append(doms)
    return front, dominated_by


def main():
    top = sys.argv[1]
    ref = {"sets": {}, "pareto": []}
    for set_name in ["k10", "k20"]:
        d = os.path.join(top, set_name)
        labels = load(d, "labels.npy")
        k = load(d, "base_logits.npy").shape[1]
        ties = load(d, "ties.npy")
        pred = {m: load(d, m + "_predicted.npy") for m in ["base", "m1", "m2", "same"]}
        entry = {"k": int(k), "n": int(labels.size), "models": {}}
        for m in ["m1", "m2", "same"]:
            s = scores(labels, load(d, "base_logits.npy"), load(d, m + "_logits.npy"),
                       load(d, "base_p_true.npy"), load(d, m + "_p_true.npy"))
            np.save(os.path.join(d, "ref_%s_scores.npy" % m), s)
            s32 = s.astype(np.float32)
            np.save(os.path.join(d, "ref_%s_scores32.npy" % m), s32)
            c = counts(labels, pred["base"], pred[m], k)
            c["queries"] = make_queries(labels, pred["base"], pred[m], k, s32, ties) if m != "same" else []
            with np.errstate(invalid="ignore"):
                c["score_means"] = {name: num(np.nanmean(s[row])) for name, row in
                                    [("kl_bits", 0), ("dprob", 1), ("mse", 2), ("dmargin", 3)]}
                c["score_max"] = {name: num(np.nanmax(s[row])) for name, row in
                                  [("kl_bits", 0), ("dprob", 1), ("mse", 2), ("dmargin", 3)]}
            c["score_counts"] = {name: int((~np.isnan(s[row])).sum()) for name, row in
                                 [("kl_bits", 0), ("dprob", 1), ("mse", 2), ("dmargin", 3)]}
            entry["models"][m] = c
        ref["sets"][set_name] = entry
    for name, higher in [("pareto2.npy", [True, False]), ("pareto2.npy", [True, True]),
                         ("pareto3.npy", [True, False, True]), ("pareto3.npy", [False, False, False])]:
        pts = load(top, name)
        front, dom = pareto(pts, higher)
        # JSON has no infinities: they travel as the strings "inf" and "-inf"; NaN as null.
        ref["pareto"].append({"points": [[num(v) if not np.isinf(v) else ("inf" if v > 0 else "-inf") for v in row]
                                         for row in pts.tolist()],
                              "higher": higher, "front": front, "dominated_by": dom})
    with open(os.path.join(top, "reference.json"), "w") as f:
        json.dump(ref, f, allow_nan=False)


if __name__ == "__main__":
    main()
