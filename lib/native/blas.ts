/**
 * Binding to the system's OpenBLAS (Debian: libopenblas0-pthread) through Deno FFI.
 *
 * OpenBLAS picks its CPU kernel when the library is loaded, from the variable
 * OPENBLAS_CORETYPE or its own CPU detection. Older releases (0.3.21, Debian 12)
 * do not know newer CPUs and fall back to the slowest kernel (`Prescott`), about
 * six times slower than the right one. So before loading, unless the user set
 * OPENBLAS_CORETYPE, we read the CPU's features and name the kernel ourselves.
 *
 * The library loads on first use (lib/native/library.ts): from the path in
 * MNIST_OPENBLAS_PATH when it is set, else by this system's names for it. On
 * macOS the last of those is Apple's Accelerate framework, whose CBLAS
 * functions are the same; it has none of OpenBLAS's own `openblas_*`
 * functions, so those are optional here and `loadBlas()` does without them.
 *
 * Only the few routines the network needs are bound. BLAS reports no errors, so
 * every wrapper checks dimensions and buffer lengths before the call: a wrong size
 * would otherwise read or write out of bounds.
 *
 * @module
 */
import { cpuFeatures } from "./cpu_features.ts";
import { LIBRARIES, openLibraryFrom } from "./library.ts";

/** Row-major storage (CBLAS_ORDER). */
const ROW_MAJOR = 101;
/** CBLAS_TRANSPOSE values. */
const NO_TRANS = 111;
const TRANS = 112;

const SYMBOLS = {
  // void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE transA, CBLAS_TRANSPOSE transB,
  //   blasint M, blasint N, blasint K, float alpha, const float *A, blasint lda,
  //   const float *B, blasint ldb, float beta, float *C, blasint ldc)
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  // void cblas_sgemv(CBLAS_ORDER order, CBLAS_TRANSPOSE trans, blasint M, blasint N,
  //   float alpha, const float *A, blasint lda, const float *x, blasint incx,
  //   float beta, float *y, blasint incy)
  cblas_sgemv: {
    parameters: [
      "i32", // order
      "i32", // trans
      "i32", // M
      "i32", // N
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // x
      "i32", // incx
      "f32", // beta
      "buffer", // y
      "i32", // incy
    ],
    result: "void",
  },
  // void cblas_saxpy(blasint n, float alpha, const float *x, blasint incx, float *y, blasint incy)
  cblas_saxpy: {
    parameters: [
      "i32", // n
      "f32", // alpha
      "buffer", // x
      "i32", // incx
      "buffer", // y
      "i32", // incy
    ],
    result: "void",
  },
  // void cblas_sscal(blasint n, float alpha, float *x, blasint incx)
  cblas_sscal: {
    parameters: [
      "i32", // n
      "f32", // alpha
      "buffer", // x
      "i32", // incx
    ],
    result: "void",
  },
  // OpenBLAS's own functions: optional, as other CBLAS libraries (Accelerate)
  // lack them; a missing one is null.
  // void openblas_set_num_threads(int num_threads)
  openblas_set_num_threads: {
    parameters: ["i32"],
    result: "void",
    optional: true,
  },
  // int openblas_get_num_threads(void)
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  // char *openblas_get_corename(void)
  openblas_get_corename: { parameters: [], result: "pointer", optional: true },
  // char *openblas_get_config(void)
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** OpenBLAS's name and override variable (MNIST_OPENBLAS_PATH). */
export const OPENBLAS = LIBRARIES.OpenBLAS;

/**
 * The OpenBLAS kernel for a CPU with these features (named as in /proc/cpuinfo),
 * or undefined
 * where OpenBLAS's own detection should decide.
 */
export function coreTypeForFlags(flags: Set<string>): string | undefined {
  const has = (...names: string[]) => names.every((n) => flags.has(n));
  if (has("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")) {
    return "SkylakeX";
  }
  if (has("avx2", "fma")) return "Haswell";
  if (has("avx")) return "Sandybridge";
  return undefined;
}

/**
 * How the kernel was chosen; "openblas" is the library's own choice (also for
 * a library other than OpenBLAS).
 */
export type CoreTypeSource = "environment" | "detected" | "openblas";

/** What was loaded and how it runs. */
export interface BlasInfo {
  /** The path or name the library was loaded from. */
  library: string;
  /**
   * The kernel OpenBLAS runs, as it reports it (e.g. "SkylakeX"); for another
   * CBLAS library, its name ("Accelerate", else "unknown").
   */
  core: string;
  /** Who chose the kernel: the user's OPENBLAS_CORETYPE, our detection, or OpenBLAS. */
  coreSource: CoreTypeSource;
  /** Threads OpenBLAS uses; 1 for a library that does not say. */
  threads: number;
  /** OpenBLAS's build configuration string; for another library, its name. */
  config: string;
}

/**
 * What a CBLAS library loaded from `path` runs, but its thread count: what
 * OpenBLAS reports of itself (`own`, from openblas_get_corename() and
 * openblas_get_config()), or, for a library without those functions, its name
 * ("Accelerate", else "unknown"). Our choice of kernel means nothing to
 * another library, so it is then that library's own.
 */
export function describeBlas(
  path: string,
  coreSource: CoreTypeSource,
  own: { core: string; config: string } | null,
): Omit<BlasInfo, "threads"> {
  if (own) return { library: path, coreSource, ...own };
  const name = /Accelerate\.framework/.test(path) ? "Accelerate" : "unknown";
  return {
    library: path,
    core: name,
    coreSource: coreSource === "detected" ? "openblas" : coreSource,
    config: name,
  };
}

function chooseCoreType(): CoreTypeSource {
  if (Deno.env.get("OPENBLAS_CORETYPE")) return "environment";
  // The kernels named are x86-64 ones.
  if (Deno.build.arch !== "x86_64") return "openblas";
  const features = cpuFeatures();
  const core = features && coreTypeForFlags(features);
  if (!core) return "openblas";
  Deno.env.set("OPENBLAS_CORETYPE", core);
  return "detected";
}

let symbols: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] | undefined;
let info: BlasInfo | undefined;

