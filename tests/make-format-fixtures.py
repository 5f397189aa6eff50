# make-format-fixtures.py
# Writes the model-format test fixtures (safetensors by hand, torch files, damaged files) and expected.json.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: /usr/bin/python3 make-format-fixtures.py OUTDIR
# Safetensors files are written by hand from the format's description (8-byte little-endian
# header length, JSON header, raw little-endian data); expected statistics are computed
# independently with numpy in float64 from the very values stored in the file.

import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch

out = sys.argv[1]
rng = np.random.default_rng(20240517)
torch.manual_seed(7)


def path(name):
    return os.path.join(out, name)


def write_raw(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def safetensors_bytes(header, data, pad_to=8, misalign=False):
    """The file for a header dict and a data area. pad_to: pad the header with spaces so
    the data starts on that boundary; misalign: make the data start at an odd address."""
    text = json.dumps(header, separators=(",", ":")).encode()
    if misalign:
        while (8 + len(text)) % 4 != 1:
            text += b" "
    else:
        while (8 + len(text)) % pad_to:
            text += b" "
    return struct.pack("<Q", len(text)) + text + data


# ---- good tensors: every supported dtype -------------------------------------------

def with_zeros(a, k):
    flat = a.reshape(-1)
    idx = rng.choice(flat.size, size=min(k, flat.size), replace=False)
    flat[idx] = 0
    return a


def floats(shape, dtype, zeros):
    a = rng.normal(0.2, 1.5, size=shape).astype(dtype)
    return with_zeros(a, zeros)


tensors = []  # (name, st_dtype, our dtype name, bits, shape, raw bytes, float64 values)


def add(name, st_dtype, dname, bits, arr, values=None):
    raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
    vals = arr.astype(np.float64) if values is None else values
    tensors.append((name, st_dtype, dname, bits, list(arr.shape), raw, vals.reshape(-1)))


f32 = floats((3, 4), np.float32, 2)
f32.reshape(-1)[5] = -0.0          # negative zero is an exact zero too
add("encoder.layer.0.weight", "F32", "float32", 32, f32)
add("encoder.layer.0.bias", "F64", "float64", 64, floats((5,), np.float64, 1))
add("encoder.half", "F16", "float16", 16, floats((2, 3, 2), np.float16, 3))
bf = torch.randn(4, 4) * 3
bf.view(-1)[[1, 7, 9]] = 0
bf = bf.to(torch.bfloat16)
tensors.append(("decoder.bf", "BF16", "bfloat16", 16, [4, 4],
                bf.view(torch.int16).numpy().astype("<i2").tobytes(),
                bf.to(torch.float64).numpy().reshape(-1)))
add("decoder.i64", "I64", "int64", 64, with_zeros(rng.integers(-10**6, 10**6, size=(7,), dtype=np.int64), 2))
add("decoder.i32", "I32", "int32", 32, with_zeros(rng.integers(-10**5, 10**5, size=(3, 3), dtype=np.int32), 1))
add("decoder.i16", "I16", "int16", 16, with_zeros(rng.integers(-30000, 30000, size=(10,), dtype=np.int16), 4))
add("decoder.i8", "I8", "int8", 8, with_zeros(rng.integers(-128, 128, size=(2, 8), dtype=np.int8), 3))
add("decoder.u8", "U8", "uint8", 8, with_zeros(rng.integers(0, 256, size=(9,), dtype=np.uint8), 2))
add("mask", "BOOL", "bool", 1, rng.integers(0, 2, size=(13,)).astype(np.bool_))
add("scale", "F32", "float32", 32, np.array(2.5, dtype=np.float32))        # a scalar: shape []
add("empty", "F32", "float32", 32, np.zeros((0, 3), dtype=np.float32))
# More than one chunk of the unaligned float32 path (65536 elements per chunk).
add("big.weight", "F32", "float32", 32, floats((300, 500), np.float32, 1234))


def good_file(misalign):
    header = {"__metadata__": {"format": "pt", "note": "written by hand"}}
    data = b""
    # Data laid out in reverse header order, so offsets are not sorted like the header.
    offsets = {}
    for name, st_dtype, _, _, shape, raw, _ in reversed(tensors):
        offsets[name] = (len(data), len(data) + len(raw))
        data += raw
    for name, st_dtype, _, _, shape, raw, _ in tensors:
        header[name] = {"dtype": st_dtype, "shape": shape, "data_offsets": list(offsets[name])}
    return safetensors_bytes(header, data, misalign=misalign)


write_raw("good.safetensors", good_file(False))
write_raw("unaligned.safetensors", good_file(True))
# A file with no tensors at all is valid too.
write_raw("no-tensors.safetensors", safetensors_bytes({"__metadata__": {}}, b""))


def stats(name, dname, bits, shape, v):
    d = {"name": name, "dtype": dname, "bits": bits, "shape": shape,
         "numel": int(v.size), "zeros": int(np.count_nonzero(v == 0))}
    if v.size:
        d.update(min=float(v.min()), max=float(v.max()), mean=float(v.mean()),
                 std=float(v.std(ddof=0)), l1=float(np.abs(v).sum()),
                 l2=float(np.sqrt((v * v).sum())))
    return d


expected = {
    "good": ["good.safetensors", "unaligned.safetensors"],
    "stats": [stats(n, dn, b, s, v) for n, _, dn, b, s, _, v in tensors],
    "bad_safetensors": [],
    "zip": [],
    "detect": [],
}

# ---- bad safetensors ----------------------------------------------------------------

four_f32 = np.arange(4, dtype="<f4").tobytes()


def bad(name, contains, data):
    write_raw(name, data)
    expected["bad_safetensors"].append({"file": name, "contains": contains})


def bad_header(name, contains, entries, data=four_f32):
    bad(name, contains, safetensors_bytes(entries, data))


bad("st-short.safetensors", "too short", b"\x05\x00\x00")
bad("st-header-too-long.safetensors", "header says 4096 bytes but the file has 1200",
    struct.pack("<Q", 4096) + b"{" + b" " * 1191)
bad("st-zero-header.safetensors", "JSON", struct.pack("<Q", 0) + four_f32)
bad("st-not-json.safetensors", "not valid JSON",
    struct.pack("<Q", 16) + b"{not json at all" + four_f32)
bad("st-not-utf8.safetensors", "UTF-8", struct.pack("<Q", 4) + b'{"\xff}' + four_f32)
bad("st-not-object.safetensors", "not an object",
    struct.pack("<Q", 9) + b"[1, 2, 3]" + four_f32)
bad_header("st-entry-not-object.safetensors", "'w'", {"w": [1, 2]})
bad_header("st-no-dtype.safetensors", "dtype", {"w": {"shape": [4], "data_offsets": [0, 16]}})
bad_header("st-no-shape.safetensors", "shape", {"w": {"dtype": "F32", "data_offsets": [0, 16]}})
bad_header("st-no-offsets.safetensors", "data_offsets", {"w": {"dtype": "F32", "shape": [4]}})
bad_header("st-unknown-dtype.safetensors", "F8_E4M3",
           {"w": {"dtype": "F8_E4M3", "shape": [16], "data_offsets": [0, 16]}})
bad_header("st-offsets-out-of-range.safetensors", "data area",
           {"w": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}})
