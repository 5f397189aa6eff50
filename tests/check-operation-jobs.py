#!/usr/bin/python3
# Independent checks of workspaces made by the operation jobs and the demo: reads the registry with
# sqlite3 and the stored model files with python3-torch / NumPy (never with the code under test).
#   check-operation-jobs.py demo WORKSPACE QUICK(0|1)
#   check-operation-jobs.py prune|channels|quant|dynamic|finetune WORKSPACE PARENT CHILD [ARGS…]
import importlib.util
import json
import os
import sqlite3
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("ops", os.path.join(HERE, "make-torch-compress-fixtures.py"))
ops = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ops)
fail = ops.fail


class Registry:
    def __init__(self, ws):
        self.ws = ws
        self.db = sqlite3.connect("file:%s?mode=ro" % os.path.join(ws, "registry.sqlite"), uri=True)

    def models(self):
        return {name: (mid, op, json.loads(params or "{}"))
                for mid, name, op, params in self.db.execute("SELECT id, name, operation, parameters FROM models")}

    def model_id(self, name):
        row = self.db.execute("SELECT id FROM models WHERE name = ?", (name,)).fetchone()
        if row is None:
            fail("model %s is not in the registry" % name)
        return row[0]

    def file(self, name):
        (path,) = self.db.execute("SELECT file FROM models WHERE name = ?", (name,)).fetchone()
        return path if os.path.isabs(path) else os.path.join(self.ws, "store", path)

    def parents(self, name):
        return sorted((role, parent) for role, parent in self.db.execute(
            "SELECT l.role, p.name FROM lineage l JOIN models c ON c.id = l.child JOIN models p ON p.id = l.parent"
            " WHERE c.name = ?", (name,)))

    def metric(self, name, metric):
        row = self.db.execute(
            "SELECT v.value FROM metric_values v JOIN models d ON d.id = v.model"
            " WHERE d.name = ? AND v.metric = ?", (name, metric)).fetchone()
        return None if row is None else row[0]

    def layer_bits(self, name):
        return {n: b for n, b in self.db.execute(
            "SELECT l.name, l.bits FROM layers l JOIN models m ON m.id = l.model WHERE m.name = ?", (name,))}

    def evaluation(self, name):
        return self.db.execute(
            "SELECT e.n, e.split, d.name, e.batch, e.variant FROM evaluations e JOIN models m ON m.id = e.model"
            " JOIN datasets d ON d.id = e.dataset WHERE m.name = ?", (name,)).fetchone()

    def curve(self, name):
        row = self.db.execute("SELECT c.curve FROM loss_curves c JOIN models m ON m.id = c.model WHERE m.name = ?",
                              (name,)).fetchone()
        return None if row is None else json.loads(row[0])


def accuracy_of(path, images, labels, batch):
    model = torch.jit.load(path).eval()
    with torch.no_grad():
        out = torch.cat([model(images[k:k + batch]) for k in range(0, len(images), batch)])
    return float((out.argmax(1) == labels).double().mean())


def check_evaluated(reg, name, images, labels, batch_dependent=False):
    ev = reg.evaluation(name)
    if ev is None or ev[0] != 10000 or ev[1] != "test" or ev[2] != "fashion-mnist":
        fail("%s: no evaluation on fashion-mnist/test (%s)" % (name, ev))
    batch, variant = ev[3], ev[4]
    if variant not in ("as saved", "oneDNN (optimize_for_inference)", "XNNPACK (optimize_for_mobile)"):
        fail("%s: the evaluation does not say which computation ran (%r)" % (name, variant))
    # Dynamically quantized layers take their activation scales from each batch: such a model runs
    # as saved (never a variant some machine found faster), and PyTorch with the same batches
    # gives exactly its numbers on any machine.
    if batch_dependent and variant != "as saved":
        fail("%s: a dynamically quantized model evaluated by %s, not as saved" % (name, variant))
    ours = reg.metric(name, "Top-1 Accuracy")
    theirs = accuracy_of(reg.file(name), images, labels, batch)
    # The same model, data and batches: the same predictions; for a float model up to a handful of
    # near-ties that float rounding (a faster variant, another thread count) may tip.
    tolerance = 0 if batch_dependent else 3e-4
    if ours is None or abs(ours - theirs) > tolerance:
        fail("%s: top-1 %s recorded (batch %d, %s), PyTorch measures %.4f" % (name, ours, batch, variant, theirs))
    return theirs


# name: (operation, [(role, parent)…]) of the demo's tree
def demo_tree(best):
    tree = {"base": ("train", []), "student": ("train", [])}
    for a in (30, 50, 70, 90):
        tree["prune-%d" % a] = ("prune", [("base", "base")])
        tree["prune-%d-ft" % a] = ("fine-tune", [("base", "prune-%d" % a)])
    tree["channels-50"] = ("prune-channels", [("base", "base")])
    tree["channels-50-ft"] = ("fine-tune", [("base", "channels-50")])
    tree["prune-70-bn"] = ("recalibrate-bn", [("base", "prune-70")])
    tree["base-int8"] = ("quantize", [("base", "base")])
    tree["base-int4"] = ("quantize", [("base", "base")])
    tree["base-dynamic-int8"] = ("quantize-dynamic", [("base", "base")])
    tree["student-kd"] = ("distill", [("base", "student"), ("teacher", "base")])
    tree[best + "-int8"] = ("quantize", [("base", best)])
    tree[best + "-int4"] = ("quantize", [("base", best)])
    return tree