function readCString(p: Deno.PointerValue): string {
  return p ? Deno.UnsafePointerView.getCString(p) : "";
}

/**
 * Loads OpenBLAS once (choosing its kernel first, see the module's doc) and
 * returns what runs. `threads` sets how many threads it uses (default: all cores).
 */
export function loadBlas({ threads }: { threads?: number } = {}): BlasInfo {
  if (!symbols) {
    const coreSource = chooseCoreType();
    const { library, path } = openLibraryFrom(OPENBLAS, SYMBOLS);
    symbols = library.symbols;
    const { openblas_get_corename: corename, openblas_get_config: config } =
      symbols;
    const own = corename && config
      ? {
        core: readCString(corename()),
        config: readCString(config()).trim(),
      }
      : null;
    info = { ...describeBlas(path, coreSource, own), threads: 0 };
  }
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(
        `threads must be a positive integer, got ${threads}`,
      );
    }
    // A library without openblas_set_num_threads() manages its threads itself.
    symbols.openblas_set_num_threads?.(threads);
  }
  info!.threads = symbols.openblas_get_num_threads?.() ?? 1;
  return { ...info! };
}

function lib() {
  if (!symbols) loadBlas();
  return symbols!;
}

/** Checks that `v`, argument `name` of `what`, is a valid BLAS dimension. */
function checkDim(what: string, name: string, v: number) {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new RangeError(
      `${what}: ${name} must be a non-negative int32, got ${v}`,
    );
  }
}

function checkMatrix(
  what: string,
  name: string,
  buf: Float32Array,
  rows: number,
  cols: number,
  ld: number,
) {
  if (ld < Math.max(1, cols)) {
    throw new RangeError(
      `${what}: leading dimension of ${name} is ${ld}, its rows hold ${cols}`,
    );
  }
  const need = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
  if (buf.length < need) {
    throw new RangeError(
      `${what}: ${name} has ${buf.length} elements, a ${rows}x${cols} matrix with leading dimension ${ld} needs ${need}`,
    );
  }
}

