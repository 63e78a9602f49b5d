import { assertEquals } from "./_assert.ts";
import {
  missingPackages,
  RUNTIME_PACKAGES,
  TEST_PACKAGES,
} from "../scripts/setup.ts";

const SCRIPT = new URL("../scripts/setup.ts", import.meta.url).pathname;

Deno.test("missingPackages() lists exactly the packages dpkg does not have", async () => {
  assertEquals(await missingPackages(["libc6", "mnist-deno-no-such-package"]), [
    "mnist-deno-no-such-package",
  ]);
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
      SCRIPT,
      "--test",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0);
  assertEquals(new TextDecoder().decode(out.stdout), "");
  assertEquals(new TextDecoder().decode(out.stderr), "");
});
