import { assert, assertEquals } from "./_assert.ts";
import {
  aptCommands,
  missingPackages,
  RUNTIME_PACKAGES,
  TEST_PACKAGES,
} from "../lib/app/setup.ts";

const SCRIPT = new URL("../scripts/setup.ts", import.meta.url).pathname;
const SETUP = new URL("../lib/app/setup.ts", import.meta.url).href;
const CLI = new URL("../lib/cli.ts", import.meta.url).href;

Deno.test("missingPackages() lists exactly the packages dpkg does not have", async () => {
  assertEquals(await missingPackages(["libc6", "mnist-deno-no-such-package"]), [
    "mnist-deno-no-such-package",
  ]);
});

Deno.test("RUNTIME_PACKAGES includes SDL2_image", () => {
  assert(RUNTIME_PACKAGES.includes("libsdl2-image-2.0-0"));
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
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-run",
      "--allow-sys=uid",
      SCRIPT,
      "--test",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(out.stderr), "");
  assertEquals(new TextDecoder().decode(out.stdout), "");
  assertEquals(out.code, 0);
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
