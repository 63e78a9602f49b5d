/**
 * Assertions in the style of Deno's standard library, on top of node:assert
 * (jsr:@std/assert is not reachable from every machine this project builds on).
 */
import assert from "node:assert/strict";

export function assertEquals<T>(
  actual: T,
  expected: T,
  message?: string,
): void {
  assert.deepStrictEqual(actual, expected, message);
}

export function assert_(
  cond: unknown,
  message = "assertion failed",
): asserts cond {
  assert.ok(cond, message);
}
export { assert_ as assert };

/** |actual - expected| <= tolerance. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance: number,
  message = "",
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new assert.AssertionError({
      message: `${
        message ? `${message}: ` : ""
      }expected ${actual} to be within ${tolerance} of ${expected}`,
    });
  }
}

function checkError(
  e: unknown,
  ErrorClass: abstract new (...args: never[]) => Error,
  fragment?: string,
): Error {
  if (!(e instanceof ErrorClass)) {
    throw new assert.AssertionError({
      message: `expected ${ErrorClass.name}, got ${
        e instanceof Error ? `${e.name}: ${e.message}` : String(e)
      }`,
    });
  }
  if (fragment !== undefined && !e.message.includes(fragment)) {
    throw new assert.AssertionError({
      message:
        `expected the message to include "${fragment}", got "${e.message}"`,
    });
  }
  return e;
}

/** fn() throws an ErrorClass whose message includes `fragment`. */
export function assertThrows(
  fn: () => unknown,
  ErrorClass: abstract new (...args: never[]) => Error,
  fragment?: string,
): Error {
  try {
    fn();
  } catch (e) {
    return checkError(e, ErrorClass, fragment);
  }
  throw new assert.AssertionError({
    message: `expected ${ErrorClass.name} to be thrown`,
  });
}

/** fn() rejects with an ErrorClass whose message includes `fragment`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  ErrorClass: abstract new (...args: never[]) => Error,
  fragment?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, ErrorClass, fragment);
  }
  throw new assert.AssertionError({
    message: `expected ${ErrorClass.name} to be rejected`,
  });
}
