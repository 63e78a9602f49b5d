import { assert, assertEquals } from "./_assert.ts";
import { formatConfusion, ProgressBar } from "../lib/app/report.ts";

/** An output that records what is written, a terminal or not. */
function fakeOutput(terminal: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    writeSync(p: Uint8Array) {
      chunks.push(new TextDecoder().decode(p));
      return p.length;
    },
    isTerminal: () => terminal,
  };
}

const progress = {
  epoch: 2,
  step: 500,
  steps: 1000,
  done: 30000,
  total: 60000,
  meanLoss: 0.25,
  seconds: 10,
};

Deno.test("ProgressBar.format() shows the fill, throughput, loss and time left", () => {
  // 90,000 images seen in 10 s: 9,000 img/s; 150,000 left: 16.7 s.
  assertEquals(
    ProgressBar.format(progress, 4),
    `epoch 2/4 [${"#".repeat(12)}${
      "-".repeat(12)
    }] 50%  9,000 img/s  loss 0.2500  ETA 16.7 s`,
  );
  assertEquals(
    ProgressBar.format({ ...progress, done: 60000 }, 4, 10),
    `epoch 2/4 [${"#".repeat(10)}] 100%  12,000 img/s  loss 0.2500  ETA 10.0 s`,
  );
});

Deno.test("ProgressBar.format() says '?' for the time left before any time passed", () => {
  assertEquals(
    ProgressBar.format({ ...progress, epoch: 1, done: 0, seconds: 0 }, 3, 4),
    "epoch 1/3 [----] 0%  0 img/s  loss 0.2500  ETA ? s",
  );
});

Deno.test("ProgressBar redraws in place on a terminal and clears once", () => {
  const out = fakeOutput(true);
  const bar = new ProgressBar(4, out);
  bar.clear(); // nothing shown yet: nothing to clear
  assertEquals(out.chunks, []);
  bar.update(progress);
  bar.update({ ...progress, step: 501, done: 30060 }); // between redraws
  bar.update({ ...progress, step: 1000, done: 60000 }); // the epoch's last
  assertEquals(out.chunks, [
    `\r\x1b[2K${ProgressBar.format(progress, 4)}`,
    `\r\x1b[2K${
      ProgressBar.format({ ...progress, step: 1000, done: 60000 }, 4)
    }`,
  ]);
  bar.clear();
  bar.clear();
  assertEquals(out.chunks.slice(2), ["\r\x1b[2K"]);
});

Deno.test("ProgressBar writes nothing where the output is not a terminal", () => {
  const out = fakeOutput(false);
  const bar = new ProgressBar(4, out);
  bar.update(progress);
  bar.clear();
  assertEquals(out.chunks, []);
});

/** The numbers of a formatted table, row by row, read back independently. */
const cells = (text: string) =>
  text.split("\n").map((line) => line.trim().split(/\s+/).map(Number));

Deno.test("formatConfusion() lays out rows as true digits, columns as predictions", () => {
  const confusion = new Uint32Array(100);
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) confusion[i * 10 + j] = i === j ? 900 + i : j;
  }
  confusion[3 * 10 + 5] = 1234567; // a wide count widens every column
  const text = formatConfusion(confusion);
  const lines = text.split("\n");
  assertEquals(lines.length, 11);
  assert(lines.every((l) => l.length === lines[0].length), text);
  const table = cells(text);
  assertEquals(table[0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (let i = 0; i < 10; i++) {
    assertEquals(table[i + 1], [i, ...confusion.subarray(i * 10, i * 10 + 10)]);
  }
  // Columns line up: each header digit ends where its column's numbers end.
  const end = (line: string, k: number) =>
    [...line.matchAll(/\d+/g)][k].index! +
    [...line.matchAll(/\d+/g)][k][0].length;
  for (let j = 0; j < 10; j++) {
    for (let i = 1; i <= 10; i++) {
      assertEquals(
        end(lines[i], j + 1),
        end(lines[0], j),
        `row ${i}, column ${j}`,
      );
    }
  }
});
