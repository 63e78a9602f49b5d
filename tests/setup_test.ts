import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import {
  aptCommands,
  missingPackages,
  RUNTIME_PACKAGES,
  TEST_PACKAGES,
} from "../lib/app/setup.ts";
import {
  missingMessage,
  missingNeeds,
  type Need,
  onPath,
  packageManagers,
  PACKAGES,
  type Probe,
  RUNTIME_NEEDS,
  TEST_NEEDS,
} from "../lib/app/setup_packages.ts";
import {
  installCommand,
  LIBRARY_PACKAGES,
  type PackageManager,
} from "../lib/native/library.ts";

const SCRIPT = new URL("../scripts/setup.ts", import.meta.url).pathname;
const SETUP = new URL("../lib/app/setup.ts", import.meta.url).href;
const CLI = new URL("../lib/cli.ts", import.meta.url).href;
const ROOT = new URL("..", import.meta.url).pathname;

/** The setup:test task's permission flags, from deno.json. */
async function taskPermissions(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const command: string = config.tasks["setup:test"].command;
  return command.split(/\s+/).filter((a) => a.startsWith("--allow"));
}

Deno.test("missingPackages() lists exactly the packages dpkg does not have", async () => {
  assertEquals(await missingPackages(["libc6", "mnist-deno-no-such-package"]), [
    "mnist-deno-no-such-package",
  ]);
});

Deno.test("RUNTIME_PACKAGES and TEST_PACKAGES are the Debian packages apt installs, in order", () => {
  assertEquals(RUNTIME_PACKAGES, [
    "libopenblas0-pthread",
    "libsdl2-2.0-0",
    "libsdl2-ttf-2.0-0",
    "libsdl2-image-2.0-0",
    "fonts-dejavu-core",
  ]);
  assertEquals(TEST_PACKAGES, [
    "xvfb",
    "xauth",
    "xdotool",
    "imagemagick",
    "python3",
    "python3-numpy",
  ]);
});

Deno.test("PACKAGES has a package for everything the scripts need on the Unix managers", () => {
  for (const manager of ["apt", "brew", "dnf", "pacman", "zypper"] as const) {
    const table = PACKAGES[manager];
    const names = RUNTIME_NEEDS.map((n) => table[n]);
    for (const [i, pkg] of names.entries()) {
      assert(
        pkg && /^[\w.+-]+$/.test(pkg),
        `${manager}: ${RUNTIME_NEEDS[i]} is ${pkg}`,
      );
    }
    assertEquals(new Set(names).size, names.length, `${manager}: ${names}`);
    // The libraries' packages are the loader's, which its messages name.
    for (const [need, pkg] of Object.entries(LIBRARY_PACKAGES[manager])) {
      assertEquals(table[need as Need], pkg, `${manager} ${need}`);
    }
  }
  // What the tests need, where the Linux distributions have it all.
  for (const manager of ["apt", "dnf", "pacman", "zypper"] as const) {
    for (const need of TEST_NEEDS) {
      assert(PACKAGES[manager][need], `${manager} has ${need}`);
    }
  }
  // Homebrew has no X server of its own.
  assertEquals(PACKAGES.brew.Xvfb, undefined);
  // winget and Chocolatey have none of the libraries.
  for (const manager of ["winget", "choco"] as const) {
    for (const need of RUNTIME_NEEDS) {
      assertEquals(PACKAGES[manager][need], undefined, `${manager} ${need}`);
    }
    assert(PACKAGES[manager].Python, manager);
  }
});

Deno.test("packageManagers() looks for Homebrew on macOS, winget and Chocolatey on Windows, the distributions' elsewhere", () => {
  assertEquals(packageManagers("darwin"), ["brew"]);
  assertEquals(packageManagers("windows"), ["winget", "choco"]);
  assertEquals(packageManagers("linux"), ["dnf", "pacman", "zypper"]);
  assertEquals(packageManagers("freebsd"), packageManagers("linux"));
});

