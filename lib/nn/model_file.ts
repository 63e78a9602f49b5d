/**
 * Model files in the safetensors format (https://github.com/huggingface/safetensors):
 *
 *   8 bytes   N, the header's length, unsigned little-endian
 *   N bytes   JSON header: {"__metadata__": {string: string},
 *                           name: {"dtype", "shape", "data_offsets": [begin, end]}}
 *   rest      the tensors' bytes, little-endian, at their offsets from here
 *
 * The network is stored as four F32 tensors in PyTorch's nn.Linear layout:
 * `hidden.weight` [H, 784], `hidden.bias` [H], `output.weight` [10, H] and
 * `output.bias` [10], so the file also loads with Python's safetensors package.
 *
 * The metadata (`__metadata__`) says what network the tensors are for:
 * `format` "mnist-deno", `layers` "784-H-10", `activation` "sigmoid" and
 * `input_scaling` (INPUT_SCALING in lib/nn/network.ts). A file that names
 * other values is another network and is refused; one that names none (a bare
 * safetensors export) loads, and `Model.assumed` says what was assumed.
 *
 * Loading follows the format's rules strictly: header length limit, valid JSON,
 * known dtypes, byte sizes matching shapes, offsets contiguous from 0 and ending
 * exactly at the end of the file. Saving writes a temporary file next to the target
 * and renames it, so a crash never leaves a half-written model behind.
 *
 * @module
 */
import { FileFormatError } from "../errors.ts";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { replaceFile } from "../atomic_file.ts";
import {
  INPUT_SCALING,
  INPUTS,
  Network,
  OUTPUTS,
  type Parameters,
} from "./network.ts";

/** Where `deno task train` saves the model, and the other scripts look for it. */
export const DEFAULT_MODEL_PATH = fileURLToPath(
  new URL("../../models/mnist-784-200-10.safetensors", import.meta.url),
);

/** The format's upper bound for the header (100 MB), against hostile lengths. */
const MAX_HEADER = 100_000_000;

