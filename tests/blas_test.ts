import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import {
  coreTypeForFlags,
  loadBlas,
  openLibrary,
  saxpy,
  sgemm,
  sgemv,
} from "../lib/native/blas.ts";
import { Random } from "../lib/nn/random.ts";
import { naiveGemm } from "./_naive.ts";
import { cpuinfoFlags, glibcCpuFeatures } from "../lib/native/_cpu_features.ts";

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
    catch (e) { console.log("error: " + e.message); }`;
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
  const detected = await runBlasScript({}, ["OPENBLAS_CORETYPE"]);
  if (expected) assertEquals(detected, `${expected} detected`);
  assertEquals(
    await runBlasScript({ OPENBLAS_CORETYPE: "Haswell" }),
    "Haswell environment",
  );
});
Deno.test("openLibrary() names the Debian package, or the variable, when it cannot load", () => {
  assertThrows(
    () => openLibrary(["libopenblas-missing.so.0"], undefined),
    Error,
    "Cannot load OpenBLAS (libopenblas.so.0): install it with `apt-get install libopenblas0-pthread`",
  );
  assertThrows(
    () => openLibrary([], "/nonexistent/libopenblas.so.0"),
    Error,
    "Cannot load OpenBLAS from MNIST_OPENBLAS_PATH='/nonexistent/libopenblas.so.0'",
  );
});

Deno.test("loadBlas() fails with one clear message for a bad MNIST_OPENBLAS_PATH", async () => {
  assertEquals(
    await runBlasScript({
      MNIST_OPENBLAS_PATH: "/nonexistent/libopenblas.so.0",
    }),
    "error: Cannot load OpenBLAS from MNIST_OPENBLAS_PATH='/nonexistent/libopenblas.so.0'",
  );
});