Deno.test("onPath() finds programs in PATH's folders, on Windows with PATHEXT", async () => {
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(b, "tool"), "");
    await Deno.writeTextFile(join(b, "winget.EXE"), "");
    await Deno.mkdir(join(a, "folder"));
    const path = `${a}::${b}`;
    assert(onPath("tool", { os: "linux", path }));
    assert(!onPath("nope", { os: "linux", path }));
    assert(!onPath("folder", { os: "linux", path }), "a folder is no program");
    assert(!onPath("winget", { os: "linux", path }));
    assert(
      onPath("winget", {
        os: "windows",
        path: `${a};${b}`,
        pathExt: ".COM;.EXE",
      }),
    );
    assert(
      !onPath("winget", { os: "windows", path: `${a};${b}`, pathExt: ".BAT" }),
    );
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

/** A probe that finds everything but `absent`, and records what it asked. */
function fakeProbe(absent: string[], asked: string[] = []): Probe {
  const there = (name: string) => {
    asked.push(name);
    return !absent.includes(name);
  };
  return {
    library: there,
    fonts: () => there("fonts"),
    command: there,
    numpy: () => Promise.resolve(there("numpy")),
  };
}

Deno.test("missingNeeds() asks for each need, and finds no NumPy without Python", async () => {
  const asked: string[] = [];
  assertEquals(
    await missingNeeds(
      [...RUNTIME_NEEDS, ...TEST_NEEDS],
      fakeProbe(["SDL2_ttf", "fonts", "convert"], asked),
    ),
    ["SDL2_ttf", "DejaVu fonts", "ImageMagick"],
  );
  assertEquals(asked, [
    "OpenBLAS",
    "SDL2",
    "SDL2_ttf",
    "SDL2_image",
    "fonts",
    "Xvfb",
    "xauth",
    "xdotool",
    "convert",
    "python3",
    "numpy",
  ]);
  assertEquals(await missingNeeds(RUNTIME_NEEDS, fakeProbe([])), []);
  assertEquals(
    await missingNeeds(TEST_NEEDS, fakeProbe(["python3"])),
    ["Python", "NumPy"],
  );
});

Deno.test("missingMessage() gives the install command of the manager found", () => {
  const message = (
    missing: Need[],
    manager: PackageManager | undefined,
    isRoot = false,
  ) =>
    missingMessage({
      missing,
      manager,
      looked: ["dnf", "pacman", "zypper"],
      os: manager === "brew" ? "darwin" : "linux",
      isRoot,
    });
  assertEquals(
    message(["SDL2_ttf", "DejaVu fonts"], "brew"),
    "missing SDL2_ttf, DejaVu fonts; install them with: brew install sdl2_ttf font-dejavu",
  );
  // Everything, with each Linux manager: one command, through sudo unless root.
  for (const manager of ["dnf", "pacman", "zypper"] as const) {
    const packages = RUNTIME_NEEDS.map((n) => PACKAGES[manager][n]!);
    const command = installCommand(manager, packages);
    const text = message([...RUNTIME_NEEDS], manager);
    assert(text.endsWith(`install them with: sudo ${command}`), text);
    assert(
      message([...RUNTIME_NEEDS], manager, true).endsWith(`with: ${command}`),
    );
    assert(!text.includes("\n"));
  }
  // Not all packaged: the rest is said by name.
  assertEquals(
    message(["SDL2", "Xvfb", "xauth"], "brew"),
    "missing SDL2, Xvfb, xauth; install SDL2 with: brew install sdl2; brew has no package for Xvfb, xauth: install Xvfb, xauth by hand",
  );
});

Deno.test("missingMessage() names the files and variables where no package is known", () => {
  const windows = missingMessage({
    missing: ["OpenBLAS", "SDL2_image", "DejaVu fonts", "Python"],
    manager: "winget",
    looked: ["winget", "choco"],
    os: "windows",
  });
  assertEquals(
    windows,
    "missing OpenBLAS, SDL2_image, DejaVu fonts, Python; install Python with: winget install --exact --id Python.Python.3.12; winget has no package for OpenBLAS, SDL2_image, DejaVu fonts: install libopenblas.dll, SDL2_image.dll where the system finds libraries, or set MNIST_OPENBLAS_PATH, MNIST_SDL2_IMAGE_PATH to their paths; put DejaVuSans.ttf and DejaVuSans-Bold.ttf in a folder and set MNIST_FONT_DIR to it",
  );
  assertEquals(
    missingMessage({
      missing: ["SDL2", "xdotool"],
      manager: undefined,
      looked: ["dnf", "pacman", "zypper"],
      os: "linux",
    }),
    "missing SDL2, xdotool; found no package manager (looked for dnf, pacman, zypper): install libSDL2-2.0.so.0 where the system finds libraries, or set MNIST_SDL2_PATH to their paths; install xdotool by hand",
  );
});

Deno.test("missingMessage() says where the fonts are not, when MNIST_FONT_DIR names the wrong folder", () => {
  assertEquals(
    missingMessage({
      missing: ["SDL2"],
      manager: "dnf",
      looked: ["dnf"],
      os: "linux",
      isRoot: true,
      fontDirSet: "/x",
    }),
    "missing SDL2; install it with: dnf install SDL2; the DejaVu fonts are not in /x, where MNIST_FONT_DIR points: point it at the folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf",
  );
});

Deno.test("aptCommands() runs apt-get non-interactively, through sudo -n when not root", () => {
  for (const isRoot of [true, false]) {
    const commands = aptCommands(["a", "b"], isRoot);
    assertEquals(commands.length, 2);
    for (const argv of commands) {
      const apt = argv.indexOf("apt-get");
      assert(apt > 0, argv.join(" "));
      assert(
        argv.slice(0, apt).includes("DEBIAN_FRONTEND=noninteractive"),
        `the variable reaches apt-get: ${argv.join(" ")}`,
      );
      assert(argv.includes("-y"), argv.join(" "));
      assertEquals(argv[0] === "sudo", !isRoot);
      if (!isRoot) assertEquals(argv[1], "-n");
    }
    assertEquals(commands[1].slice(-2), ["a", "b"]);
  }
});

Deno.test("setup is a quiet no-op when everything is installed", async () => {
  // The test task runs the set-up step first, so everything is there now.
  assertEquals(
    await missingPackages([...RUNTIME_PACKAGES, ...TEST_PACKAGES]),
    [],
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...await taskPermissions(), SCRIPT, "--test"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(out.stderr), "");
  assertEquals(new TextDecoder().decode(out.stdout), "");
  assertEquals(out.code, 0);
});

/** Where `command` is on this machine's PATH, following links. */
async function resolve(command: string): Promise<string> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `command -v ${command}`],
    stdout: "piped",
  }).output();
  return await Deno.realPath(new TextDecoder().decode(out.stdout).trim());
}