const DTYPE_SIZES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** One tensor of a safetensors file. */
export interface Tensor {
  dtype: string;
  shape: number[];
  /** The raw little-endian bytes. */
  data: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafeTensors {
  metadata: Record<string, string>;
  tensors: Map<string, Tensor>;
}

/** A trained network and what its file says about it. */
export interface Model {
  network: Network;
  metadata: Record<string, string>;
  /**
   * One line saying what loading assumed because the file does not say it
   * (e.g. a bare safetensors export from PyTorch), for scripts to print; or
   * undefined when the metadata says everything this network needs.
   */
  assumed: string | undefined;
}

/** The format this project's model files name in their metadata. */
export const MODEL_FORMAT = "mnist-deno";
/** The activation of both layers, as the metadata names it. */
const ACTIVATION = "sigmoid";

/** The tensor names, in file order, and the parameter each holds. */
const LAYOUT = [
  ["hidden.weight", "w1"],
  ["hidden.bias", "b1"],
  ["output.weight", "w2"],
  ["output.bias", "b2"],
] as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses safetensors bytes. `what` names the file in error messages. Throws a
 * `FileFormatError` saying what is wrong for anything that breaks the format's rules.
 */
export function parseSafetensors(bytes: Uint8Array, what: string): SafeTensors {
  const fail = (why: string): never => {
    throw new FileFormatError(`Cannot load ${what}: ${why}`);
  };
  if (bytes.byteLength < 8) {
    fail(`file is ${bytes.byteLength} bytes, too short`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  // A length no model has, and no JSON object after it: text, an image or
  // anything else but a model.
  const header8 = bytes.byteLength > 8 ? bytes[8] : undefined;
  if (
    header8 !== "{".charCodeAt(0) &&
    (headerLength > BigInt(MAX_HEADER) || 8n + headerLength > bytes.byteLength)
  ) {
    fail("not a model file (safetensors: no JSON header after its length)");
  }
  if (headerLength > BigInt(MAX_HEADER)) {
    fail(`header length ${headerLength} exceeds the limit of ${MAX_HEADER}`);
  }
  const n = Number(headerLength);
  if (8 + n > bytes.byteLength) {
    fail(
      `header length ${n} runs past the end of the ${bytes.byteLength}-byte file`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(8, 8 + n),
    ));
  } catch {
    fail("header is not valid UTF-8 JSON");
  }
  if (!isRecord(header)) fail("header is not a JSON object");
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: [string, Tensor, number, number][] = [];
  for (
    const [name, value] of Object.entries(header as Record<string, unknown>)
  ) {
    if (name === "__metadata__") {
      if (!isRecord(value)) fail("__metadata__ is not an object");
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`metadata '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (!isRecord(value)) fail(`tensor '${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = value as Record<
      string,
      unknown
    >;
    if (typeof dtype !== "string" || !(dtype in DTYPE_SIZES)) {
      fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
    }
    const dims = Array.isArray(shape) ? shape : [];
    if (
      !Array.isArray(shape) ||
      !dims.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) {
      fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    const off = Array.isArray(offsets) ? offsets : [];
    if (
      off.length !== 2 ||
      !off.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      off[0] > off[1]
    ) {
      fail(
        `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`,
      );
    }
    const size = dims.reduce((a: number, b: number) => a * b, 1) *
      DTYPE_SIZES[dtype as string];
    if (off[1] - off[0] !== size) {
      fail(
        `tensor '${name}' [${
          dims.join(", ")
        }] ${dtype} needs ${size} bytes, its offsets span ${off[1] - off[0]}`,
      );
    }
    entries.push([
      name,
      {
        dtype: dtype as string,
        shape: dims as number[],
        data: new Uint8Array(),
      },
      off[0],
      off[1],
    ]);
  }
  // The tensors must tile the data area exactly: sorted by offset, each starts
  // where the previous one ended, the first at 0 and the last at the file's end.
  entries.sort((a, b) => a[2] - b[2] || a[3] - b[3]);
  let end = 0;
  const tensors = new Map<string, Tensor>();
  for (const [name, tensor, begin, stop] of entries) {
    if (begin !== end) {
      fail(
        begin < end
          ? `tensor '${name}' overlaps the previous tensor`
          : `tensor '${name}' starts at ${begin}, leaving a gap after ${end}`,
      );
    }
    tensor.data = data.subarray(begin, stop);
    tensors.set(name, tensor);
    end = stop;
  }
  if (end > data.byteLength) {
    fail(
      `truncated: tensors need ${end} bytes of data, file has ${data.byteLength}`,
    );
  }
  if (end !== data.byteLength) {
    fail(`${data.byteLength - end} bytes after the last tensor`);
  }
  return { metadata, tensors };
}

/** Encodes tensors and metadata as safetensors bytes (tensors in the given order). */
export function encodeSafetensors(
  tensors: [string, Tensor][],
  metadata: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces so the data starts 8-byte aligned, as the
  // reference writer does.
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const [, t] of tensors) {
    out.set(t.data, at);
    at += t.data.byteLength;
  }
  return out;
}

const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f32Bytes(a: Float32Array): Uint8Array {
  if (!le) throw new Error("model files need a little-endian machine");
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The network's parameters as safetensors bytes, with `metadata`. */
export function encodeModel(
  network: Network,
  metadata: Record<string, string>,
): Uint8Array {
  const H = network.hidden;
  const shapes = { w1: [H, INPUTS], b1: [H], w2: [OUTPUTS, H], b2: [OUTPUTS] };
  return encodeSafetensors(
    LAYOUT.map(([name, key]) => [name, {
      dtype: "F32",
      shape: shapes[key],
      data: f32Bytes(network.params[key]),
    }]),
    metadata,
  );
}

/** Builds a network from parsed safetensors, checking names, dtypes and shapes. */
export function decodeModel(file: SafeTensors, what: string): Model {
  const fail = (why: string): never => {
    throw new FileFormatError(`Cannot load ${what}: ${why}`);
  };
  const get = (name: string) => {
    const t = file.tensors.get(name);
    if (!t) fail(`no tensor '${name}'`);
    if (t!.dtype !== "F32") {
      fail(`tensor '${name}' is ${t!.dtype}, expected F32`);
    }
    return t!;
  };
  const w1 = get("hidden.weight");
  const H = w1.shape[0];
  const expected: Record<string, number[]> = {
    "hidden.weight": [H, INPUTS],
    "hidden.bias": [H],
    "output.weight": [OUTPUTS, H],
    "output.bias": [OUTPUTS],
  };
  if (!(H >= 1)) {
    fail(`tensor 'hidden.weight' has shape [${w1.shape.join(", ")}]`);
  }
  const params = {} as Parameters;
  for (const [name, key] of LAYOUT) {
    const t = get(name);
    if (t.shape.join() !== expected[name].join()) {
      fail(
        `tensor '${name}' has shape [${t.shape.join(", ")}], expected [${
          expected[name].join(", ")
        }]`,
      );
    }
    // Copy: the file's bytes need not be 4-byte aligned.
    const copy = new Float32Array(t.data.byteLength / 4);
    new Uint8Array(copy.buffer).set(t.data);
    if (!copy.every(Number.isFinite)) {
      fail(`tensor '${name}' holds NaN or infinity`);
    }
    params[key] = copy;
  }
  const extra = [...file.tensors.keys()].filter((k) =>
    !Object.hasOwn(expected, k)
  );
  if (extra.length) fail(`unexpected tensor '${extra[0]}'`);
  const assumed = checkMetadata(file.metadata, H, fail, what);
  return { network: new Network(params), metadata: file.metadata, assumed };
}

/**
 * Refuses metadata that describes another network than the tensors make:
 * each field this network depends on must be absent or hold its value.
 * Returns what was assumed for the absent ones (see `Model.assumed`).
 */
function checkMetadata(
  metadata: Record<string, string>,
  hidden: number,
  fail: (why: string) => never,
  what: string,
): string | undefined {
  // Format first: another format's other fields mean other things.
  const needed: [field: string, value: string, assumption?: string][] = [
    ["format", MODEL_FORMAT],
    ["input_scaling", INPUT_SCALING, `input scaling ${INPUT_SCALING}`],
    ["activation", ACTIVATION, `${ACTIVATION} activations on both layers`],
    ["layers", `${INPUTS}-${hidden}-${OUTPUTS}`],
  ];
  const absent: string[] = [];
  const assumptions: string[] = [];
  for (const [field, value, assumption] of needed) {
    const got = metadata[field];
    if (got === undefined) {
      if (assumption) {
        absent.push(field);
        assumptions.push(assumption);
      }
      continue;
    }
    if (got !== value) {
      fail(
        `metadata '${field}' is ${JSON.stringify(got)}, this network needs ${
          JSON.stringify(value)
        }${field === "layers" ? " (the tensors' shapes)" : ""}`,
      );
    }
  }
  return absent.length
    ? `${what} does not say its ${absent.join(" or ")}: assuming ${
      assumptions.join(" and ")
    }`
    : undefined;
}

/**
 * Loads and validates a model file. `note`, when given, receives the one line
 * that says what was assumed about a file whose metadata is silent.
 */
export async function loadModel(
  path = DEFAULT_MODEL_PATH,
  { note }: { note?: (line: string) => void } = {},
): Promise<Model> {
  const what = `model '${path}'`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot load ${what}: no such file (train one with \`deno task train\`)`,
      );
    }
    if (e instanceof Deno.errors.IsADirectory) {
      throw new Deno.errors.IsADirectory(
        `Cannot load ${what}: it is a folder, not a model file`,
      );
    }
    throw e;
  }
  const model = decodeModel(parseSafetensors(bytes, what), what);
  if (model.assumed) note?.(model.assumed);
  return model;
}

/**
 * Saves a model atomically (lib/atomic_file.ts): readers see the old file or the
 * new one, never a mix, and an interrupted save leaves the old file intact.
 */
export async function saveModel(
  path: string,
  network: Network,
  metadata: Record<string, string>,
): Promise<void> {
  const bytes = encodeModel(network, metadata);
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  await replaceFile(
    path,
    bytes,
    join(dir, `.${basename(path)}.${Deno.pid}.tmp`),
  );
}
