import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import {
  coreTypeForFlags,
  describeBlas,
  loadBlas,
  matmul,
  OPENBLAS,
  saxpy,
  sgemm,
  sgemv,
  sscal,
} from "../lib/native/blas.ts";
import { Random } from "../lib/random.ts";
import { naiveGemm } from "./_naive.ts";
import { cpuinfoFlags, glibcCpuFeatures } from "../lib/native/cpu_features.ts";

const rng = new Random(7);
const rand = (n: number) =>
  Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

Deno.test("sgemm() matches a naive matmul for odd shapes, transposes and strides", () => {
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [17, 1, 9],
    [1, 13, 4],
    [64, 200, 784],
    [37, 10, 201],
  ];
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        // Leading dimensions one wider than needed, so strides are exercised.
        const lda = (transA ? m : k) + 1,
          ldb = (transB ? k : n) + 1,
          ldc = n + 2;
        const a = rand((transA ? k : m) * lda);
        const b = rand((transB ? n : k) * ldb);
        const c = rand(m * ldc);
        const expected = naiveGemm(
          transA,
          transB,
          m,
          n,
          k,
          0.7,
          a,
          lda,
          b,
          ldb,
          0.3,
          c,
          ldc,
        );
        sgemm(transA, transB, m, n, k, 0.7, a, lda, b, ldb, 0.3, c, ldc);
        const tol = 1e-5 * Math.sqrt(k) * 4;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            assertAlmostEquals(
              c[i * ldc + j],
              expected[i * ldc + j],
              tol,
              `${m}x${n}x${k} tA=${transA} tB=${transB} (${i},${j})`,
            );
          }
          // Padding between rows is untouched.
          for (let j = n; j < ldc && i < m - 1; j++) {
            assertEquals(c[i * ldc + j], expected[i * ldc + j]);
          }
        }
      }
    }
  }
});

Deno.test("sgemm() rejects buffers too small for the shapes", () => {
  const a = new Float32Array(6),
    b = new Float32Array(6),
    c = new Float32Array(4);
  sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
  assertThrows(
    () => sgemm(false, false, 2, 2, 3, 1, a.subarray(1), 3, b, 2, 0, c, 2),
    RangeError,
    "A has 5 elements, a 2x3 matrix with leading dimension 3 needs 6",
  );
  assertThrows(
    () => sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c.subarray(1), 2),
    RangeError,
    "C has 3 elements",
  );
  assertThrows(
    () => sgemm(false, true, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2),
    RangeError,
    "leading dimension of B is 2, its rows hold 3",
  );
  assertThrows(
    () => sgemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2),
    RangeError,
    "m must be a non-negative int32",
  );
});

Deno.test("sgemv() and saxpy() match naive loops", () => {
  const m = 7, n = 5, a = rand(m * n), x = rand(m), y = rand(n);
  const expected = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j] * x[i];
    return 2 * s + 0.5 * y[j];
  });
  sgemv(true, m, n, 2, a, n, x, 0.5, y);
  expected.forEach((v, j) => assertAlmostEquals(y[j], v, 1e-5));
  const x2 = rand(n), y2 = new Float32Array(n);
  sgemv(false, n, 1, 1, x2, 1, new Float32Array([3]), 0, y2);
  x2.forEach((v, i) => assertAlmostEquals(y2[i], 3 * v, 1e-6));
  assertThrows(
    () => sgemv(true, m, n, 1, a, n, x.subarray(1), 0, y),
    RangeError,
    "needs 7 and 5",
  );
  const u = rand(9), w = rand(9), w0 = w.slice();
  saxpy(9, -0.25, u, w);
  w.forEach((v, i) => assertAlmostEquals(v, w0[i] - 0.25 * u[i], 1e-6));
  assertThrows(() => saxpy(10, 1, u, w), RangeError, "n is 10");
});

