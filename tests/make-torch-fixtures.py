# make-torch-fixtures.py
# Writes the model files test-torch reads, and expected.json with their statistics computed by numpy.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: make-torch-fixtures.py OUTDIR

Writes into OUTDIR:
  cnn-scripted.pt       torch.jit.script of a small CNN (conv + bn + linear), some weights exactly 0
  mlp-traced.pt         torch.jit.trace of a small MLP
  quant-dynamic.pt      a dynamically quantized (qint8, qnnpack) model, scripted
  quant-per-channel.pt  the same with per-channel weight scales, traced
  state-dict.pt         torch.save of a plain dict of tensors (float32, float16, int64, and a non-tensor)
  state-dict-ordered.pt torch.save(model.state_dict()) as is (an OrderedDict)
  list.pt               torch.save of a list of tensors (not a dict)
  empty.pt, random.pt, truncated.pt, not-a-model.zip,
  cut-record.pt, cut-state-dict.pt   damaged or wrong files
  expected.json         {file: {"format": ..., "layers": [{name, shape, dtype, bits, numel, zeros,
                         min, max, mean, std, l1, l2, quantized, qscale?, qzero_point?}]}}
"""
import collections
import json
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn


def stats(name, array, dtype, bits, quantized=False, qscale=None, qzero_point=None):
    a = np.asarray(array, dtype=np.float64).reshape(-1)
    record = {
        "name": name,
        "shape": list(np.shape(array)),
        "dtype": dtype,
        "bits": bits,
        "numel": int(a.size),
        "zeros": int(np.count_nonzero(a == 0.0)),
        "min": float(a.min()),
        "max": float(a.max()),
        "mean": float(a.mean()),
        "std": float(a.std(ddof=0)),
        "l1": float(np.abs(a).sum()),
        "l2": float(np.sqrt((a * a).sum())),
        "quantized": quantized,
    }
    if quantized:
        record["qscale"] = float(qscale)
        record["qzero_point"] = int(qzero_point)
    return record


def tensor_stats(name, t):
    bits = {torch.float32: 32, torch.float16: 16, torch.float64: 64,
            torch.int64: 64, torch.int32: 32, torch.uint8: 8, torch.int8: 8}[t.dtype]
    dtype = str(t.dtype).replace("torch.", "")
    return stats(name, t.detach().double().numpy().reshape(tuple(t.shape)), dtype, bits)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1, bias=False),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),
        )
        self.classifier = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class SmallMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.norm = nn.LayerNorm(64)
        self.fc2 = nn.Linear(64, 32, bias=False)
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        return self.head(torch.relu(self.fc2(torch.relu(self.norm(self.fc1(x))))))


def make_cnn():
    model = SmallCNN().eval()
    with torch.no_grad():
        model.features[0].weight[0].zero_()          # one whole filter: 9 zeros
        model.features[4].weight[:, :2].zero_()      # 16 * 2 * 9 = 288 zeros
        model.classifier.weight[3, :50].zero_()      # 50 zeros
        model.classifier.bias[7] = 0.0
        model.features[1].weight.uniform_(0.5, 1.5)  # non-trivial batch norm
        model.features[1].bias.uniform_(-0.1, 0.1)
    return model


def params_expected(module):
    return [tensor_stats(n, p) for n, p in module.named_parameters()]


def quant_expected(scripted, qmodel):
    layers = params_expected(scripted)
    for name, mod in qmodel.named_modules():
        if not isinstance(mod, torch.nn.quantized.dynamic.Linear):
            continue
        w = mod.weight()
        if w.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            qscale, qzero = w.q_scale(), w.q_zero_point()
        else:
            qscale = w.q_per_channel_scales().double().mean().item()
            qzero = w.q_per_channel_zero_points()[0].item()
        layers.append(stats(name + ".weight", w.dequantize().double().numpy(), "qint8", 8,
                            True, qscale, qzero))
        if mod.bias() is not None:
            layers.append(tensor_stats(name + ".bias", mod.bias()))
    return layers


def cut_largest_record(source, target):
    """Rewrites the zip @source as @target with its largest data/N record cut to 8 bytes."""
    with zipfile.ZipFile(source) as src:
        infos = src.infolist()
        records = [i for i in infos
                   if "/data/" in i.filename and i.filename.split("/")[-1].isdigit()]
        largest = max(records, key=lambda i: i.file_size)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as dst:
            for info in infos:
                data = src.read(info)
                if info.filename == largest.filename:
                    data = data[:8]
                dst.writestr(info.filename, data)


def main():
    out = sys.argv[1]
    torch.manual_seed(1234)
    np.random.seed(1234)
    torch.backends.quantized.engine = "qnnpack"
    expected = {}

    def path(name):
        return os.path.join(out, name)

    # TorchScript, scripted.
    cnn = make_cnn()
    scripted = torch.jit.script(cnn)
    scripted.save(path("cnn-scripted.pt"))
    expected["cnn-scripted.pt"] = {"format": "torchscript", "layers": params_expected(scripted)}

    # TorchScript, traced.
    mlp = SmallMLP().eval()
    with torch.no_grad():
        mlp.fc2.weight[:4].zero_()
    traced = torch.jit.trace(mlp, torch.randn(2, 20))
    traced.save(path("mlp-traced.pt"))
    expected["mlp-traced.pt"] = {"format": "torchscript", "layers": params_expected(traced)}

    # Dynamically quantized, per-tensor, scripted.
    qmodel = torch.quantization.quantize_dynamic(SmallMLP().eval(), {nn.Linear}, dtype=torch.qint8)
    qscripted = torch.jit.script(qmodel)
    qscripted.save(path("quant-dynamic.pt"))
    expected["quant-dynamic.pt"] = {"format": "torchscript",
                                    "layers": quant_expected(qscripted, qmodel)}

    # Dynamically quantized, per-channel, traced.
    qconfig = torch.quantization.per_channel_dynamic_qconfig
    qmodel = torch.quantization.quantize_dynamic(SmallMLP().eval(), {nn.Linear: qconfig},
                                                 dtype=torch.qint8)
    qtraced = torch.jit.trace(qmodel, torch.randn(2, 20))
    qtraced.save(path("quant-per-channel.pt"))
    expected["quant-per-channel.pt"] = {"format": "torchscript",
                                        "layers": quant_expected(qtraced, qmodel)}

    # State dicts.
    sd = dict(cnn.state_dict())
    sd["extra.half"] = torch.randn(7, 3).half()
    sd["extra.half"][0, 0] = 0.0
    sd["epoch"] = 12                      # not a tensor: skipped
    torch.save(sd, path("state-dict.pt"))
    expected["state-dict.pt"] = {
        "format": "state-dict",
        "layers": [tensor_stats(k, v) for k, v in sd.items() if isinstance(v, torch.Tensor)]}
    torch.save(cnn.state_dict(), path("state-dict-ordered.pt"))
    assert isinstance(cnn.state_dict(), collections.OrderedDict)
    torch.save([torch.zeros(3), torch.ones(2)], path("list.pt"))

    # Damaged and wrong files.
    open(path("empty.pt"), "wb").close()
    with open(path("random.pt"), "wb") as f:
        f.write(np.random.bytes(4096))
    with open(path("cnn-scripted.pt"), "rb") as f:
        whole = f.read()
    with open(path("truncated.pt"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    with zipfile.ZipFile(path("not-a-model.zip"), "w") as z:
        z.writestr("readme.txt", "This is a text file, not a model.\n")

    # Archives whose largest tensor record is cut short, with valid CRCs.
    cut_largest_record(path("cnn-scripted.pt"), path("cut-record.pt"))
    cut_largest_record(path("state-dict.pt"), path("cut-state-dict.pt"))

    with open(path("expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