bad_header("st-end-before-begin.safetensors", "before it begins",
           {"w": {"dtype": "F32", "shape": [1], "data_offsets": [12, 8]}})
bad_header("st-wrong-length.safetensors", "need 12",
           {"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}})
bad_header("st-overlap.safetensors", "overlap",
           {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})
bad_header("st-negative-dim.safetensors", "dimension 1",
           {"w": {"dtype": "F32", "shape": [4, -1], "data_offsets": [0, 16]}})
bad_header("st-fractional-dim.safetensors", "dimension 0",
           {"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 16]}})
bad_header("st-string-dim.safetensors", "dimension 0",
           {"w": {"dtype": "F32", "shape": ["4"], "data_offsets": [0, 16]}})
bad_header("st-numel-overflow.safetensors", "too large",
           {"w": {"dtype": "U8", "shape": [2**40, 2**40, 2**40], "data_offsets": [0, 16]}})
bad_header("st-bytes-overflow.safetensors", "too large",
           {"w": {"dtype": "F64", "shape": [2**62], "data_offsets": [0, 16]}})
bad_header("st-negative-offset.safetensors", "data_offsets",
           {"w": {"dtype": "F32", "shape": [4], "data_offsets": [-4, 12]}})
bad_header("st-fractional-offset.safetensors", "data_offsets",
           {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0.0, 16]}})
bad_header("st-bad-metadata.safetensors", "__metadata__", {"__metadata__": 3})

# ---- PyTorch files ------------------------------------------------------------------

model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
torch.jit.save(torch.jit.script(model), path("model-ts.pt"))
torch.save(model.state_dict(), path("state.pt"))
torch.save({k: v for k, v in model.state_dict().items()}, path("legacy.pt"),
           _use_new_zipfile_serialization=False)

with open(path("model-ts.pt"), "rb") as f:
    ts_bytes = bytearray(f.read())

# One byte of a stored tensor flipped in place: the member's CRC no longer matches.
with zipfile.ZipFile(path("model-ts.pt")) as z:
    info = next(i for i in z.infolist()
                if "/data/" in i.filename and i.file_size > 0)
    assert info.compress_type == zipfile.ZIP_STORED
    flipped_member = info.filename
    off = info.header_offset
    name_len, extra_len = struct.unpack("<HH", ts_bytes[off + 26:off + 30])
    data_start = off + 30 + name_len + extra_len
flipped = bytearray(ts_bytes)
flipped[data_start + info.file_size // 2] ^= 0x40
write_raw("flipped.pt", bytes(flipped))
write_raw("truncated.pt", bytes(ts_bytes[:len(ts_bytes) // 2]))

with zipfile.ZipFile(path("no-data-pkl.zip"), "w") as z:
    z.writestr("readme.txt", "not a model")
    z.writestr("weights/0", b"\x00" * 64)

write_raw("junk.bin", b"GARBAGE!" + rng.integers(0, 256, size=500, dtype=np.uint8).tobytes())
write_raw("notes.txt", b"hello, these are notes\n")
write_raw("plain.pkl", pickle.dumps({"a": 1}, protocol=2))
write_raw("empty.pt", b"")
write_raw("models.json", b'\n  {"models": [{"name": "base", "path": "base.pt"}]}\n')
write_raw("other.json", b'{"layers": []}')
write_raw("broken.json", b'{"models": [1, 2')
os.mkdir(path("folder.pt"))

expected["zip"] = [
    {"file": "model-ts.pt", "member": "data.pkl"},
    {"file": "state.pt", "member": "data.pkl"},
    {"file": "no-data-pkl.zip", "member": "readme.txt"},
    {"file": "flipped.pt", "error": "member '%s' fails its CRC check" % flipped_member},
    {"file": "truncated.pt", "error": "truncated"},
    {"file": "junk.bin", "error": "not a zip archive"},
    {"file": "empty.pt", "error": "empty.pt"},
    {"file": "missing.zip", "error": "no such file"},
]

expected["detect"] = [
    {"file": "model-ts.pt", "format": "torchscript"},
    {"file": "state.pt", "format": "state-dict"},
    {"file": "good.safetensors", "format": "safetensors"},
    {"file": "unaligned.safetensors", "format": "safetensors"},
    {"file": "no-tensors.safetensors", "format": "safetensors"},
    {"file": "models.json", "format": "models.json"},
    {"file": "flipped.pt", "error": "fails its CRC check"},
    {"file": "truncated.pt", "error": "truncated"},
    {"file": "no-data-pkl.zip", "error": "a zip archive, but not a PyTorch model (no data.pkl)"},
    {"file": "legacy.pt", "error": "saved in PyTorch's legacy format"},
    {"file": "empty.pt", "error": "the file is empty"},
    {"file": "folder.pt", "error": "is a folder, not a model file"},
    {"file": "missing.pt", "error": "no such file"},
    {"file": "junk.bin", "error": "not a model file Compress & Compare can read"},
    {"file": "notes.txt", "error": "not a model file Compress & Compare can read"},
    {"file": "plain.pkl", "error": "not a model file Compress & Compare can read"},
    {"file": "other.json", "error": "no \"models\" list"},
    {"file": "broken.json", "error": "not valid JSON"},
]

with open(path("expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