/**
 * C = alpha * op(A) * op(B) + beta * C, all row-major, where op(X) is X or its
 * transpose. op(A) is m x k, op(B) is k x n, C is m x n.
 */
export function sgemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
): void {
  checkDim("sgemm", "m", m);
  checkDim("sgemm", "n", n);
  checkDim("sgemm", "k", k);
  checkDim("sgemm", "lda", lda);
  checkDim("sgemm", "ldb", ldb);
  checkDim("sgemm", "ldc", ldc);
  checkMatrix("sgemm", "A", a, transA ? k : m, transA ? m : k, lda);
  checkMatrix("sgemm", "B", b, transB ? n : k, transB ? k : n, ldb);
  checkMatrix("sgemm", "C", c, m, n, ldc);
  if (m === 0 || n === 0) return;
  lib().cblas_sgemm(
    ROW_MAJOR,
    transA ? TRANS : NO_TRANS,
    transB ? TRANS : NO_TRANS,
    m,
    n,
    k,
    alpha,
    a,
    lda,
    b,
    ldb,
    beta,
    c,
    ldc,
  );
}

/**
 * y = alpha * op(A) * x + beta * y, A row-major m x n; op(A) is A or its transpose
 * (then x has m elements and y has n).
 */
export function sgemv(
  trans: boolean,
  m: number,
  n: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  x: Float32Array,
  beta: number,
  y: Float32Array,
): void {
  checkDim("sgemv", "m", m);
  checkDim("sgemv", "n", n);
  checkDim("sgemv", "lda", lda);
  checkMatrix("sgemv", "A", a, m, n, lda);
  const xn = trans ? m : n, yn = trans ? n : m;
  if (x.length < xn || y.length < yn) {
    throw new RangeError(
      `sgemv: x has ${x.length} and y ${y.length} elements, a ${
        trans ? "transposed " : ""
      }${m}x${n} matrix needs ${xn} and ${yn}`,
    );
  }
  if (m === 0 || n === 0) return;
  lib().cblas_sgemv(
    ROW_MAJOR,
    trans ? TRANS : NO_TRANS,
    m,
    n,
    alpha,
    a,
    lda,
    x,
    1,
    beta,
    y,
    1,
  );
}

/** y += alpha * x over the first `n` elements. */
export function saxpy(
  n: number,
  alpha: number,
  x: Float32Array,
  y: Float32Array,
): void {
  checkDim("saxpy", "n", n);
  if (x.length < n || y.length < n) {
    throw new RangeError(
      `saxpy: x has ${x.length} and y ${y.length} elements, n is ${n}`,
    );
  }
  if (n === 0) return;
  lib().cblas_saxpy(n, alpha, x, 1, y, 1);
}

/** x *= alpha over the first `n` elements. */
export function sscal(n: number, alpha: number, x: Float32Array): void {
  checkDim("sscal", "n", n);
  if (x.length < n) {
    throw new RangeError(`sscal: x has ${x.length} elements, n is ${n}`);
  }
  if (n === 0) return;
  lib().cblas_sscal(n, alpha, x, 1);
}

/**
 * Which operands of `matmul()` are transposed, in BLAS's letters: "NT" is
 * a b^T, "TN" is a^T b.
 */
export type MatmulOp = "NN" | "NT" | "TN" | "TT";

/**
 * out = op(a) op(b) + beta * out for densely packed row-major matrices, with
 * out (m, n), op(a) (m, k) and op(b) (k, n): one readable line for `sgemm()`,
 * which checks each buffer against its shape.
 */
export function matmul(
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  op: MatmulOp = "NN",
  beta = 0,
): void {
  const transA = op === "TN" || op === "TT";
  const transB = op === "NT" || op === "TT";
  sgemm(
    transA,
    transB,
    m,
    n,
    k,
    1,
    a,
    Math.max(1, transA ? m : k),
    b,
    Math.max(1, transB ? k : n),
    beta,
    out,
    Math.max(1, n),
  );
}