Deno.test("sgemv() without transpose matches a naive loop for several columns", () => {
  for (const [m, n] of [[7, 5], [1, 9], [33, 2], [200, 784]]) {
    const lda = n + 3; // rows padded, so the stride is exercised
    const a = rand(m * lda), x = rand(n), y = rand(m), y0 = y.slice();
    sgemv(false, m, n, 1.5, a, lda, x, -0.5, y);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * lda + j] * x[j];
      assertAlmostEquals(
        y[i],
        1.5 * s - 0.5 * y0[i],
        1e-5 * Math.sqrt(n) * 4,
        `${m}x${n} y[${i}]`,
      );
    }
  }
  assertThrows(
    () => sgemv(false, 3, 4, 1, rand(12), 4, rand(3), 0, rand(3)),
    RangeError,
    "x has 3 and y 3 elements, a 3x4 matrix needs 4 and 3",
  );
});

Deno.test("sscal() scales the first n elements and no more", () => {
  const x = rand(9), x0 = x.slice();
  sscal(7, -0.25, x);
  x0.forEach((v, i) => assertEquals(x[i], i < 7 ? Math.fround(-0.25 * v) : v));
  assertThrows(() => sscal(10, 1, x), RangeError, "x has 9 elements, n is 10");
});

Deno.test("matmul() computes each op against a naive matmul, and checks shapes", () => {
  const m = 5, n = 4, k = 3;
  for (const op of ["NN", "NT", "TN", "TT"] as const) {
    const tA = op[0] === "T", tB = op[1] === "T";
    const a = rand(m * k), b = rand(k * n), c = rand(m * n);
    const expected = naiveGemm(
      tA,
      tB,
      m,
      n,
      k,
      1,
      a,
      tA ? m : k,
      b,
      tB ? k : n,
      0.5,
      c,
      n,
    );
    matmul(c, a, b, m, n, k, op, 0.5);
    c.forEach((v, i) => assertAlmostEquals(v, expected[i], 1e-5, `${op} ${i}`));
  }
  assertThrows(
    () => matmul(new Float32Array(20), rand(14), rand(12), m, n, k),
    RangeError,
    "A has 14 elements, a 5x3 matrix with leading dimension 3 needs 15",
  );
});

Deno.test("coreTypeForFlags() picks the kernel from CPU features", () => {
  const avx512 =
    "fpu sse2 avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl";
  assertEquals(
    coreTypeForFlags(cpuinfoFlags(`processor : 0\nflags\t\t: ${avx512}\n`)),
    "SkylakeX",
  );
  assertEquals(
    coreTypeForFlags(cpuinfoFlags("flags : sse2 avx avx2 fma")),
    "Haswell",
  );
  assertEquals(
    coreTypeForFlags(cpuinfoFlags("flags : sse2 avx")),
    "Sandybridge",
  );
  assertEquals(
    coreTypeForFlags(cpuinfoFlags("flags : sse2 sse4_2")),
    undefined,
  );
  assertEquals(coreTypeForFlags(cpuinfoFlags("no flags here")), undefined);
});

Deno.test("loadBlas() reports the kernel and sets the thread count", () => {
  const info = loadBlas({ threads: 1 });
  assertEquals(info.threads, 1);
  assert(info.core.length > 0, "a kernel name");
  assert(info.config.includes("OpenBLAS"), info.config);
  const set = Deno.env.get("OPENBLAS_CORETYPE");
  assert(
    set !== undefined || info.coreSource === "openblas",
    "the kernel is named before loading",
  );
  assertEquals(loadBlas({ threads: 2 }).threads, 2);
  assertThrows(
    () => loadBlas({ threads: 0 }),
    RangeError,
    "threads must be a positive integer",
  );
});

