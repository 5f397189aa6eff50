# make-dataset-fixtures.py
# Dataset fixtures for test-dataset: IDX, .npy and PNG/JPEG folders written with NumPy, bad files, and the
# expected preprocessed arrays computed with python3-torch (ToTensor, interpolate, Normalize).
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: make-dataset-fixtures.py OUTDIR
# Expected arrays go to OUTDIR/expect/*.npy (float32 N×C×H×W, or int64 labels).

import gzip
import os
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

out = sys.argv[1]
rng = np.random.default_rng(20240611)
FMNIST = os.environ.get("CNC_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"


def path(*parts):
    p = os.path.join(out, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def expect(name, array):
    np.save(path("expect", name + ".npy"), np.ascontiguousarray(array))


# ---- the reference preprocessing: what a torchvision pipeline computes --------------------------

def to_tensor(images):
    """ToTensor on uint8 N×C×H×W (or N×H×W): float32, divided by 255; float arrays kept as they are."""
    t = torch.from_numpy(np.array(images))   # a writable copy
    if t.dim() == 3:
        t = t.unsqueeze(1)
    if t.dtype == torch.uint8:
        return t.float().div(255)
    return t.float()


def normalize(t, mean, std):
    """torchvision.transforms.Normalize: tensor.sub_(mean).div_(std) with float32 mean and std."""
    m = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    s = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
    return t.sub(m).div(s)


def resize(t, h, w):
    return F.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)


def luminance(t):
    """ITU-R 601-2 luma (PIL's convert('L') weights) on float channels."""
    return (0.299 * t[:, 0] + 0.587 * t[:, 1] + 0.114 * t[:, 2]).unsqueeze(1).float()


# ---- writers -------------------------------------------------------------------------------------

IDX_TYPES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array):
    a = np.asarray(array)
    if a.dtype.kind in "if" and a.dtype.itemsize > 1:
        a = a.astype(a.dtype.newbyteorder(">"))
    head = struct.pack(">BBBB", 0, 0, IDX_TYPES[a.dtype], a.ndim) + struct.pack(">" + "I" * a.ndim, *a.shape)
    return head + a.tobytes()


def write(p, data, gz=False):
    with (gzip.open if gz else open)(path(p), "wb") as f:
        f.write(data)


