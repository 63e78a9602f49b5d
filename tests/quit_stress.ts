/**
 * Quits the record browser many times, by ESC and by closing the window, while
 * busy loops load every core, and counts the exits that were not code 0.
 *
 * SDL 2.26 on X11 can die with "BadWindow (X_SendEvent)" and exit code 1 when it
 * is shut down right after waking from a wait (see lib/native/sdl2.ts); a busy machine
 * and an X server at low priority make that far more likely, so this is the
 * check for it.
 *
 * Usage: deno run -A tests/quit_stress.ts [runs]   (default 40 of each)
 *
 * @module
 */
import { FIXTURE_MODEL, ROOT, taskArgs } from "./_app.ts";
import { writeDataDir } from "./_fixtures.ts";
import {
  focus,
  pressKeys,
  requestClose,
  startXvfb,
  waitForWindow,
} from "./_x11.ts";

async function main(runs: number) {
  const args = taskArgs("render");
  const dir = await writeDataDir(3, 3);
  // A starved X server on top of busy cores: the race needs the server to read
  // the window's destruction before SDL's own wake-up message.
  await using x = await startXvfb({ nice: 19 });
  const cores = navigator.hardwareConcurrency;
  const load = Array.from(
    { length: cores },
    () => new Deno.Command("yes", { stdout: "null", stderr: "null" }).spawn(),
  );
  const failures: string[] = [];
  try {
    for (let run = 0; run < 2 * runs; run++) {
      const how = run % 2 === 0 ? "ESC" : "close";
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          ...args,
          "--data",
          dir,
          "--set",
          "test",
          "--model",
          FIXTURE_MODEL,
        ],
        cwd: ROOT,
        env: x.env,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      let id: number;
      try {
        id = await waitForWindow(x, child.pid, 60_000);
      } catch (e) {
        const out = await child.output();
        const err = new TextDecoder().decode(out.stderr).trim();
        failures.push(
          `run ${run + 1}: ${(e as Error).message}, code ${out.code}: ${err}`,
        );
        console.log(failures.at(-1));
        continue;
      }
      await focus(x, id);
      // Quit right after another key, while SDL has just woken up for it.
      if (how === "ESC") {
        await pressKeys(x, "Down", "Escape");
      } else {
        await pressKeys(x, "Down");
        requestClose(x, id);
      }
      const out = await child.output();
      const err = new TextDecoder().decode(out.stderr).trim();
      if (out.code !== 0) {
        failures.push(`run ${run + 1} (${how}): code ${out.code}: ${err}`);
      }
      console.log(`run ${run + 1} (${how}): exit code ${out.code}`);
    }
  } finally {
    for (const p of load) p.kill();
    await Promise.all(load.map((p) => p.status));
    await Deno.remove(dir, { recursive: true });
  }
  console.log(
    `${
      2 * runs
    } runs (${runs} ESC, ${runs} close) with ${cores} busy loops and Xvfb at nice 19: ${failures.length} failed`,
  );
  for (const f of failures) console.log(f);
  if (failures.length) Deno.exit(1);
}

if (import.meta.main) {
  await main(Number(Deno.args[0] ?? 40));
}
