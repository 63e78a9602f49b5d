/** How the windows write numbers: signed values and percentages. */
import { MINUS, percent, signed } from "../lib/ui/format.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("signed() writes the sign always, with a real minus sign", () => {
  assertEquals(signed(1.234), "+1.23");
  assertEquals(signed(-0.65), `${MINUS}0.65`);
  assertEquals(signed(-0.6284, 3), "−0.628");
  assertEquals(signed(0), "+0.00");
  assertEquals(signed(13.05, 2), "+13.05");
});

Deno.test("signed() never writes a minus zero", () => {
  assertEquals(signed(-0), "+0.00");
  assertEquals(signed(-0.004), "+0.00");
  assertEquals(signed(-0.0004, 3), "+0.000");
  assertEquals(signed(-0.005, 2), "−0.01");
});

Deno.test("percent() writes 0 to 1 as a percentage", () => {
  assertEquals(percent(0.9731), "97.3 %");
  assertEquals(percent(0.125, 0), "13 %");
  assertEquals(percent(0), "0.0 %");
  assertEquals(percent(0.98765, 2), "98.77 %");
  assertEquals(percent(0.0123, 1, ""), "1.2%");
});
