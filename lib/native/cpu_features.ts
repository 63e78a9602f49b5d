/**
 * The CPU's vector features, for lib/native/blas.ts to pick an OpenBLAS kernel.
 *
 * On x86-64 glibc (2.33 or later) the dynamic loader exports
 * `__x86_get_cpuid_feature_leaf`, which returns CPUID words both as the CPU reports
 * them and as usable ("active": also enabled by the operating system, e.g. AVX-512
 * state saved on context switches). We read the active ones. Elsewhere we fall back
 * to the flags line of /proc/cpuinfo (Deno lets only --allow-all read /proc).
 *
 * glibc is opened with `Deno.dlopen()` itself, not through `library.ts`: this
 * is a probe whose failure only means "ask /proc instead", never an error the
 * user must fix, and a path override for the C library would make no sense.
 *
 * @module
 */

const SYMBOLS = {
  // const struct cpuid_feature *__x86_get_cpuid_feature_leaf(unsigned int leaf)
  // struct cpuid_feature { unsigned int cpuid_array[4]; unsigned int active_array[4]; }
  // with each array holding EAX, EBX, ECX, EDX.
  __x86_get_cpuid_feature_leaf: { parameters: ["u32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** glibc's leaf indices: CPUID_INDEX_1 and CPUID_INDEX_7. */
const LEAF_1 = 0;
const LEAF_7 = 1;
/** Byte offsets of the active EBX and ECX words in struct cpuid_feature. */
const ACTIVE_EBX = 16 + 4;
const ACTIVE_ECX = 16 + 8;

/** Feature name (as in /proc/cpuinfo) -> [leaf, register offset, bit]. */
const FEATURES: Record<string, [number, number, number]> = {
  avx: [LEAF_1, ACTIVE_ECX, 28],
  fma: [LEAF_1, ACTIVE_ECX, 12],
  avx2: [LEAF_7, ACTIVE_EBX, 5],
  avx512f: [LEAF_7, ACTIVE_EBX, 16],
  avx512dq: [LEAF_7, ACTIVE_EBX, 17],
  avx512cd: [LEAF_7, ACTIVE_EBX, 28],
  avx512bw: [LEAF_7, ACTIVE_EBX, 30],
  avx512vl: [LEAF_7, ACTIVE_EBX, 31],
};

/** The usable features of FEATURES, from glibc; undefined where glibc can't say. */
export function glibcCpuFeatures(): Set<string> | undefined {
  if (Deno.build.arch !== "x86_64" || Deno.build.os !== "linux") {
    return undefined;
  }
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch {
    return undefined; // not glibc, or older than 2.33
  }
  try {
    const found = new Set<string>();
    for (const [name, [leaf, offset, bit]] of Object.entries(FEATURES)) {
      const p = lib.symbols.__x86_get_cpuid_feature_leaf(leaf);
      if (!p) return undefined;
      const word = new Deno.UnsafePointerView(p).getUint32(offset);
      if ((word >>> bit) & 1) found.add(name);
    }
    return found;
  } finally {
    lib.close();
  }
}

/** The flags of the first processor in /proc/cpuinfo text. */
export function cpuinfoFlags(cpuinfo: string): Set<string> {
  const line = cpuinfo.split("\n").find((l) => /^(flags|Features)\s*:/.test(l));
  return new Set(
    line ? line.slice(line.indexOf(":") + 1).trim().split(/\s+/) : [],
  );
}

/** The CPU's features, or undefined where neither source can be read. */
export function cpuFeatures(): Set<string> | undefined {
  const fromGlibc = glibcCpuFeatures();
  if (fromGlibc) return fromGlibc;
  try {
    return cpuinfoFlags(Deno.readTextFileSync("/proc/cpuinfo"));
  } catch {
    return undefined;
  }
}
