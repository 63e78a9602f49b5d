/**
 * The layer functions on parts of a layer, as the two-thread trainer calls
 * them: the output layer over column blocks of its input, against the whole
 * layer and against a naive float64 product.
 */
import { assert, assertEquals } from "./_assert.ts";
import { linearBackward, linearForward } from "../lib/nn/layers.ts";
import { Random } from "../lib/random.ts";
import { naiveGemm } from "./_naive.ts";

const rng = new Random(11);
const rand = (n: number) =>
  Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

/** Largest difference between two arrays of the same length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

// A layer of C_in = 7 inputs and C_out = 3 outputs over n = 5 rows, its
// input split into columns 0..3 and 4..6, as two threads split the hidden
// units that feed the output layer.
const n = 5, C_in = 7, C_out = 3, split = 4;
const x = rand(n * C_in), W = rand(C_out * C_in), b = rand(C_out);
const dout = rand(n * C_out), ones = new Float32Array(n).fill(1);
/** Columns `from` .. `to` - 1 of the (n, C_in) input, as their own matrix. */
const columns = (from: number, to: number) =>
  Float32Array.from(
    { length: n * (to - from) },
    (_, i) => x[Math.floor(i / (to - from)) * C_in + from + i % (to - from)],
  );

Deno.test("linearForward() over column blocks of W adds up to the whole layer", () => {
  const whole = new Float32Array(n * C_out);
  linearForward(whole, x, W, b, n, C_in, C_out);
  const want = naiveGemm(
    false,
    true,
    n,
    C_out,
    C_in,
    1,
    x,
    C_in,
    W,
    C_in,
    0,
    new Float32Array(n * C_out),
    C_out,
  ).map((v, i) => v + b[i % C_out]);
  assert(maxDiff(whole, want) < 1e-5, "the whole layer is x W^T + b");
  const parts = new Float32Array(n * C_out);
  linearForward(parts, columns(0, split), W, b, n, split, C_out, C_in);
  linearForward(
    parts,
    columns(split, C_in),
    W.subarray(split),
    null,
    n,
    C_in - split,
    C_out,
    C_in,
  );
  assert(maxDiff(parts, whole) < 1e-5, `blocks: ${maxDiff(parts, whole)}`);
});

Deno.test("linearBackward() over column blocks gives the whole layer's gradients", () => {
  const beta = 0.5;
  const dW0 = rand(C_out * C_in), db0 = rand(C_out);
  const dx = new Float32Array(n * C_in), dW = dW0.slice(), db = db0.slice();
  linearBackward(dx, dW, db, dout, x, W, ones, n, C_in, C_out, beta);
  const wantDx = naiveGemm(
    false,
    false,
    n,
    C_in,
    C_out,
    1,
    dout,
    C_out,
    W,
    C_in,
    0,
    new Float32Array(n * C_in),
    C_in,
  );
  const wantDW = naiveGemm(
    true,
    false,
    C_out,
    C_in,
    n,
    1,
    dout,
    C_out,
    x,
    C_in,
    beta,
    dW0,
    C_in,
  );
  assert(maxDiff(dx, wantDx) < 1e-5, "dx = dout W");
  assert(maxDiff(dW, wantDW) < 1e-5, "dW = dout^T x + beta dW");
  for (let j = 0; j < C_out; j++) {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += dout[r * C_out + j];
    assert(Math.abs(db[j] - (sum + beta * db0[j])) < 1e-5, `db[${j}]`);
  }
  // The same by blocks: each block's dx columns, and dW's columns in place.
  const dxA = new Float32Array(n * split),
    dxB = new Float32Array(n * (C_in - split));
  const dWb = dW0.slice(), dbb = db0.slice();
  linearBackward(
    dxA,
    dWb,
    dbb,
    dout,
    columns(0, split),
    W,
    ones,
    n,
    split,
    C_out,
    beta,
    C_in,
  );
  linearBackward(
    dxB,
    dWb.subarray(split),
    null,
    dout,
    columns(split, C_in),
    W.subarray(split),
    ones,
    n,
    C_in - split,
    C_out,
    beta,
    C_in,
  );
  const joined = Float32Array.from(
    { length: n * C_in },
    (_, i) => {
      const r = Math.floor(i / C_in), c = i % C_in;
      return c < split
        ? dxA[r * split + c]
        : dxB[r * (C_in - split) + c - split];
    },
  );
  assert(maxDiff(joined, dx) < 1e-6, "dx by blocks");
  assertEquals(dWb, dW, "dW by blocks, bit for bit");
  assertEquals(dbb, db, "db once, from the first block");
});
