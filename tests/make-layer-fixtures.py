# make-layer-fixtures.py
# Writes model pairs for test-layers (pruned, fine-tuned, quantized, float16, all-zero, other architecture) and
# their layer changes computed independently with NumPy.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: make-layer-fixtures.py OUTDIR

Models (OUTDIR/<name>.<ext>):
  base.pt           torch.jit.script of a small CNN (conv, batch norm, linear); a few weights exactly 0
  pruned.pt         base after global magnitude pruning of 50% of conv/linear weights (prune + remove),
                    three of base's zero weights made non-zero again ("revived"), traced
  finetuned.pt      pruned with every non-zero weight changed by up to ±150% (relative changes in
                    every bin), scripted
  quant.pt          base with its Linear layers dynamically quantized (qint8, qnnpack), scripted
  state.pt          torch.save(dict(base.state_dict())): buffers too, num_batches_tracked (int64)
  half.safetensors  base's parameters as float16 (safetensors written by hand)
  zero.pt           base whose classifier.1.weight is all zero, scripted
  other.pt          another architecture: wider classifier.1, an extra layer, no batch norm, scripted
  frozen.pt         torch.jit.freeze of base (keeps no named weights)
  spare.pt          another CNN, which test-layers damages after importing it

expected.json: {"groups": [{"base": B, "models": [M...], "comparisons": [comparison...]}]} where each
comparison (of M against B, on the value scale of the whole group) holds value_limit, parameters (in the base's order, each with every metric and its 31 x 6 histogram),
modules (pre-order, every metric) and base_only, model_only, base_skipped, model_skipped, all
computed here with NumPy in float64 from the weights as libtorch gives them.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.utils.prune as prune

torch.manual_seed(1)
np.random.seed(1)
torch.backends.quantized.engine = "qnnpack"

VALUE_BINS = 31
CHANGE_EDGES = [0.2, 0.4, 0.6, 0.8, 1.0]


class CNN(nn.Module):
    def __init__(self, hidden=32, extra=False, bn=True):
        super().__init__()
        layers = [nn.Conv2d(1, 8, 3, padding=1)]
        if bn:
            layers.append(nn.BatchNorm2d(8))
        layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.ReLU(),
                   nn.AdaptiveAvgPool2d(4)]
        self.features = nn.Sequential(*layers)
        head = [nn.Flatten(), nn.Linear(256, hidden), nn.ReLU(), nn.Linear(hidden, 10)]
        if extra:
            head += [nn.ReLU(), nn.Linear(10, 10)]
        self.classifier = nn.Sequential(*head)

    def forward(self, x):
        return self.classifier(self.features(x))


def named_weights_torchscript(module):
    """What the shim reads from a TorchScript file: parameters, then packed quantized Linear weights."""
    out = [(n, p.detach()) for n, p in module.named_parameters()]
    for name, m in module.named_modules():
        if hasattr(m, "_packed_params") and hasattr(m._packed_params, "_weight_bias"):
            w, b = m._packed_params._weight_bias()
            prefix = name + "." if name else ""
            out.append((prefix + "weight", w))
            if b is not None:
                out.append((prefix + "bias", b))
    return out


def as_float32(t):
    if t.is_quantized:
        t = t.dequantize()
    return t.detach().to(torch.float32).contiguous().numpy().astype(np.float32)


def weights_of(entries):
    """(name -> float32 array, order, skipped) the way the comparison sees a file."""
    arrays, order, skipped = {}, [], []
    for name, t in entries:
        if not (t.is_quantized or t.is_floating_point()):
            skipped.append("%s (%s)" % (name, str(t.dtype).replace("torch.", "")))
            continue
        arrays[name] = as_float32(t)
        order.append(name)
    return arrays, order, skipped


