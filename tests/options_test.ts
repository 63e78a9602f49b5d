/** Options declared in a table: their ranges, parsing and help text. */
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { UsageError } from "../lib/cli.ts";
import {
  allows,
  checkValue,
  optionsHelp,
  type OptionSpec,
  parseOptions,
  rangeText,
} from "../lib/options.ts";
import { TRAIN_OPTIONS } from "../lib/nn/train_options.ts";

const COUNT: OptionSpec = {
  flag: "count",
  env: "COUNT",
  type: "integer",
  min: 1,
  default: 3,
  arg: "N",
  help: "how many",
};
const SHARE: OptionSpec = {
  flag: "share",
  type: "number",
  min: 0,
  max: 1,
  belowMax: true,
  default: 0.5,
  arg: "S",
  help: "a share",
};
const MODE: OptionSpec = {
  flag: "mode",
  type: "choice",
  choices: ["fast", "slow"],
  default: "fast",
  help: "the mode",
};
const TABLE: OptionSpec[] = [
  COUNT,
  SHARE,
  MODE,
  { flag: "dir", type: "paths", arg: "DIR", help: "folders" },
  { flag: "out", type: "path", arg: "PATH", help: "a file" },
  { flag: "verbose", short: "v", type: "flag", help: "say more" },
];
const noEnv = () => undefined;

Deno.test("rangeText() says each kind of range in words", () => {
  assertEquals(rangeText(COUNT), "a positive integer");
  assertEquals(rangeText(SHARE), "a number at least 0 and below 1");
  assertEquals(
    rangeText({ ...COUNT, min: 0, max: 9 }),
    "an integer in 0..9",
  );
  assertEquals(
    rangeText({ ...SHARE, max: undefined, aboveMin: true }),
    "a positive number",
  );
  assertEquals(rangeText({ ...COUNT, min: 2 }), "an integer at least 2");
  assertEquals(rangeText(MODE), "one of fast, slow");
});

Deno.test("allows() and checkValue() keep to the range, its open ends and integers", () => {
  for (const [v, ok] of [[1, true], [0, false], [2.5, false], [NaN, false]]) {
    assertEquals(allows(COUNT, v), ok, `count ${v}`);
  }
  for (const [v, ok] of [[0, true], [0.99, true], [1, false], [-0.1, false]]) {
    assertEquals(allows(SHARE, v), ok, `share ${v}`);
  }
  assert(allows(MODE, "slow") && !allows(MODE, "quick"));
  assertThrows(
    () => checkValue(SHARE, "share", 1),
    RangeError,
    "share must be a number at least 0 and below 1, got 1",
  );
  assertThrows(
    () => checkValue(MODE, "mode", "quick"),
    RangeError,
    "mode must be one of fast, slow, got 'quick'",
  );
});

Deno.test("parseOptions() takes flags, then variables, then defaults", () => {
  const env = (vars: Record<string, string>) => (k: string) => vars[k];
  const d = parseOptions(TABLE, [], noEnv);
  assertEquals(d, {
    count: 3,
    share: 0.5,
    mode: "fast",
    dir: [],
    out: undefined,
    verbose: false,
  });
  assertEquals(parseOptions(TABLE, [], env({ COUNT: "7" })).count, 7);
  assertEquals(
    parseOptions(TABLE, ["--count=2"], env({ COUNT: "7" })).count,
    2,
  );
  assertEquals(parseOptions(TABLE, [], env({ COUNT: "" })).count, 3);
  const all = parseOptions(
    TABLE,
    ["--dir", "a", "--dir", "b", "-v", "--mode", "slow", "--out", "x.bin"],
    noEnv,
  );
  assertEquals([all.dir, all.verbose, all.mode, all.out], [
    ["a", "b"],
    true,
    "slow",
    "x.bin",
  ]);
});

Deno.test("parseOptions() names the flag or variable of a bad value", () => {
  const cases: [string[], Record<string, string>, string][] = [
    [["--count", "two"], {}, "--count must be an integer, got 'two'"],
    [["--count", "0"], {}, "--count must be a positive integer, got '0'"],
    [[], { COUNT: "1.5" }, "COUNT must be an integer, got '1.5'"],
    [["--share", "1"], {}, "--share must be a number at least 0 and below 1"],
    [["--mode", "quick"], {}, "--mode must be one of fast, slow, got 'quick'"],
    [["--dir", ""], {}, "--dir needs a folder"],
    [["--out="], {}, "--out needs a path"],
    [["--bogus"], {}, "Unknown option '--bogus'"],
    [["stray"], {}, "stray"],
  ];
  for (const [args, vars, message] of cases) {
    assertThrows(
      () => parseOptions(TABLE, args, (k) => vars[k]),
      UsageError,
      message,
    );
  }
});

Deno.test("optionsHelp() lists every option with its default and variable, within 79 columns", () => {
  const help = optionsHelp(TABLE);
  for (const spec of TABLE) assert(help.includes(`--${spec.flag}`), spec.flag);
  assert(help.includes("how many (default 3; env COUNT)"), help);
  const train = optionsHelp(TRAIN_OPTIONS);
  for (const line of train.split("\n")) {
    assert(line.length <= 79, `too long: ${line}`);
  }
  for (const spec of TRAIN_OPTIONS) {
    assert(train.includes(`--${spec.flag}`), spec.flag);
    if (spec.env) assert(train.includes(`env ${spec.env}`), spec.env);
  }
});
