#!/usr/bin/env python3
"""JAX reference for the MNIST trainer: the recipe of bench/mnist_numpy.py, jitted.

The same 784-200-10 sigmoid network, initialisation, inputs, loss, momentum SGD
and learning-rate schedule as the NumPy reference (see its docstring), written
the way a JAX user makes it fast on a CPU:

- the training set goes to the device once, as float32 already scaled;
- one epoch is one jitted function: a permutation from jax.random, then a
  jax.lax.scan over the batches that carries the parameters and the velocity,
  gathering each batch on the device; the gradients come from jax.grad;
- parameters and velocity are donated, so XLA updates them in place;
- the epoch is compiled ahead of time, so no epoch's time includes compiling.

After the run it prints one JSON line, for bench/_jax_bench.ts to read:

    {"epoch_seconds": [0.61, 0.60], "compile_seconds": 0.4, "accuracy": 0.9712, ...}

`epoch_seconds` holds each epoch's training time (shuffle, gathers, steps;
evaluation excluded), `cpu_seconds` the CPU time the process used meanwhile, all
threads together (steadier than the wall time on a busy machine when the run is
held to one core, e.g. by taskset -c 0); `accuracy` is the test accuracy after
the last epoch.

Usage:
    JAX_PLATFORMS=cpu python3 bench/mnist_jax.py [--data DIR] [--epochs 3]
        [--batch 64] [--rate 0.2] [--momentum 0.9] [--seed 1] [--limit N]

DIR is as for bench/mnist_numpy.py (the four IDX files, each maybe gzipped).
"""

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

# The reference runs on the CPU unless told otherwise; set before jax is imported.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_numpy import CLASSES, DEFAULT_DATA_DIR, DataError, Network, load_split  # noqa: E402


def forward(params, x):
    w1, b1, w2, b2 = params
    h = jax.nn.sigmoid(x @ w1 + b1)  # (B, 200)
    return h @ w2 + b2  # (B, 10) logits


def loss_fn(params, x, t):
    """Binary cross-entropy of each sigmoid output against 0/1 targets, batch mean.

    softplus(z) - t z is -log(sigmoid(z)) for t = 1 and -log(1 - sigmoid(z)) for
    t = 0; its gradient with respect to z is sigmoid(z) - t, as in the reference.
    """
    z = forward(params, x)
    return jnp.sum(jax.nn.softplus(z) - t * z) / x.shape[0]


def make_epoch(n, batch, epochs, peak, momentum):
    """Returns epoch(params, velocity, key, epoch_index, x, labels) -> (params, velocity, mean_loss)."""
    steps = n // batch  # the last incomplete batch is skipped, as in the reference
    total = epochs * steps
    grad_fn = jax.value_and_grad(loss_fn)

    def epoch(params, velocity, key, epoch_index, x, labels):
        order = jax.random.permutation(key, n)[: steps * batch].reshape(steps, batch)
        first = epoch_index * steps

        def step(carry, item):
            params, velocity = carry
            i, idx = item
            s = (first + i).astype(jnp.float32)
            # Linear warm-up over the first epoch, times cosine decay to zero.
            rate = peak * jnp.minimum(1.0, (s + 1) / steps) * 0.5 * (1 + jnp.cos(jnp.pi * s / total))
            t = jax.nn.one_hot(labels[idx], CLASSES, dtype=jnp.float32)
            loss, grads = grad_fn(params, x[idx], t)
            velocity = tuple(momentum * v - rate * g for v, g in zip(velocity, grads))
            params = tuple(p + v for p, v in zip(params, velocity))
            return (params, velocity), loss

        (params, velocity), losses = jax.lax.scan(step, (params, velocity), (jnp.arange(steps), order))
        return params, velocity, jnp.mean(losses)

    return jax.jit(epoch, donate_argnums=(0, 1))


@jax.jit
def correct_count(params, x, labels):
    return jnp.sum(jnp.argmax(forward(params, x), axis=1) == labels)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="folder with the IDX files")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--rate", type=float, default=0.2, help="peak learning rate")
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N train and test images")
    args = ap.parse_args(argv)
    limit = sys.maxsize if args.limit is None else args.limit
    if args.epochs < 1 or args.batch < 1 or limit < 1:
        ap.error("--epochs, --batch and --limit must be positive")

    try:
        x_train, y_train = load_split(args.data, "train", limit)
        x_test, y_test = load_split(args.data, "test", limit)
    except (DataError, OSError) as e:
        print(e, file=sys.stderr)
        return 1
    n = len(x_train)
    if n < args.batch:
        ap.error(f"--batch {args.batch} is larger than the {n} training images")

    # The same initial weights as the NumPy reference with the same seed.
    net = Network(np.random.default_rng(args.seed))
    params = tuple(jnp.asarray(p) for p in net.params)
    velocity = tuple(jnp.zeros_like(p) for p in params)
    x_train, y_train = jax.device_put(x_train), jax.device_put(y_train.astype(np.int32))
    x_test, y_test = jax.device_put(x_test), jax.device_put(y_test.astype(np.int32))
    key = jax.random.key(args.seed)

    t0 = time.perf_counter()
    epoch_fn = (
        make_epoch(n, args.batch, args.epochs, args.rate, args.momentum)
        .lower(params, velocity, key, jnp.int32(0), x_train, y_train)
        .compile()
    )
    compile_seconds = time.perf_counter() - t0

    epoch_seconds, cpu_seconds, losses = [], [], []
    for e in range(args.epochs):
        key, sub = jax.random.split(key)
        jax.block_until_ready(sub)
        t0, c0 = time.perf_counter(), time.process_time()
        params, velocity, loss = epoch_fn(params, velocity, sub, jnp.int32(e), x_train, y_train)
        jax.block_until_ready((params, velocity, loss))
        epoch_seconds.append(time.perf_counter() - t0)
        cpu_seconds.append(time.process_time() - c0)
        losses.append(float(loss))
        if not math.isfinite(losses[-1]):
            print(f"training diverged in epoch {e + 1}: try a smaller --rate than {args.rate}", file=sys.stderr)
            return 1
    accuracy = int(correct_count(params, x_test, y_test)) / len(y_test)

    print(
        json.dumps(
            {
                "epoch_seconds": [round(s, 4) for s in epoch_seconds],
                "cpu_seconds": [round(s, 4) for s in cpu_seconds],
                "compile_seconds": round(compile_seconds, 3),
                "loss": [round(v, 4) for v in losses],
                "accuracy": accuracy,
                "jax": jax.__version__,
                "device": str(jax.devices()[0]),
                "cpus": os.cpu_count(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
