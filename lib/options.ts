/**
 * Command-line options declared once, in a table: each entry says its flag,
 * the environment variable that may also set it, its type and range, its
 * default and its help line. The parser, the `--help` text and the check of
 * a configuration made in code all come from the table, as PyTorch's
 * examples make theirs from one `argparse` table.
 *
 * @module
 */
import { parseFlags, UsageError } from "./cli.ts";

/** One option of a table. */
export interface OptionSpec {
  /** The long flag without its dashes, e.g. "weight-decay". */
  flag: string;
  /** A one-letter alias, e.g. "v" for --verbose. */
  short?: string;
  /** An environment variable that sets the option when the flag is absent. */
  env?: string;
  /**
   * "integer" and "number" (with their range below), "choice" (one of
   * `choices`), "path" (a non-empty string), "paths" (a path that may be
   * given more than once) or "flag" (present or not).
   */
  type: "integer" | "number" | "choice" | "path" | "paths" | "flag";
  /**
   * For "integer" and "number": the value is a comma-separated list of them,
   * each in the range (e.g. "--rates 0.1,0.2,0.3"), given as an array.
   */
  list?: boolean;
  /** The least value allowed; with `aboveMin`, values must be above it. */
  min?: number;
  aboveMin?: boolean;
  /** The largest value allowed; with `belowMax`, values must be below it. */
  max?: number;
  belowMax?: boolean;
  choices?: readonly string[];
  /** The value when neither the flag nor the variable is given. */
  default?: number | string | readonly number[];
  /** How the help text names the default, where not by its value. */
  defaultText?: string;
  /** The argument's name in the help text, e.g. "N" or "DIR". */
  arg?: string;
  /** What the option does: one sentence, wrapped by `optionsHelp()`. */
  help: string;
}

/** A value of an option, as the parser gives it. */
export type OptionValue =
  | number
  | readonly number[]
  | string
  | string[]
  | boolean
  | undefined;

/** What values of a numeric option must be, e.g. "a positive integer". */
export function rangeText(spec: OptionSpec): string {
  const { min, max, aboveMin, belowMax } = spec;
  if (spec.type === "choice") return `one of ${spec.choices!.join(", ")}`;
  const kind = spec.type === "integer" ? "integer" : "number";
  if (max === undefined && min !== undefined) {
    if (min === 0 && aboveMin || min === 1 && kind === "integer") {
      return `a positive ${kind}`;
    }
    return `a${kind === "integer" ? "n" : ""} ${kind} ${
      aboveMin ? "above" : "at least"
    } ${min}`;
  }
  if (min !== undefined && max !== undefined && !aboveMin && !belowMax) {
    return `a${kind === "integer" ? "n" : ""} ${kind} in ${min}..${max}`;
  }
  const parts = [
    min === undefined ? "" : `${aboveMin ? "above" : "at least"} ${min}`,
    max === undefined ? "" : `${belowMax ? "below" : "at most"} ${max}`,
  ].filter(Boolean);
  return `a${kind === "integer" ? "n" : ""} ${kind} ${parts.join(" and ")}`;
}

/** Whether `v` is a value `spec` allows (numbers and choices). */
export function allows(spec: OptionSpec, v: unknown): boolean {
  if (spec.type === "choice") {
    return typeof v === "string" && spec.choices!.includes(v);
  }
  if (typeof v !== "number" || !Number.isFinite(v)) return false;
  if (spec.type === "integer" && !Number.isInteger(v)) return false;
  const { min, max } = spec;
  if (min !== undefined && (spec.aboveMin ? v <= min : v < min)) return false;
  if (max !== undefined && (spec.belowMax ? v >= max : v > max)) return false;
  return true;
}

/**
 * Checks a value set in code against its option, throwing a `RangeError`
 * that names it as `name` (e.g. "weightDecay must be a number at least 0 and
 * below 1, got 2").
 */
export function checkValue(spec: OptionSpec, name: string, v: unknown): void {
  if (!allows(spec, v)) {
    const shown = typeof v === "string" ? `'${v}'` : String(v);
    throw new RangeError(`${name} must be ${rangeText(spec)}, got ${shown}`);
  }
}