def cmd_demo(ws, quick):
    quick = quick == "1"
    reg = Registry(ws)
    models = reg.models()
    best = [n[:-len("-int8")] for n in models if n.startswith("prune-") and n.endswith("-ft-int8")]
    if len(best) != 1:
        fail("expected one quantized best pruned model, found %s" % best)
    tree = demo_tree(best[0])
    if sorted(models) != sorted(tree):
        fail("models %s, expected %s" % (sorted(models), sorted(tree)))
    for name, (op, parents) in tree.items():
        if models[name][1] != op:
            fail("%s: operation %s, expected %s" % (name, models[name][1], op))
        if reg.parents(name) != sorted(parents):
            fail("%s: parents %s, expected %s" % (name, reg.parents(name), sorted(parents)))
    print("%d models, lineage and operations as the recipe says" % len(models))

    # The best pruned model: the sparsest fine-tuned one within a point of the base's accuracy.
    base = reg.metric("base", "Top-1 Accuracy")
    ok = [a for a in (30, 50, 70, 90) if reg.metric("prune-%d-ft" % a, "Top-1 Accuracy") >= base - 0.01]
    if ok and best[0] != "prune-%d-ft" % max(ok):
        fail("best pruned model %s, expected prune-%d-ft" % (best[0], max(ok)))

    images, labels = ops.fashion("test")
    accuracy = {name: check_evaluated(reg, name, images, labels, tree[name][0] == "quantize-dynamic")
                for name in tree}
    if not quick and accuracy["base"] < 0.88:
        fail("the base model reaches %.4f test accuracy, below 0.88" % accuracy["base"])
    print("every model evaluated; PyTorch agrees on top-1; base %.4f" % accuracy["base"])

    for a in (30, 50, 70, 90):
        ops.cmd_check_prune(reg.file("base"), reg.file("prune-%d" % a), a / 100, "global")
        check_zeros_kept(reg.file("prune-%d" % a), reg.file("prune-%d-ft" % a))
    ops.cmd_check_channels(reg.file("base"), reg.file("channels-50"), 0.5)
    check_zeros_kept(reg.file("channels-50"), reg.file("channels-50-ft"))
    for parent in ("base", best[0]):
        for bits in (8, 4):
            child = "%s-int%d" % (parent, bits)
            ops.cmd_check_quant(reg.file(parent), reg.file(child), bits)
            recorded = reg.layer_bits(child)
            model = torch.jit.load(reg.file(child))
            for n in ops.targets(model):
                if recorded.get(n) != bits:
                    fail("%s: layer %s recorded at %s bits, not %d" % (child, n, recorded.get(n), bits))
    ops.cmd_check_dynamic(reg.file("base"), reg.file("base-dynamic-int8"))
    dyn = reg.layer_bits("base-dynamic-int8")
    if dyn.get("classifier.1.weight") != 8 or dyn.get("features.0.weight") != 32:
        fail("base-dynamic-int8: layer table bits %s" % dyn)

    for name, epochs in (("base", 1 if quick else 2), ("student", 1), ("student-kd", 1), ("prune-50-ft", 1)):
        curve = reg.curve(name)
        if curve is None or len(curve["epoch_loss"]) != epochs or not curve["step_loss"]:
            fail("%s: loss curve %s, expected %d epochs" % (name, curve, epochs))
    if reg.curve("prune-50") is not None:
        fail("prune-50 has a loss curve but was not trained")
    print("pruning exact, zeros kept, quantization within 2^bits per channel, loss curves kept")


def check_zeros_kept(src, dst):
    _, before = ops.params(src)
    _, after = ops.params(dst)
    zeros = changed = 0
    for name, p in before.items():
        zero = p == 0
        if not np.all(after[name][zero] == 0):
            fail("%s: %d pruned weights are no longer zero" % (name, int((after[name][zero] != 0).sum())))
        zeros += int(zero.sum())
        changed += int((after[name] != p).sum())
    if changed == 0:
        fail("%s: fine-tuning changed nothing" % dst)
    print("%s: %d zero weights still zero, %d weights changed" % (os.path.basename(dst), zeros, changed))


def cmd_prune(ws, parent, child, amount, scope):
    reg = Registry(ws)
    ops.cmd_check_prune(reg.file(parent), reg.file(child), float(amount), scope)


def cmd_quant(ws, parent, child, bits):
    reg = Registry(ws)
    ops.cmd_check_quant(reg.file(parent), reg.file(child), int(bits))


def cmd_finetune(ws, parent, child):
    reg = Registry(ws)
    check_zeros_kept(reg.file(parent), reg.file(child))


def cmd_python_pruned(src, dst, amount):
    """A model made by a user's PyTorch script: 60% L1 unstructured pruning of every conv / linear weight."""
    model = torch.jit.load(src)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("weight") and p.dim() >= 2:
                k = int(round(float(amount) * p.numel()))
                threshold = p.abs().flatten().kthvalue(k).values
                p[p.abs() <= threshold] = 0
    torch.jit.save(model, dst)


COMMANDS = {"python-pruned": cmd_python_pruned, "demo": cmd_demo, "prune": cmd_prune, "quant": cmd_quant, "finetune": cmd_finetune}

if __name__ == "__main__":
    torch.set_num_threads(2)
    torch.backends.quantized.engine = "qnnpack" if "qnnpack" in torch.backends.quantized.supported_engines else "onednn"
    COMMANDS[sys.argv[1]](*sys.argv[2:])
