# make-torch-compress-fixtures.py
# Models for test-torch-compress and the independent checks (NumPy / python3-torch) of what the operations wrote.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   make-torch-compress-fixtures.py models DIR                      the input models
#   make-torch-compress-fixtures.py check-prune IN OUT AMOUNT global|layer [PATTERN]
#   make-torch-compress-fixtures.py check-channels IN OUT AMOUNT
#   make-torch-compress-fixtures.py check-quant IN OUT BITS
#   make-torch-compress-fixtures.py check-dynamic IN OUT
#   make-torch-compress-fixtures.py check-finetune IN OUT N        pruned zeros kept; loss on the first N train images lower
#   make-torch-compress-fixtures.py check-recal IN OUT BATCHES BATCH_SIZE SHUFFLE SEED
#   make-torch-compress-fixtures.py check-distill TEACHER OUT N
#   make-torch-compress-fixtures.py check-cnn MODEL LOGITS MIN_ACCURACY   test-split accuracy and C's logits
#   make-torch-compress-fixtures.py check-built MODEL SEED            the built CNN equals torch.nn's layers
#   make-torch-compress-fixtures.py check-same A B                    the same parameters and buffers, exactly

import gzip
import os
import re
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
TARGET_TYPES = {"Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
                "Linear", "NonDynamicallyQuantizableLinear"}


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    sys.exit(1)


def fashion(split, n=None):
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(os.path.join(DATA, prefix + "-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(DATA, prefix + "-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    if n is not None:
        images, labels = images[:n], labels[:n]
    return torch.from_numpy(images.astype(np.float32) / np.float32(255)), torch.from_numpy(labels)


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)


class Net(nn.Module):
    """Not the app's CNN: nested blocks, a bias-free layer, a Conv1d-free mix of names."""

    def __init__(self):
        super().__init__()
        self.stem = Block(1, 12)
        self.body = nn.ModuleList([Block(12, 20)])
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(20 * 5 * 5, 48), nn.ReLU(),
                                  nn.Linear(48, 10, bias=False))

    def forward(self, x):
        x = self.stem(x)
        for block in self.body:
            x = block(x)
        return self.head(x)


def types_by_module(model):
    """module path -> type name without package or mangling, from the TorchScript module."""
    out = {}
    for name, m in model.named_modules():
        qualified = m._c._type().qualified_name()
        out[name] = qualified.split(".")[-1]
    return out


def targets(model, pattern=None, with_transpose=True):
    types = types_by_module(model)
    names = []
    for name, p in model.named_parameters():
        module, _, leaf = name.rpartition(".")
        t = types.get(module, "")
        if leaf != "weight" or p.dim() < 2 or t not in TARGET_TYPES:
            continue
        if not with_transpose and t.startswith("ConvTranspose"):
            continue
        if pattern is not None and re.search(pattern, name) is None:
            continue
        names.append(name)
    return sorted(names)


def params(path):
    model = torch.jit.load(path)
    return model, {n: p.detach().numpy().copy() for n, p in model.named_parameters()}


def check_rest_unchanged(before, after, changed):
    if set(before) != set(after):
        fail("parameter names differ: %s vs %s" % (sorted(before), sorted(after)))
    for name in before:
        if name not in changed and not np.array_equal(before[name], after[name]):
            fail("%s changed but is not a target" % name)


def runs(path):
    model = torch.jit.load(path)
    model.eval()
    with torch.no_grad():
        out = model(torch.rand(3, 1, 28, 28))
    if tuple(out.shape) != (3, 10) or not torch.isfinite(out).all():
        fail("%s does not run: %s" % (path, tuple(out.shape)))


