import { FileFormatError } from "../lib/errors.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import {
  decodeHistory,
  encodeHistory,
  type EpochHistory,
} from "../lib/nn/history.ts";

const EPOCHS: EpochHistory[] = [
  { epoch: 1, loss: 0.421337, accuracy: 0.9512, seconds: 0.83, rate: 0.2 },
  { epoch: 2, loss: 0.15, accuracy: NaN, seconds: 0.81, rate: 0.1 },
];

Deno.test("encodeHistory() round-trips through decodeHistory()", () => {
  const meta = encodeHistory(EPOCHS);
  assertEquals(Object.keys(meta), ["history"]);
  const back = decodeHistory({ other: "x", ...meta })!;
  assertEquals(back.length, 2);
  assertEquals(back[0], EPOCHS[0]);
  assertEquals(Number.isNaN(back[1].accuracy), true);
  assertEquals(back[1].loss, 0.15);
});

Deno.test("encodeHistory() writes compact JSON with the columns once", () => {
  assertEquals(
    encodeHistory(EPOCHS.slice(0, 1)).history,
    '{"columns":["epoch","loss","accuracy","seconds","rate"],"rows":[[1,0.421337,0.9512,0.83,0.2]]}',
  );
});

Deno.test("encodeHistory() rejects epochs out of order", () => {
  assertThrows(() => encodeHistory([EPOCHS[1]]), RangeError, "expected 1");
});

Deno.test("decodeHistory() is undefined for a model without a history", () => {
  assertEquals(decodeHistory({ format: "mnist-deno" }), undefined);
});

Deno.test("decodeHistory() rejects malformed entries in one line naming the model", () => {
  const what = "model 'm.safetensors'";
  const cases: [string, string][] = [
    ["{", "not valid JSON"],
    ["[]", "not a JSON object"],
    ['{"columns":["epoch"],"rows":[]}', "columns are not"],
    [
      '{"columns":["epoch","loss","accuracy","seconds","rate"],"rows":[[2,1,1,1,1]]}',
      "row 1 is epoch 2",
    ],
    [
      '{"columns":["epoch","loss","accuracy","seconds","rate"],"rows":[[1,-1,1,1,1]]}',
      "row 1 has loss -1",
    ],
    [
      '{"columns":["epoch","loss","accuracy","seconds","rate"],"rows":[[1,1,1.5,1,1]]}',
      "accuracy 1.5",
    ],
    [
      '{"columns":["epoch","loss","accuracy","seconds","rate"],"rows":[[1,1,1,1]]}',
      "not an array of 5",
    ],
    [
      '{"columns":["epoch","loss","accuracy","seconds","rate"],"rows":[],"x":1}',
      "unexpected field 'x'",
    ],
  ];
  for (const [text, fragment] of cases) {
    const e = assertThrows(
      () => decodeHistory({ history: text }, what),
      FileFormatError,
      fragment,
    );
    assertEquals(e.message.includes(what), true);
    assertEquals(e.message.includes("\n"), false);
  }
});
