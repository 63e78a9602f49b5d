import { FileFormatError } from "../lib/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import {
  decodeModel,
  encodeModel,
  encodeSafetensors,
  loadModel,
  MODEL_FORMAT,
  parseSafetensors,
  saveModel,
} from "../lib/nn/model_file.ts";
import { INPUT_SCALING, Network } from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";

const net = () => Network.random(7, new Random(2));
const meta = { activation: "sigmoid", epochs: "3" };

/** safetensors bytes with the given header object and data length. */
function raw(
  header: unknown,
  dataBytes: number,
  headerText = JSON.stringify(header),
) {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}
const f32 = (shape: number[], begin: number) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, begin + shape.reduce((a, b) => a * b, 1) * 4],
});

Deno.test("encodeModel() and decodeModel() round-trip weights and metadata", () => {
  const a = net();
  const bytes = encodeModel(a, meta);
  const m = decodeModel(parseSafetensors(bytes, "m"), "m");
  assertEquals(m.metadata, meta);
  assertEquals(m.network.hidden, 7);
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    assertEquals(m.network.params[k], a.params[k]);
  }
  // The header is padded so that tensor data starts 8-byte aligned.
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals((8 + n) % 8, 0);
});

Deno.test("saveModel() writes a file that Python reads as nn.Linear tensors", async () => {
  const dir = await Deno.makeTempDir();
  const a = net();
  await saveModel(`${dir}/sub/m.safetensors`, a, meta);
  // An independent reader in Python's standard library.
  const script = `
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n, = struct.unpack('<Q', b[:8]); h = json.loads(b[8:8+n]); data = b[8+n:]
out = {'meta': h.pop('__metadata__')}
for k, v in h.items():
    s, e = v['data_offsets']
    t = struct.unpack('<%df' % ((e - s) // 4), data[s:e])
    size = 1
    for d in v['shape']: size *= d
    assert size == len(t)
    out[k] = [v['shape'], sum(t), t[0]]
print(json.dumps(out))`;
  const res = await new Deno.Command("python3", {
    args: ["-c", script, `${dir}/sub/m.safetensors`],
    stdout: "piped",
  }).output();
  assert(res.success, "python3 reads the file");
  const got = JSON.parse(new TextDecoder().decode(res.stdout));
  assertEquals(got.meta, meta);
  const sum = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
  const check = (name: string, shape: number[], x: Float32Array) => {
    assertEquals(got[name][0], shape);
    assert(Math.abs(got[name][1] - sum(x)) < 1e-4, `${name} sum`);
    assertEquals(got[name][2], x[0]);
  };
  check("hidden.weight", [7, 784], a.params.w1);
  check("hidden.bias", [7], a.params.b1);
  check("output.weight", [10, 7], a.params.w2);
  check("output.bias", [10], a.params.b2);
  assertEquals([...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name), [
    "m.safetensors",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveModel() replaces a model atomically and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/m.safetensors`;
  await saveModel(path, net(), meta);
  await saveModel(path, Network.random(3, new Random(9)), { v: "2" });
  assertEquals((await loadModel(path)).metadata, { v: "2" });
  assertEquals([...Deno.readDirSync(dir)].length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveModel() that cannot replace the target keeps it and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  // A non-empty folder where the model should go: the rename fails.
  await Deno.mkdir(`${dir}/m.safetensors`);
  await Deno.writeTextFile(`${dir}/m.safetensors/keep`, "x");
  await assertRejects(
    () => saveModel(`${dir}/m.safetensors`, net(), meta),
    Error,
  );
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), [
    "m.safetensors",
  ]);
  assertEquals(await Deno.readTextFile(`${dir}/m.safetensors/keep`), "x");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("parseSafetensors() rejects files that break the format's rules", () => {
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(5), "too short"],
    [
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 200_000_000n, true);
        b[8] = "{".charCodeAt(0);
        return b;
      })(),
      "exceeds the limit",
    ],
    [
      new TextEncoder().encode("# a text file, not a model\n"),
      "not a model file",
    ],
    [
      (() => {
        const b = raw({}, 0);
        new DataView(b.buffer).setBigUint64(0, 500n, true);
        return b;
      })(),
      "runs past the end",
    ],
    [raw(null, 0, "{not json"), "not valid UTF-8 JSON"],
    [raw([], 0), "not a JSON object"],
    [raw({ __metadata__: { a: 1 } }, 0), "metadata 'a' is not a string"],
    [
      raw({ t: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, 4),
      "unknown dtype",
    ],
    [
      raw({ t: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4),
      "invalid shape",
    ],
    [
      raw({ t: { dtype: "F32", shape: [2], data_offsets: [4, 0] } }, 4),
      "invalid data_offsets",
    ],
    [
      raw({ t: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, 4),
      "needs 8 bytes, its offsets span 4",
    ],
    [raw({ a: f32([1], 0), b: f32([1], 8) }, 12), "leaving a gap after 4"],
    [raw({ a: f32([2], 0), b: f32([1], 4) }, 12), "overlaps"],
    [
      raw({ a: f32([1], 4), b: f32([1], 0) }, 9),
      "1 bytes after the last tensor",
    ],
    [
      raw({ a: f32([1], 0), b: f32([2], 4) }, 8),
      "truncated: tensors need 12 bytes of data, file has 8",
    ],
  ];
  for (const [bytes, fragment] of cases) {
    assertThrows(
      () => parseSafetensors(bytes, "model 'x'"),
      FileFormatError,
      fragment,
    );
  }
  // Offsets need not be in header order; the tensors must tile the data exactly.
  const ok = parseSafetensors(raw({ b: f32([1], 4), a: f32([1], 0) }, 8), "x");
  assertEquals([...ok.tensors.keys()], ["a", "b"]);
});

Deno.test("decodeModel() rejects missing tensors, wrong dtypes, shapes and NaN", () => {
  const good = () => parseSafetensors(encodeModel(net(), {}), "m");
  const t = (
    name: string,
    dtype: string,
    shape: number[],
    data = new Uint8Array(shape.reduce((a, b) => a * b, 1) * 4),
  ) =>
    [name, { dtype, shape, data }] as [
      string,
      { dtype: string; shape: number[]; data: Uint8Array },
    ];
  const withTensors = (...list: ReturnType<typeof t>[]) =>
    parseSafetensors(encodeSafetensors(list, {}), "m");
  const all = [
    t("hidden.weight", "F32", [7, 784]),
    t("hidden.bias", "F32", [7]),
    t("output.weight", "F32", [10, 7]),
    t("output.bias", "F32", [10]),
  ];
  assertEquals(decodeModel(withTensors(...all), "m").network.hidden, 7);
  assertThrows(
    () => decodeModel(withTensors(...all.slice(0, 3)), "model 'p'"),
    FileFormatError,
    "Cannot load model 'p': no tensor 'output.bias'",
  );
  assertThrows(
    () =>
      decodeModel(
        withTensors(all[0], all[1], t("output.weight", "F32", [10, 8]), all[3]),
        "m",
      ),
    FileFormatError,
    "tensor 'output.weight' has shape [10, 8], expected [10, 7]",
  );
  assertThrows(
    () =>
      decodeModel(
        withTensors(t("hidden.weight", "F32", [7, 783]), ...all.slice(1)),
        "m",
      ),
    FileFormatError,
    "has shape [7, 783], expected [7, 784]",
  );
  assertThrows(
    () =>
      decodeModel(
        withTensors(
          all[0],
          t("hidden.bias", "F64", [7], new Uint8Array(56)),
          all[2],
          all[3],
        ),
        "m",
      ),
    FileFormatError,
    "tensor 'hidden.bias' is F64, expected F32",
  );
  assertThrows(
    () => decodeModel(withTensors(...all, t("extra", "F32", [1])), "m"),
    FileFormatError,
    "unexpected tensor 'extra'",
  );
  // A name that only an object's prototype knows is no exception.
  assertThrows(
    () => decodeModel(withTensors(...all, t("constructor", "F32", [1])), "m"),
    FileFormatError,
    "unexpected tensor 'constructor'",
  );
  const nan = new Uint8Array(new Float32Array(10).fill(NaN).buffer);
  assertThrows(
    () =>
      decodeModel(
        withTensors(...all.slice(0, 3), t("output.bias", "F32", [10], nan)),
        "m",
      ),
    FileFormatError,
    "holds NaN",
  );
  assert(good().tensors.size === 4);
});

Deno.test("loadModel() says how to train a model when the file is missing", async () => {
  await assertRejects(
    () => loadModel("/nonexistent/m.safetensors"),
    Deno.errors.NotFound,
    "Cannot load model '/nonexistent/m.safetensors': no such file (train one with `deno task train`)",
  );
  const dir = await Deno.makeTempDir();
  await assertRejects(
    () => loadModel(dir),
    Deno.errors.IsADirectory,
    `Cannot load model '${dir}': it is a folder, not a model file`,
  );
  const bytes = encodeModel(net(), meta);
  await Deno.writeFile(
    `${dir}/cut.safetensors`,
    bytes.subarray(0, bytes.length - 4),
  );
  await assertRejects(
    () => loadModel(`${dir}/cut.safetensors`),
    FileFormatError,
    "truncated",
  );
  await Deno.remove(dir, { recursive: true });
});

/** The metadata `deno task train` writes, for a 784-7-10 network. */
const FULL = {
  format: MODEL_FORMAT,
  layers: "784-7-10",
  activation: "sigmoid",
  input_scaling: INPUT_SCALING,
  epochs: "3",
};

Deno.test("decodeModel() refuses metadata of another network, naming the field and both values", () => {
  const cases: [Record<string, string>, string][] = [
    [
      { format: "pt" },
      `metadata 'format' is "pt", this network needs "mnist-deno"`,
    ],
    [
      { input_scaling: "x/255" },
      `metadata 'input_scaling' is "x/255", this network needs "x/255*0.99+0.01"`,
    ],
    [
      { activation: "relu" },
      `metadata 'activation' is "relu", this network needs "sigmoid"`,
    ],
    [
      { layers: "784-200-10" },
      `metadata 'layers' is "784-200-10", this network needs "784-7-10" (the tensors' shapes)`,
    ],
  ];
  for (const [change, message] of cases) {
    const bytes = encodeModel(net(), { ...FULL, ...change });
    const e = assertThrows(
      () => decodeModel(parseSafetensors(bytes, "model 'p'"), "model 'p'"),
      FileFormatError,
      `Cannot load model 'p': ${message}`,
    );
    assert(!e.message.includes("\n"), e.message);
  }
  const ok = decodeModel(
    parseSafetensors(encodeModel(net(), FULL), "m"),
    "m",
  );
  assertEquals(ok.assumed, undefined);
});

Deno.test("loadModel() of the fixture model assumes nothing", async () => {
  const m = await loadModel(
    new URL("fixtures/model-784-200-10.safetensors", import.meta.url).pathname,
  );
  assertEquals(m.assumed, undefined);
  assertEquals(m.network.hidden, 200);
});

Deno.test("loadModel() loads a bare safetensors file without metadata, and says what it assumes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bare.safetensors`;
    // Written by Python's standard library, as a PyTorch nn.Linear export
    // would be: no __metadata__, tensors in another order, no padding.
    const script = `
import json, struct, sys, array
H = 3
def values(n, k): return array.array('f', [((i * 7 + k) % 11 - 5) / 10 for i in range(n)])
tensors = [("output.bias", [10], values(10, 1)), ("hidden.weight", [H, 784], values(H * 784, 2)),
           ("output.weight", [10, H], values(10 * H, 3)), ("hidden.bias", [H], values(H, 4))]
header, data, at = {}, b"", 0
for name, shape, v in tensors:
    b = v.tobytes()
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [at, at + len(b)]}
    at += len(b); data += b
h = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + data)
`;
    const out = await new Deno.Command("python3", {
      args: ["-c", script, path],
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    const notes: string[] = [];
    const m = await loadModel(path, { note: (line) => notes.push(line) });
    assertEquals(notes, [m.assumed]);
    assertEquals(m.metadata, {});
    assertEquals(m.network.hidden, 3);
    // Values as Python wrote them, in float32.
    assertEquals(
      m.network.params.b2[1],
      Math.fround(((1 * 7 + 1) % 11 - 5) / 10),
    );
    assertEquals(
      m.network.params.w1[5],
      Math.fround(((5 * 7 + 2) % 11 - 5) / 10),
    );
    assertEquals(
      m.assumed,
      `model '${path}' does not say its input_scaling or activation: assuming input scaling x/255*0.99+0.01 and sigmoid activations on both layers`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