def npy_bytes(array, version=None):
    import io
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def png(p, a):
    """A PNG written by hand (zlib + CRC): grey H×W, RGB H×W×3 or RGBA H×W×4, 8 bits."""
    a = np.ascontiguousarray(a, dtype=np.uint8)
    h, w = a.shape[:2]
    ctype = {2: 0, 3: {3: 2, 4: 6}.get(a.shape[-1])}[a.ndim]
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)

    write(p, b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
          + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# ---- IDX -----------------------------------------------------------------------------------------

n, h, w = 37, 9, 11
idx_images = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
idx_images[0] = 0
idx_images[1] = 255
idx_labels = rng.integers(0, 5, size=n, dtype=np.uint8)
idx_labels[0] = 4
write("idx/images.idx", idx_bytes(idx_images))
write("idx/images.idx.gz", idx_bytes(idx_images), gz=True)
write("idx/labels.idx", idx_bytes(idx_labels))
write("idx/labels-i32.idx.gz", idx_bytes(idx_labels.astype(">i4")), gz=True)
expect("idx-labels", idx_labels.astype(np.int64))
expect("idx-totensor", to_tensor(idx_images).numpy())
mean3, std3 = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
t = normalize(resize(to_tensor(idx_images), 14, 7).repeat(1, 3, 1, 1), mean3, std3)
expect("idx-resize-3ch-norm", t.numpy())
t = resize(to_tensor(idx_images), 5, 4)   # down-sampling only
expect("idx-resize-down", t.numpy())

idx_f32 = rng.normal(0.5, 0.3, size=(n, h, w)).astype(np.float32)
write("idx/images-f32.idx", idx_bytes(idx_f32.astype(">f4")))
expect("idx-f32", to_tensor(idx_f32).numpy())

# ---- .npy ----------------------------------------------------------------------------------------

npy_images = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
np.save(path("npy/images-u8.npy"), npy_images)
write("npy/images-u8-v2.npy", npy_bytes(npy_images, (2, 0)))
write("npy/images-u8-v3.npy.gz", npy_bytes(npy_images, (3, 0)), gz=True)
expect("npy-u8", to_tensor(npy_images).numpy())
npy_labels = rng.integers(0, 7, size=n)
npy_labels[3] = 6
expect("npy-labels", npy_labels.astype(np.int64))
for name, dtype in [("i8", "<i8"), ("u1", "|u1"), ("i1", "|i1"), ("i2", "<i2"), ("u2", "<u2"), ("i4", "<i4"),
                    ("i4-be", ">i4"), ("u4", "<u4"), ("u8-be", ">u8")]:
    np.save(path("npy/labels-%s.npy" % name), npy_labels.astype(dtype))
write("npy/labels-v2.npy", npy_bytes(npy_labels.astype("<i8"), (2, 0)))
write("npy/labels-v3.npy", npy_bytes(npy_labels.astype("<i8"), (3, 0)))

npy_f32 = rng.normal(0.0, 1.0, size=(n, 3, h, w)).astype(np.float32)
np.save(path("npy/images-f32-nchw.npy"), npy_f32)
t = normalize(luminance(to_tensor(npy_f32) * 0.5), [0.25], [0.5])
expect("npy-f32-lum", t.numpy())
np.save(path("npy/images-f32-be.npy"), npy_f32[:, 0].astype(">f4"))
expect("npy-f32-be", to_tensor(npy_f32[:, 0]).numpy())

npy_rgb = rng.integers(0, 256, size=(n, 3, h, w), dtype=np.uint8)
np.save(path("npy/images-u8-rgb.npy"), npy_rgb)
t = normalize(resize(to_tensor(npy_rgb), 16, 13), mean3, std3)
expect("npy-rgb-resize-norm", t.numpy())
t = normalize(luminance(to_tensor(npy_rgb)), [0.5], [0.25])
expect("npy-rgb-lum", t.numpy())

# ---- image folders -------------------------------------------------------------------------------

# RGB (some RGBA: the alpha is dropped), classes sorted by name, files by name; other files ignored.
classes = ["bird", "cat", "dog"]
folder_images, folder_labels = [], []
for label, name in enumerate(classes):
    for i in range(3 + label):
        rgb = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
        fname = "img-%02d.png" % (10 - i)
        if i == 1:
            png("folder/%s/%s" % (name, fname), np.concatenate([rgb, rng.integers(0, 256, (6, 8, 1), np.uint8)], 2))
        else:
            png("folder/%s/%s" % (name, fname), rgb)
        folder_images.append((fname, label, rgb))
write("folder/cat/notes.txt", b"not an image")
write("folder/dog/.hidden.png", b"hidden files are skipped")
write("folder/README", b"files at the top are ignored")
folder_images.sort(key=lambda e: (e[1], e[0]))
stack = np.stack([e[2].transpose(2, 0, 1) for e in folder_images])
expect("folder-totensor", to_tensor(stack).numpy())
expect("folder-labels", np.array([e[1] for e in folder_images], dtype=np.int64))
# The same folder with the class order given as dog, bird, cat.
order = {"dog": 0, "bird": 1, "cat": 2}
reordered = sorted(folder_images, key=lambda e: (order[classes[e[1]]], e[0]))
expect("folder-dog-bird-cat", to_tensor(np.stack([e[2].transpose(2, 0, 1) for e in reordered])).numpy())
expect("folder-dog-bird-cat-labels", np.array([order[classes[e[1]]] for e in reordered], dtype=np.int64))

# Grey PNGs: one channel.
grey = []
for label, name in enumerate(["a", "b"]):
    for i in range(2):
        g = rng.integers(0, 256, size=(5, 4), dtype=np.uint8)
        png("folder-grey/%s/%d.png" % (name, i), g)
        grey.append(g)
expect("folder-grey", to_tensor(np.stack(grey)).numpy())

# Different sizes: need a resize (each image resized on its own, as a torchvision Resize would).
mixed = [("x", "0.png", (5, 7)), ("x", "1.png", (9, 4)), ("y", "0.png", (6, 6)), ("y", "1.png", (3, 12))]
ts, mixed_rgb = [], []
for cls, fname, (mh, mw) in mixed:
    rgb = rng.integers(0, 256, size=(mh, mw, 3), dtype=np.uint8)
    png("folder-mixed/%s/%s" % (cls, fname), rgb)
    mixed_rgb.append(rgb)
    ts.append(resize(to_tensor(rgb.transpose(2, 0, 1)[None]), 6, 6))
expect("folder-mixed-6x6", torch.cat(ts).numpy())

# JPEG, written and decoded by ImageMagick (libjpeg), 4:4:4 so that no chroma upsampling differs.
if shutil.which("convert"):
    yy, xx = np.mgrid[0:12, 0:10]
    smooth = np.stack([yy * 20, xx * 25, 128 + yy * 5 - xx * 5], 2).astype(np.uint8)
    png("jpeg-src.png", smooth)
    jpg = path("folder-jpeg", "only", "photo.JPG")
    subprocess.run(["convert", path("jpeg-src.png"), "-quality", "95", "-sampling-factor", "1x1", jpg], check=True)
    subprocess.run(["convert", jpg, "-depth", "8", path("jpeg-decoded.ppm")], check=True)
    data = open(path("jpeg-decoded.ppm"), "rb").read()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P6" and fields[3] == b"255"
    pw, ph = int(fields[1]), int(fields[2])
    pix = np.frombuffer(data[-pw * ph * 3:], dtype=np.uint8).reshape(ph, pw, 3)
    expect("folder-jpeg", to_tensor(pix.transpose(2, 0, 1)[None]).numpy())

# ---- bad input -----------------------------------------------------------------------------------

good = idx_bytes(idx_images)
write("bad/idx-magic.idx", b"\x00\x00\x07\x03" + good[4:])
write("bad/not-idx.bin", b"PK\x03\x04 this is a zip, not images")
write("bad/idx-dims.idx", idx_bytes(idx_images.reshape(n, h, w, 1)))
write("bad/idx-labels-as-images.idx", idx_bytes(idx_labels))
write("bad/idx-truncated.idx", good[:-100])
write("bad/idx-extra.idx", good + b"\x00" * 10)
compressed = gzip.compress(good)
write("bad/idx-truncated.idx.gz", compressed[:len(compressed) // 2])
np.save(path("bad/npy-f8.npy"), npy_images.astype(np.float64))
np.save(path("bad/npy-c16.npy"), npy_images.astype(np.complex128))
np.save(path("bad/npy-fortran.npy"), np.asfortranarray(npy_images))
np.save(path("bad/npy-labels-f4.npy"), npy_labels.astype(np.float32))
write("bad/npy-truncated.npy", npy_bytes(npy_images)[:-50])
header = b"{'descr': '|u1', 'fortran_order': False, 'shape': (37, 9 11), }"
header += b" " * (118 - len(header)) + b"\n"
write("bad/npy-header.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + npy_images.tobytes())
write("bad/npy-channels-last.npy", npy_bytes(npy_rgb.transpose(0, 2, 3, 1).copy()))
write("bad/labels-short.idx", idx_bytes(idx_labels[:-1]))
# Headers that claim far more than the file holds: refused as truncated, nothing allocated for the claim.
write("bad/labels-claim-4e9.idx", struct.pack(">BBBBI", 0, 0, 0x08, 1, 4000000000) + bytes(64))
claim = b"{'descr': '|u1', 'fortran_order': False, 'shape': (1000000, 1000, 1000), }"
claim += b" " * (118 - len(claim)) + b"\n"
write("bad/npy-claim-1e12.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(claim)) + claim + bytes(4096 - 128))
np.save(path("bad/labels-range.npy"), np.where(np.arange(n) == 11, 7, npy_labels % 5).astype(np.int64))
np.save(path("bad/labels-negative.npy"), np.where(np.arange(n) == 3, -1, npy_labels).astype(np.int64))
png("bad/folder-unreadable/a/0.png", rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8))
write("bad/folder-unreadable/a/1-broken.png", b"\x89PNG\r\n\x1a\n this is not a PNG")
png("bad/folder-unreadable/b/0.png", rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8))
os.makedirs(os.path.join(out, "bad", "folder-empty"), exist_ok=True)
png("bad/folder-empty-class/a/0.png", rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8))
os.makedirs(path("bad", "folder-empty-class", "b"), exist_ok=True)
write("bad/folder-empty-class/b/readme.txt", b"no images here")

# ---- images for display: the stored pixels as 8-bit N×H×W×C --------------------------------------

def display(images):
    """uint8 as stored; float32 through one linear map for the split: [0, 1] × 255 when every finite value
    is in [0, 1], else [min, max] → [0, 255]; floor(x + 0.5) in float64, clipped, NaN → 0."""
    a = np.asarray(images)
    if a.ndim == 3:
        a = a[:, None]
    a = a.transpose(0, 2, 3, 1)
    if a.dtype == np.uint8:
        return np.ascontiguousarray(a)
    v = a.astype(np.float64)
    finite = v[np.isfinite(v)]
    lo, hi = 0.0, 1.0
    if finite.size and not (finite.min() >= 0.0 and finite.max() <= 1.0):
        lo, hi = float(finite.min()), float(finite.max())
    k = 255.0 / (hi - lo) if hi > lo else 0.0
    with np.errstate(invalid="ignore"):
        x = np.floor((v - lo) * k + 0.5)
    return np.clip(np.nan_to_num(x, nan=0.0, posinf=255.0, neginf=0.0), 0, 255).astype(np.uint8)


expect("display-idx-u8", display(idx_images))
expect("display-idx-f32", display(idx_f32))
expect("display-npy-u8", display(npy_images))
expect("display-npy-u8-rgb", display(npy_rgb))
expect("display-npy-f32-nchw", display(npy_f32))
expect("display-npy-f32-be", display(npy_f32[:, 0]))
# More layouts: uint8 N×1×H×W; float32 in [0, 1] (N×H×W and N×3×H×W); non-finite values; one value.
n1hw = rng.integers(0, 256, size=(n, 1, h, w), dtype=np.uint8)
np.save(path("npy/images-u8-n1hw.npy"), n1hw)
expect("display-npy-u8-n1hw", display(n1hw))
unit = (0.25 + 0.5 * rng.random(size=(n, h, w))).astype(np.float32)   # not stretched to min … max
unit[0, 0, 0], unit[2] = 1.0, 0.5
np.save(path("npy/images-f32-unit.npy"), unit)
expect("display-npy-f32-unit", display(unit))
unit_rgb = rng.random(size=(n, 3, h, w), dtype=np.float32)
np.save(path("npy/images-f32-unit-nchw.npy"), unit_rgb)
expect("display-npy-f32-unit-nchw", display(unit_rgb))
special = (rng.normal(0.0, 3.0, size=(n, h, w))).astype(np.float32)
special[0, 0, :4] = [np.nan, np.inf, -np.inf, 0.0]
np.save(path("npy/images-f32-special.npy"), special)
expect("display-npy-f32-special", display(special))
const = np.full((n, h, w), 7.0, dtype=np.float32)
np.save(path("npy/images-f32-const.npy"), const)
expect("display-npy-f32-const", display(const))
assert not display(const).any() and (display(unit)[2] == 128).all() and display(unit)[0, 0, 0, 0] == 255
# Feature vectors (N × D) are not images: refused when added.
np.save(path("bad/npy-features.npy"), rng.normal(size=(n, 20)).astype(np.float32))
# Folders: RGB (alpha dropped), grey, mixed sizes (each image its own size).
expect("display-folder", np.stack([e[2] for e in folder_images]))
expect("display-folder-grey", np.stack(grey)[..., None])
for i, m in enumerate(mixed_rgb):
    expect("display-folder-mixed-%d" % i, m[None])

# ---- the real Fashion-MNIST test split, read with gzip + NumPy -----------------------------------

if os.path.exists(os.path.join(FMNIST, "t10k-images-idx3-ubyte.gz")):
    with gzip.open(os.path.join(FMNIST, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    with gzip.open(os.path.join(FMNIST, "t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    expect("fmnist-test-labels", labels.astype(np.int64))
    expect("fmnist-test-first", to_tensor(images[:300]).numpy())
    expect("fmnist-test-last", to_tensor(images[-256:]).numpy())
    expect("fmnist-test-display", images[[0, 1, 4321, 9999]][..., None])
