/**
 * Learning from a correction in the drawing window, as a person does it: a
 * digit in a handwriting the network misreads, drawn with the mouse, is
 * corrected with its digit key; the next one in that handwriting reads
 * right, and W writes the tuned network beside the model.
 */
import { join } from "node:path";
import { loadModel } from "../lib/nn/model_file.ts";
import { Random } from "../lib/random.ts";
import { assert, assertEquals } from "./_assert.ts";
import { FIXTURE_MODEL } from "./_app.ts";
import { DrawWindow, ownFolder } from "./_draw_window.ts";
import { styleStrokes } from "./_own_style.ts";
import { startXvfb } from "./_x11.ts";

/** A 7 in the handwriting, as strokes in a box 300 pixels tall. */
function seven(seed: number): number[][][] {
  return styleStrokes(7, new Random(seed)).map((line) =>
    line.map(([x, y]) => [x, y / 1.2])
  );
}

Deno.test({
  name:
    "draw window: a correction changes the next reading, and W writes the tuned network",
  sanitizeResources: false,
  async fn() {
    await using x = await startXvfb();
    await using own = await ownFolder();
    const model = join(own.path, "model.safetensors");
    await Deno.copyFile(FIXTURE_MODEL, model);
    await using app = await DrawWindow.start(x, own.path, model);
    const box = { x: 200, y: 150, w: 300, h: 360 };

    // Nothing learnt yet: W writes nothing.
    await app.press("w");
    await app.waitForLines(1);
    assertEquals(app.lines[0].startsWith("nothing learnt yet"), true);

    await app.draw(seven(1), box);
    const first = await app.verdict();
    assert(first !== 7, "the handwriting's 7 reads as 7 before any correction");
    await app.press("7");
    await app.app.waitForLine(1, (l) => l === "learned: 7", 60000);
    await app.shot("draw-learned");

    // A fresh 7 in the same hand, drawn elsewhere, now reads as 7.
    await app.draw(seven(2), { ...box, x: 120, y: 220 });
    assertEquals(await app.verdict(), 7);

    const before = app.lines.length;
    await app.press("w");
    const tuned = join(own.path, "model-own.safetensors");
    await app.app.waitForLine(
      before,
      (l) => l === `wrote the tuned network to ${tuned}`,
    );
    await app.press("Escape");
    assertEquals(await app.exitCode(), 0, app.stderr);
    assertEquals(app.stderr, "");
    const written = await loadModel(tuned);
    const base = await loadModel(model);
    assertEquals(written.metadata.tuned_from, "model.safetensors");
    assert(
      written.network.params.w1.some((w, i) => w !== base.network.params.w1[i]),
      "the tuned network differs from the model",
    );
    // The model loaded is untouched.
    assertEquals(
      base.network.params.w1,
      (await loadModel(FIXTURE_MODEL)).network.params.w1,
    );
  },
});