def sums(b, m, limit):
    b64 = b.astype(np.float64).ravel()
    m64 = m.astype(np.float64).ravel()
    d = m64 - b64
    finite = np.isfinite(b64) & np.isfinite(m64)
    hist = np.zeros((VALUE_BINS, len(CHANGE_EDGES) + 1), dtype=np.int64)
    if limit > 0:
        scale = VALUE_BINS / (2.0 * limit)
        t = (m64[finite] + limit) * scale
    else:
        t = (m64[finite] + 0.5) * VALUE_BINS
    vbin = np.clip(np.floor(t), 0, VALUE_BINS - 1).astype(np.int64)
    bf, df = b64[finite], d[finite]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(df) / np.abs(bf)
    cbin = np.searchsorted(np.array(CHANGE_EDGES), r, side="right")
    cbin = np.where(df == 0, 0, np.where(bf == 0, len(CHANGE_EDGES), cbin))
    np.add.at(hist, (vbin, cbin), 1)
    return {
        "numel": int(b64.size),
        "zeros_base": int((b64 == 0).sum()),
        "zeros_model": int((m64 == 0).sum()),
        "zeros_both": int(((b64 == 0) & (m64 == 0)).sum()),
        "nonfinite": int((~finite).sum()),
        "ss_b": float((b64 * b64).sum()),
        "ss_m": float((m64 * m64).sum()),
        "dot": float((b64 * m64).sum()),
        "ss_d": float((d * d).sum()),
        "abs_d": float(np.abs(d).sum()),
        "hist": hist,
    }


def add_sums(a, b):
    out = {}
    for k in a:
        out[k] = a[k] + b[k]
    return out


def metrics(s):
    n = s["numel"]
    identical = s["ss_d"] == 0 and s["nonfinite"] == 0
    if s["ss_b"] > 0:
        rel = math.sqrt(s["ss_d"]) / math.sqrt(s["ss_b"])
    else:
        rel = 0.0 if s["ss_d"] == 0 else None
    cos = (s["dot"] / math.sqrt(s["ss_b"] * s["ss_m"])) if s["ss_b"] > 0 and s["ss_m"] > 0 else None
    if identical:
        sqnr = None
    elif s["ss_b"] == 0:
        sqnr = None   # -inf
    else:
        sqnr = 10 * math.log10(s["ss_b"] / s["ss_d"])
    return {
        "numel": n,
        "zeros_base": s["zeros_base"],
        "zeros_model": s["zeros_model"],
        "sparsity_base": s["zeros_base"] / n if n else None,
        "sparsity_model": s["zeros_model"] / n if n else None,
        "zero_both": s["zeros_both"],
        "zero_only_model": s["zeros_model"] - s["zeros_both"],
        "zero_only_base": s["zeros_base"] - s["zeros_both"],
        "relative_l2": rel,
        "cosine": cos,
        "sqnr_db": sqnr,
        "identical": identical,
        "mean_abs_change": s["abs_d"] / n if n else None,
        "nonfinite": s["nonfinite"],
        "histogram": s["hist"].tolist(),
    }


def compare(base, model, limit=None):
    (bw, border, bskip), (mw, morder, mskip) = base, model
    if limit is None:
        limit = 0.0
        for arrays in (bw, mw):
            for a in arrays.values():
                f = a[np.isfinite(a)]
                if f.size:
                    limit = max(limit, float(np.abs(f).max()))
    params, modules, module_order = [], {}, []
    for name in border:
        if name not in mw:
            continue
        b, m = bw[name], mw[name]
        module = name.rsplit(".", 1)[0] if "." in name else ""
        entry = {"name": name, "module": module, "shape_base": list(b.shape),
                 "shape_model": list(m.shape), "shape_mismatch": b.shape != m.shape}
        if b.shape == m.shape:
            s = sums(b, m, limit)
            entry.update(metrics(s))
            # every module above the parameter, the whole model ("") included
            parts = module.split(".") if module else []
            paths = [""] + [".".join(parts[:i + 1]) for i in range(len(parts))]
            for p in paths:
                if p not in modules:
                    modules[p] = {"sums": s, "count": 1}
                    module_order.append(p)
                else:
                    modules[p]["sums"] = add_sums(modules[p]["sums"], s)
                    modules[p]["count"] += 1
        params.append(entry)

    # pre-order: parents first, children in order of first appearance
    children = {}
    for p in module_order:
        if p == "":
            continue
        parent = p.rsplit(".", 1)[0] if "." in p else ""
        children.setdefault(parent, []).append(p)
    ordered = []

    def walk(p):
        ordered.append(p)
        for c in children.get(p, []):
            walk(c)
    if "" in modules:
        walk("")
    mods = []
    for p in ordered:
        entry = {"name": p, "depth": 0 if p == "" else p.count(".") + 1,
                 "parameters": modules[p]["count"]}
        entry.update(metrics(modules[p]["sums"]))
        mods.append(entry)
    return {
        "value_limit": limit,
        "parameters": params,
        "modules": mods,
        "base_only": [n for n in border if n not in mw],
        "model_only": [n for n in morder if n not in bw],
        "base_skipped": bskip,
        "model_skipped": mskip,
    }