async function runBlasScript(
  env: Record<string, string>,
  clear: string[] = [],
) {
  const code = `import { loadBlas } from "${new URL(
    "../lib/native/blas.ts",
    import.meta.url,
  )}";
    try { const i = loadBlas(); console.log(i.core + " " + i.coreSource); }
    catch (e) { console.log("error: " + e.name + ": " + e.message); }`;
  const env2 = { ...Deno.env.toObject(), ...env };
  for (const k of clear) delete env2[k];
  // Run with the train task's permissions, which do not include reading /proc.
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-ffi", "--allow-env", file],
    env: env2,
    clearEnv: true,
    stdout: "piped",
  }).output();
  await Deno.remove(file);
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("describeBlas() takes OpenBLAS's word, and names a library without openblas_* functions", () => {
  const openblas = { core: "Haswell", config: "OpenBLAS 0.3.21 DYNAMIC_ARCH" };
  assertEquals(describeBlas("libopenblas.so.0", "detected", openblas), {
    library: "libopenblas.so.0",
    core: "Haswell",
    coreSource: "detected",
    config: "OpenBLAS 0.3.21 DYNAMIC_ARCH",
  });
  const accelerate =
    "/System/Library/Frameworks/Accelerate.framework/Accelerate";
  assertEquals(describeBlas(accelerate, "detected", null), {
    library: accelerate,
    core: "Accelerate",
    // OPENBLAS_CORETYPE means nothing to Accelerate.
    coreSource: "openblas",
    config: "Accelerate",
  });
  assertEquals(
    describeBlas("libcblas.so.3", "environment", null).core,
    "unknown",
  );
  assertEquals(
    describeBlas("libcblas.so.3", "environment", null).coreSource,
    "environment",
  );
});

/** /proc/cpuinfo through cat: Deno itself reads /proc only with --allow-all. */
async function procCpuinfo(): Promise<string> {
  const out = await new Deno.Command("cat", {
    args: ["/proc/cpuinfo"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("glibcCpuFeatures() agrees with /proc/cpuinfo", async () => {
  const fromGlibc = glibcCpuFeatures();
  if (Deno.build.arch !== "x86_64") {
    assertEquals(fromGlibc, undefined);
    return;
  }
  assert(fromGlibc, "glibc reports CPU features");
  const flags = cpuinfoFlags(await procCpuinfo());
  for (
    const name of [
      "avx",
      "fma",
      "avx2",
      "avx512f",
      "avx512dq",
      "avx512cd",
      "avx512bw",
      "avx512vl",
    ]
  ) {
    assertEquals(fromGlibc.has(name), flags.has(name), name);
  }
});

Deno.test("loadBlas() names the kernel from the CPU unless OPENBLAS_CORETYPE is set", async () => {
  const expected = coreTypeForFlags(cpuinfoFlags(await procCpuinfo()));
  const [core, source] = (await runBlasScript({}, ["OPENBLAS_CORETYPE"]))
    .split(" ");
  if (expected) {
    assertEquals([core, source], [expected, "detected"]);
  } else {
    // A CPU without AVX: the choice is left to OpenBLAS's own detection, and
    // the variable stays unset for it.
    assertEquals(source, "openblas");
    assert(core.length > 0, "OpenBLAS names the kernel it picked");
  }
  assertEquals(
    await runBlasScript({ OPENBLAS_CORETYPE: "Haswell" }),
    "Haswell environment",
  );
});
Deno.test("loadBlas() fails with one clear message for a bad MNIST_OPENBLAS_PATH", async () => {
  // Each in a fresh process: the library loads once per process.
  assertEquals(
    await runBlasScript({ [OPENBLAS.envVar]: "/nonexistent/libopenblas.so.0" }),
    "error: LibraryError: Cannot load OpenBLAS from '/nonexistent/libopenblas.so.0' (set by MNIST_OPENBLAS_PATH): /nonexistent/libopenblas.so.0: cannot open shared object file: No such file or directory",
  );
  // A library, but another one: the message names the symbol it lacks.
  // (Deno registers the symbols in no fixed order: any of them may be named.)
  const libc = await runBlasScript({ [OPENBLAS.envVar]: "libc.so.6" });
  assert(
    /^error: LibraryError: Cannot load OpenBLAS from 'libc\.so\.6' \(set by MNIST_OPENBLAS_PATH\): it has no symbol (cblas|openblas)_\w+, so it is not OpenBLAS or too old a version of it$/
      .test(libc),
    libc,
  );
  // No library at all.
  const text = await Deno.makeTempFile({ suffix: ".so" });
  try {
    await Deno.writeTextFile(text, "not a library\n".repeat(100));
    const got = await runBlasScript({ [OPENBLAS.envVar]: text });
    assert(
      got.startsWith(
        `error: LibraryError: Cannot load OpenBLAS from '${text}' (set by MNIST_OPENBLAS_PATH): ${text}: `,
      ) && !got.includes("not installed"),
      got,
    );
  } finally {
    await Deno.remove(text);
  }
});