/**
 * The value of `raw`, the text given for `spec` by `source` (a flag like
 * "--epochs" or a variable like "EPOCHS"); a `UsageError` naming the source
 * when it is not allowed.
 */
export function parseValue(
  spec: OptionSpec,
  source: string,
  raw: string,
): number | number[] | string {
  if (spec.list) {
    if (raw.trim() === "") {
      throw new UsageError(`${source} needs a list, e.g. 1,2,3`);
    }
    return raw.split(",").map((part) =>
      parseValue({ ...spec, list: false }, source, part.trim()) as number
    );
  }
  if (spec.type === "path" || spec.type === "paths") {
    if (raw === "") {
      throw new UsageError(
        `${source} needs a ${spec.arg === "DIR" ? "folder" : "path"}`,
      );
    }
    return raw;
  }
  if (spec.type === "choice") {
    if (!allows(spec, raw)) {
      throw new UsageError(
        `${source} must be ${rangeText(spec)}, got '${raw}'`,
      );
    }
    return raw;
  }
  const v = raw.trim() === "" ? NaN : Number(raw);
  const integer = spec.type === "integer";
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new UsageError(
      `${source} must be ${integer ? "an integer" : "a number"}, got '${raw}'`,
    );
  }
  if (!allows(spec, v)) {
    throw new UsageError(`${source} must be ${rangeText(spec)}, got '${raw}'`);
  }
  return v;
}

/**
 * Parses a command line against `table` (strict: an unknown flag or a
 * positional argument is a `UsageError`), then the environment (`env` reads
 * a variable; an empty one counts as unset, as shells treat `EPOCHS= cmd`),
 * then the defaults. Flags win over variables. Returns each option's value
 * by its flag; "paths" give arrays, "flag" booleans.
 */
export function parseOptions(
  table: readonly OptionSpec[],
  args: string[],
  env: (name: string) => string | undefined,
): Record<string, OptionValue> {
  const config: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = {};
  for (const spec of table) {
    config[spec.flag] = {
      type: spec.type === "flag" ? "boolean" : "string",
      ...(spec.type === "paths" ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  const flags = parseFlags(args, config) as Record<
    string,
    string | string[] | boolean | undefined
  >;
  const values: Record<string, OptionValue> = {};
  for (const spec of table) {
    const given = flags[spec.flag];
    const source = `--${spec.flag}`;
    if (spec.type === "flag") {
      values[spec.flag] = given === true;
    } else if (spec.type === "paths") {
      const list = (given ?? []) as string[];
      values[spec.flag] = list.map((p) =>
        parseValue(spec, source, p) as string
      );
    } else if (typeof given === "string") {
      values[spec.flag] = parseValue(spec, source, given);
    } else {
      const raw = spec.env ? env(spec.env) : undefined;
      values[spec.flag] = raw === undefined || raw === ""
        ? spec.default
        : parseValue(spec, spec.env!, raw);
    }
  }
  return values;
}

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The help text's column where the options' descriptions start. */
const HELP_COLUMN = 20;
/** The help text's width. */
const HELP_WIDTH = 79;

/**
 * The options part of a `--help` text: one entry per option, its flag and
 * argument, then its help line, its default and its variable, wrapped.
 */
export function optionsHelp(table: readonly OptionSpec[]): string {
  const out: string[] = [];
  for (const spec of table) {
    const head = `  --${spec.flag}${spec.arg ? ` ${spec.arg}` : ""}`;
    const notes = [
      spec.defaultText ??
        (spec.default === undefined ? undefined : `default ${spec.default}`),
      spec.env && `env ${spec.env}`,
    ].filter(Boolean);
    const text = notes.length
      ? `${spec.help} (${notes.join("; ")})`
      : spec.help;
    const lines = wrap(text, HELP_WIDTH - HELP_COLUMN);
    const pad = " ".repeat(HELP_COLUMN);
    if (head.length < HELP_COLUMN - 1) {
      out.push(head.padEnd(HELP_COLUMN) + lines[0]);
    } else {
      out.push(head, pad + lines[0]);
    }
    for (const line of lines.slice(1)) out.push(pad + line);
  }
  return out.join("\n");
}