def cmd_models(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    net = Net()
    scripted = torch.jit.script(net)
    scripted.save(os.path.join(out, "net.pt"))

    # Ties: a layer whose weights take few magnitudes, so tie-breaking decides.
    tied = Net()
    with torch.no_grad():
        w = tied.head[1].weight
        w.copy_(torch.randint(-3, 4, w.shape).float() * 0.25)
        tied.stem.conv.weight.copy_(torch.randint(-2, 3, tied.stem.conv.weight.shape).float() * 0.25)
    torch.jit.script(tied).save(os.path.join(out, "tied.pt"))

    # prune.remove re-registers `weight` after `bias`: the parameter order changes.
    import torch.nn.utils.prune as prune
    reordered = Net()
    prune.l1_unstructured(reordered.head[1], "weight", amount=0.2)
    prune.remove(reordered.head[1], "weight")
    torch.jit.script(reordered).save(os.path.join(out, "reordered.pt"))

    # Traced: in train mode (BatchNorm updates, momentum baked into the graph) and in eval mode.
    traced_net = Net()
    traced_net.train()
    torch.jit.trace(traced_net, torch.rand(2, 1, 28, 28), check_trace=False).save(os.path.join(out, "traced-train.pt"))
    traced_net.eval()
    torch.jit.trace(traced_net, torch.rand(2, 1, 28, 28)).save(os.path.join(out, "traced-eval.pt"))

    torch.jit.freeze(torch.jit.script(Net().eval())).save(os.path.join(out, "frozen.pt"))
    torch.save(dict(net.state_dict()), os.path.join(out, "state-dict.pt"))
    with open(os.path.join(out, "garbage.pt"), "wb") as f:
        f.write(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())


def cmd_check_prune(src, dst, amount, scope, pattern=None):
    amount = float(amount)
    _, before = params(src)
    model, after = params(dst)
    names = targets(model, pattern)
    check_rest_unchanged(before, after, set(names))

    def expect(group):
        mags = np.concatenate([np.abs(before[n]).ravel() for n in group])
        k = round(amount * mags.size)               # Python's round: half to even
        order = np.argsort(mags, kind="stable")
        pruned = np.zeros(mags.size, bool)
        pruned[order[:k]] = True
        got = np.concatenate([(after[n] == 0).ravel() for n in group])
        was = np.concatenate([(before[n] == 0).ravel() for n in group])
        if not np.array_equal(got, pruned | was):
            fail("%s: zeros at other places than the %d smallest magnitudes (%d differ)"
                 % (group, k, int((got != (pruned | was)).sum())))
        if int(got.sum()) != max(k, int(was.sum())) and not was.any():
            fail("%s: %d zeros, expected exactly %d" % (group, int(got.sum()), k))
        kept = np.concatenate([after[n].ravel() for n in group])
        orig = np.concatenate([before[n].ravel() for n in group])
        if not np.array_equal(kept[~got], orig[~got]):
            fail("%s: kept weights changed" % group)
        return int(got.sum()), mags.size

    if scope == "global":
        zeros, total = expect(names)
        print("global: %d of %d zero (%.6f)" % (zeros, total, zeros / total))
    else:
        for n in names:
            zeros, total = expect([n])
            print("%s: %d of %d zero" % (n, zeros, total))
    runs(dst)


def channel_targets(model):
    """Channel pruning's targets: weights of conv / linear layers but the output layer (the last one in
    module order) and ConvTranspose; each with the BatchNorm that follows it in module order, if any."""
    modules = []
    for name, m in model.named_modules():
        own = dict(m.named_parameters(recurse=False))
        modules.append((name, m._c._type().qualified_name().split(".")[-1], own))
    prunable = [i for i, (_, t, own) in enumerate(modules)
                if t in TARGET_TYPES and "weight" in own and own["weight"].dim() >= 2]
    out = {}
    for i in prunable[:-1]:
        name, t, own = modules[i]
        if t.startswith("ConvTranspose"):
            continue
        norm = None
        if i + 1 < len(modules) and "BatchNorm" in modules[i + 1][1]:
            nw = modules[i + 1][2].get("weight")
            if nw is not None and nw.shape[0] == own["weight"].shape[0]:
                norm = modules[i + 1][0]
        out[(name + "." if name else "") + "weight"] = norm
    return out


def cmd_check_channels(src, dst, amount):
    amount = float(amount)
    _, before = params(src)
    model, after = params(dst)
    names = channel_targets(model)
    changed = set(names)
    for n, norm in names.items():
        changed |= {n[: -len("weight")] + "bias"} & set(before)
        if norm:
            changed |= {norm + ".weight", norm + ".bias"}
    check_rest_unchanged(before, after, changed)   # the output layer among the unchanged
    for n, norm in sorted(names.items()):
        w0, w1 = before[n], after[n]
        out = w0.shape[0]
        norms = np.abs(w0.reshape(out, -1).astype(np.float64)).sum(1)
        k = round(amount * out)
        zeroed = np.all(w1.reshape(out, -1) == 0, axis=1)
        if int(zeroed.sum()) != k:
            fail("%s: %d whole channels zero, expected %d" % (n, int(zeroed.sum()), k))
        if k and norms[zeroed].max() > norms[~zeroed].min():
            fail("%s: a zeroed channel has a larger L1 norm than a kept one" % n)
        if not np.array_equal(w1[~zeroed], w0[~zeroed]):
            fail("%s: kept channels changed" % n)
        followers = [n[: -len("weight")] + "bias"] + ([norm + ".weight", norm + ".bias"] if norm else [])
        for f in followers:
            if f in before:
                if not np.all(after[f][zeroed] == 0) or not np.array_equal(after[f][~zeroed], before[f][~zeroed]):
                    fail("%s: entries of the zeroed channels not zero, or others changed" % f)
        print("%s: channels %s zeroed (with %s)" % (n, np.flatnonzero(zeroed).tolist(), followers))
    if "stem.conv.weight" in names:
        # The pruned channels are gone: their output after the BatchNorm is exactly 0.
        twin = eager_twin(dst).eval()
        zeroed = np.all(after["stem.conv.weight"].reshape(after["stem.conv.weight"].shape[0], -1) == 0, axis=1)
        with torch.no_grad():
            out = twin.stem.bn(twin.stem.conv(fashion("test", 16)[0])).numpy()
        if not np.all(out[:, zeroed] == 0):
            fail("pruned channels of stem.conv still output something after stem.bn")
    runs(dst)


def cmd_check_quant(src, dst, bits):
    bits = int(bits)
    _, before = params(src)
    model, after = params(dst)
    names = targets(model)
    check_rest_unchanged(before, after, set(names))
    qmax = np.float32(2 ** (bits - 1) - 1)
    for n in names:
        w = before[n].astype(np.float32).reshape(before[n].shape[0], -1)
        scale = np.abs(w).max(axis=1, keepdims=True) / qmax
        scale = np.where(scale == 0, np.float32(1), scale).astype(np.float32)
        q = np.clip(np.round(w / scale), -qmax - 1, qmax)
        expected = (q * scale).astype(np.float32).reshape(before[n].shape)
        got = after[n]
        if not np.array_equal(got, expected):
            diff = np.abs(got - expected).max()
            fail("%s: differs from NumPy's quantize-dequantize (max difference %g, %d values)"
                 % (n, diff, int((got != expected).sum())))
        flat = got.reshape(got.shape[0], -1)
        most = max(len(np.unique(row)) for row in flat)
        if most > 2 ** bits:
            fail("%s: a channel has %d distinct values, more than 2^%d" % (n, most, bits))
        print("%s: at most %d distinct values per channel" % (n, most))
    runs(dst)


def cmd_check_dynamic(src, dst):
    torch.backends.quantized.engine = "qnnpack" if "qnnpack" in torch.backends.quantized.supported_engines else "onednn"
    float_model = torch.jit.load(src).eval()
    q = torch.jit.load(dst).eval()
    text = q.code
    packed = sorted(set(re.findall(r"_jit_pass_packed_weight_\d+", text)))
    if not packed or "linear_dynamic" not in text:
        fail("no packed int8 weights or no quantized linear_dynamic call in %s:\n%s" % (dst, text))
    x = torch.rand(16, 1, 28, 28)
    with torch.no_grad():
        a, b = float_model(x), q(x)
    rel = float((a - b).abs().max() / a.abs().max())
    if rel > 0.05:
        fail("dynamic int8 output too far from float: %g" % rel)
    print("%d packed int8 linear weights; outputs within %.4f (relative) of the float model" % (len(packed), rel))


def mean_loss(model, images, labels):
    model.eval()
    with torch.no_grad():
        return float(F.cross_entropy(model(images), labels))


def cmd_check_finetune(src, dst, n):
    n = int(n)
    m0, before = params(src)
    m1, after = params(dst)
    checked = 0
    for name, p in before.items():
        zero = p == 0
        if zero.any():
            if not np.all(after[name][zero] == 0):
                fail("%s: %d pruned weights are no longer zero" % (name, int((after[name][zero] != 0).sum())))
            checked += int(zero.sum())
    images, labels = fashion("train", n)
    l0, l1 = mean_loss(m0, images, labels), mean_loss(m1, images, labels)
    if not l1 < l0:
        fail("loss did not go down: %.4f -> %.4f" % (l0, l1))
    print("%d pruned weights still zero; loss %.4f -> %.4f" % (checked, l0, l1))


def eager_twin(path):
    """The same network as torch.nn modules, with the file's weights."""
    scripted = torch.jit.load(path)
    model = Net()
    model.load_state_dict(dict(scripted.state_dict()))
    return model


def cmd_check_recal(src, dst, batches, batch_size, shuffle, seed):
    batches, batch_size, seed = int(batches), int(batch_size), int(seed)
    model = eager_twin(src)
    images, _ = fashion("train")
    count = min(len(images), batches * batch_size)
    if shuffle == "1":
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))[:count]
        images = images[order]
    else:
        images = images[:count]
    # PyTorch's own recipe: reset, momentum None (cumulative average), train mode, no grad.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for k in range(0, count, batch_size):
            model(images[k:k + batch_size])
    expected = dict(model.state_dict())
    got = dict(torch.jit.load(dst).state_dict())
    worst = 0.0
    for name, value in expected.items():
        g = got[name]
        if name.endswith("num_batches_tracked"):
            if int(g) != int(value):
                fail("%s: %d, PyTorch %d" % (name, int(g), int(value)))
            continue
        # float32 rounding: our mean/var come from factor × statistic divided by the factor, then the
        # same cumulative average; a few ulps over K batches stay far below 1e-5 relative.
        err = float(((g - value).abs() / (value.abs() + 1e-6)).max())
        worst = max(worst, err)
        if not torch.allclose(g, value, rtol=1e-5, atol=1e-6):
            fail("%s differs from PyTorch's recalibration (relative %g)" % (name, err))
    print("BatchNorm buffers equal PyTorch's recalibration (worst relative difference %.2e)" % worst)