/**
 * Runs the set-up step with --test where the PATH is one folder that holds
 * the test programs of this machine but `without`, and a fake dnf that logs
 * any call, but no dpkg: as on Fedora with everything installed.
 */
async function setupWithoutApt(
  without: string[],
  env: Record<string, string> = {},
) {
  const bin = await Deno.makeTempDir({ prefix: "setup-test-" });
  try {
    const python = await new Deno.Command("python3", {
      args: ["-c", "import sys; print(sys.executable)"],
      stdout: "piped",
    }).output();
    const programs: Record<string, string> = {
      python3: new TextDecoder().decode(python.stdout).trim(),
    };
    for (const name of ["Xvfb", "xauth", "xdotool", "convert"]) {
      programs[name] = await resolve(name);
    }
    for (const [name, target] of Object.entries(programs)) {
      if (!without.includes(name)) await Deno.symlink(target, join(bin, name));
    }
    const log = join(bin, "dnf.log");
    await Deno.writeTextFile(
      join(bin, "dnf"),
      `#!/bin/sh\necho "$@" >> ${log}\n`,
      {
        mode: 0o755,
      },
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...await taskPermissions(), SCRIPT, "--test"],
      cwd: ROOT,
      env: { ...env, PATH: bin },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return {
      code: out.code,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
      dnfCalls: await Deno.readTextFile(log).catch(() => ""),
    };
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

Deno.test("without apt, setup is a quiet no-op when everything is there", async () => {
  const r = await setupWithoutApt([]);
  assertEquals([r.code, r.stdout, r.stderr], [0, "", ""]);
  assertEquals(r.dnfCalls, "", "it never installs with dnf");
});

Deno.test("without apt, setup stops in one line with the command that installs what is missing", async () => {
  const r = await setupWithoutApt(["xdotool", "convert"]);
  assertEquals(r.code, 1, r.stderr);
  const sudo = Deno.uid() === 0 ? "" : "sudo ";
  assertEquals(
    r.stderr,
    `setup: missing xdotool, ImageMagick; install them with: ${sudo}dnf install xdotool ImageMagick\n`,
  );
  assertEquals(r.stdout, "");
  assertEquals(r.dnfCalls, "", "it never installs with dnf");
  // A font folder that holds no fonts is named.
  const fonts = await setupWithoutApt([], { MNIST_FONT_DIR: "/nonexistent" });
  assertEquals(fonts.code, 1);
  assertEquals(
    fonts.stderr,
    "setup: the DejaVu fonts are not in /nonexistent, where MNIST_FONT_DIR points: point it at the folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf\n",
  );
});

/**
 * Runs `installPackages(["pkg-a", "pkg-b"])` in a child process whose PATH
 * starts with fake dpkg-query (nothing installed), sudo and apt-get; the fake
 * apt-get prints a line and logs how it was called.
 */
async function installWithFakes(isRoot: boolean, sudoNeedsPassword: boolean) {
  const bin = await Deno.makeTempDir({ prefix: "setup-test-" });
  const log = `${bin}/apt.log`;
  const scripts: Record<string, string> = {
    "dpkg-query": `[ "$1" = --version ] && exit 0; exit 1`,
    sudo: `[ "$1" = --version ] && exit 0
[ "$1" = -n ] || { echo "sudo: called without -n" >&2; exit 2; }
shift
if [ -n "${sudoNeedsPassword ? "yes" : ""}" ]; then
  echo "sudo: a password is required" >&2; exit 1
fi
exec "$@"`,
    "apt-get":
      `if timeout 5 cat >/dev/null; then input=none; else input=open; fi
echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND input=$input" >> ${log}
echo "apt-get is installing"`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, {
      mode: 0o755,
    });
  }
  const code = `import { installPackages } from "${SETUP}";
import { run } from "${CLI}";
await run("setup", () => installPackages(["pkg-a", "pkg-b"], { isRoot: ${isRoot} }));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { PATH: `${bin}:${Deno.env.get("PATH")}` },
    stdin: "piped", // left open: a command that reads it would hang
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const result = await out.output();
  const calls = await Deno.readTextFile(log).catch(() => "");
  await Deno.remove(bin, { recursive: true });
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: result.code,
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    calls: calls.trim().split("\n").filter((l) => l),
  };
}

Deno.test("installPackages() runs apt-get without input and shows its output", async () => {
  for (const isRoot of [true, false]) {
    const r = await installWithFakes(isRoot, false);
    assertEquals(r.code, 0, r.stderr);
    assert(r.stdout.includes("setup: installing pkg-a pkg-b"), r.stdout);
    assertEquals(
      r.stdout.split("\n").filter((l) => l === "apt-get is installing").length,
      2,
      `apt-get's output is shown:\n${r.stdout}`,
    );
    assertEquals(r.calls.length, 2, r.calls.join("\n"));
    assert(r.calls[0].includes(" update "), r.calls[0]);
    assert(
      r.calls[1].includes("install --no-install-recommends pkg-a pkg-b"),
      r.calls[1],
    );
    for (const call of r.calls) {
      assert(call.includes("-y"), call);
      assert(call.includes("DEBIAN_FRONTEND=noninteractive"), call);
      assert(call.endsWith("input=none"), call);
    }
  }
});

Deno.test("installPackages() fails in one line when sudo needs a password", async () => {
  const r = await installWithFakes(false, true);
  assertEquals(r.code, 1, r.stderr);
  assertEquals(r.calls, [], "apt-get never ran");
  const lines = r.stderr.trim().split("\n");
  assertEquals(lines.length, 1, r.stderr);
  assertEquals(
    lines[0],
    "setup: missing Debian packages pkg-a pkg-b, and sudo needs a password; run as root: apt-get update && apt-get install -y --no-install-recommends pkg-a pkg-b",
  );
});