def write_safetensors(path, tensors):
    header, data = {}, b""
    for name, array in tensors:
        raw = np.ascontiguousarray(array, dtype="<f2").tobytes()
        header[name] = {"dtype": "F16", "shape": list(array.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    x = torch.randn(2, 1, 28, 28)

    base = CNN().eval()
    with torch.no_grad():
        base.features[0].weight.view(-1)[:4] = 0       # zero in the base already
        base.features[1].running_mean.uniform_(-0.1, 0.1)
    scripted = torch.jit.script(base)
    torch.jit.save(scripted, os.path.join(outdir, "base.pt"))
    models = {"base": weights_of(named_weights_torchscript(base))}

    pruned = CNN().eval()
    pruned.load_state_dict(base.state_dict())
    targets = [(pruned.features[0], "weight"), (pruned.features[4], "weight"),
               (pruned.classifier[1], "weight"), (pruned.classifier[3], "weight")]
    prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=0.5)
    for m, n in targets:
        prune.remove(m, n)
    with torch.no_grad():
        pruned.features[0].weight.view(-1)[:3] = 0.25  # revived: zero in the base, not here
    torch.jit.save(torch.jit.trace(pruned, x), os.path.join(outdir, "pruned.pt"))
    models["pruned"] = weights_of(named_weights_torchscript(pruned))

    finetuned = CNN().eval()
    finetuned.load_state_dict(pruned.state_dict())
    with torch.no_grad():
        for p in finetuned.parameters():
            factor = 1 + torch.empty_like(p).uniform_(-1.5, 1.5)
            p.mul_(torch.where(p == 0, torch.zeros_like(p), factor))
    torch.jit.save(torch.jit.script(finetuned), os.path.join(outdir, "finetuned.pt"))
    models["finetuned"] = weights_of(named_weights_torchscript(finetuned))

    quant = torch.quantization.quantize_dynamic(base, {nn.Linear}, dtype=torch.qint8)
    torch.jit.save(torch.jit.script(quant), os.path.join(outdir, "quant.pt"))
    models["quant"] = weights_of(named_weights_torchscript(quant))

    state = dict(base.state_dict())
    torch.save(state, os.path.join(outdir, "state.pt"))
    models["state"] = weights_of(list(state.items()))

    half = [(n, p.detach().numpy().astype(np.float16)) for n, p in base.named_parameters()]
    write_safetensors(os.path.join(outdir, "half.safetensors"), half)
    models["half"] = weights_of([(n, torch.from_numpy(a)) for n, a in half])

    zero = CNN().eval()
    zero.load_state_dict(base.state_dict())
    with torch.no_grad():
        zero.classifier[1].weight.zero_()
    torch.jit.save(torch.jit.script(zero), os.path.join(outdir, "zero.pt"))
    models["zero"] = weights_of(named_weights_torchscript(zero))

    other = CNN(hidden=48, extra=True, bn=False).eval()
    torch.jit.save(torch.jit.script(other), os.path.join(outdir, "other.pt"))
    models["other"] = weights_of(named_weights_torchscript(other))

    torch.jit.save(torch.jit.freeze(torch.jit.script(base)), os.path.join(outdir, "frozen.pt"))
    torch.jit.save(torch.jit.script(CNN().eval()), os.path.join(outdir, "spare.pt"))

    # One `layers BASE MODEL…` per group: the models of a group share one value scale, the
    # largest |w| of all of them.
    groups = [("base", ["pruned", "finetuned", "quant", "state", "half", "zero", "base", "other"]),
              ("zero", ["base", "zero"]),
              ("pruned", ["finetuned"])]
    expected = {"groups": []}
    for b, ms in groups:
        limit = max(compare(models[b], models[m])["value_limit"] for m in ms)
        expected["groups"].append({"base": b, "models": ms,
                                   "comparisons": [compare(models[b], models[m], limit) for m in ms]})
    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