def cmd_check_distill(teacher, dst, n):
    n = int(n)
    images, labels = fashion("test", n)
    student = torch.jit.load(dst).eval()
    t = torch.jit.load(teacher).eval()
    with torch.no_grad():
        s_out, t_out = student(images), t(images)
    if tuple(s_out.shape) != (n, 10):
        fail("student output %s" % (tuple(s_out.shape),))
    s_acc = float((s_out.argmax(1) == labels).float().mean())
    agree = float((s_out.argmax(1) == t_out.argmax(1)).float().mean())
    print("student accuracy %.4f, agrees with the teacher on %.4f" % (s_acc, agree))
    if s_acc < 0.5:
        fail("the distilled student is no better than chance-ish: %.4f" % s_acc)


def cmd_check_cnn(path, logits_path, min_accuracy):
    images, labels = fashion("test")
    model = torch.jit.load(path).eval()
    with torch.no_grad():
        out = torch.cat([model(images[k:k + 1000]) for k in range(0, len(images), 1000)])
    acc = float((out.argmax(1) == labels).float().mean())
    ours = np.fromfile(logits_path, dtype=np.float32).reshape(out.shape)
    diff = float(np.abs(ours - out.numpy()).max())
    print("test accuracy %.4f (PyTorch), logits differ by at most %.2e" % (acc, diff))
    if diff > 1e-4:
        fail("logits differ from PyTorch's by %g" % diff)
    if acc < float(min_accuracy):
        fail("test accuracy %.4f below %s" % (acc, min_accuracy))


def cmd_check_built(path, seed):
    model = torch.jit.load(path)
    names = [n for n, _ in model.named_parameters()] + [n for n, _ in model.named_buffers()]
    want = ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
            "features.4.weight", "features.4.bias", "features.5.weight", "features.5.bias",
            "classifier.1.weight", "classifier.1.bias", "classifier.3.weight", "classifier.3.bias",
            "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked",
            "features.5.running_mean", "features.5.running_var", "features.5.num_batches_tracked"]
    if sorted(names) != sorted(want):
        fail("names %s" % names)
    # The same computation with torch.nn modules and the file's weights.
    sd = model.state_dict()
    c1, c2, hidden = (sd[n].shape[0] for n in ("features.0.weight", "features.4.weight", "classifier.1.weight"))
    twin = nn.Module()
    twin.features = nn.Sequential(nn.Conv2d(1, c1, 3), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(c1, c2, 3), nn.BatchNorm2d(c2), nn.ReLU(), nn.MaxPool2d(2))
    twin.classifier = nn.Sequential(nn.Flatten(), nn.Linear(c2 * 25, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    twin.load_state_dict(dict(model.state_dict()))
    twin.eval()
    model.eval()
    x, _ = fashion("test", 64)
    with torch.no_grad():
        a = model(x)
        b = twin.classifier(twin.features(x))
    if not torch.allclose(a, b, atol=1e-5):
        fail("the built CNN computes something else than torch.nn's layers")
    for n, p in model.named_parameters():
        if n.endswith("weight") and p.dim() > 1:
            bound = 1 / np.sqrt(p[0].numel())
            if float(p.abs().max()) > bound or float(p.abs().max()) < 0.9 * bound:
                fail("%s is not PyTorch's default uniform(±%g) initialization" % (n, bound))
    print("built CNN: PyTorch layout and layers, %d parameters" % sum(p.numel() for p in model.parameters()))


def cmd_check_same(a, b):
    sa, sb = dict(torch.jit.load(a).state_dict()), dict(torch.jit.load(b).state_dict())
    if sorted(sa) != sorted(sb):
        fail("different tensors: %s vs %s" % (sorted(sa), sorted(sb)))
    differ = {n: float((sa[n].double() - sb[n].double()).abs().max()) for n in sa if not torch.equal(sa[n], sb[n])}
    if differ:
        fail("not the same weights: %s" % differ)
    print("%d tensors, all equal" % len(sa))


COMMANDS = {
    "models": cmd_models,
    "check-prune": cmd_check_prune,
    "check-channels": cmd_check_channels,
    "check-quant": cmd_check_quant,
    "check-dynamic": cmd_check_dynamic,
    "check-finetune": cmd_check_finetune,
    "check-recal": cmd_check_recal,
    "check-distill": cmd_check_distill,
    "check-cnn": cmd_check_cnn,
    "check-built": cmd_check_built,
    "check-same": cmd_check_same,
}

if __name__ == "__main__":
    torch.set_num_threads(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
