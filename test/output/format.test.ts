import { Float64, Int32, Utf8, DateDay, TimestampMillisecond, Bool } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { formatNumber, formatValue, plural, typeLabel } from "../../src/output/index.ts";

describe("formatValue()", () => {
  it("formatValue(date) drops a midnight time and shows other times without milliseconds", () => {
    expect(formatValue(new Date("2024-03-01T00:00:00Z"))).toBe("2024-03-01");
    expect(formatValue(new Date("2024-03-01T13:05:09Z"))).toBe("2024-03-01 13:05:09");
  });

  it("formatValue() shows null, numbers without float noise, and nested values as JSON", () => {
    expect(formatValue(null)).toBe("∅");
    expect(formatValue(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(761995)).toBe("761995");
    expect(formatValue([1, "a"])).toBe('[1,"a"]');
  });
});

describe("labels", () => {
  it("plural() reads as a person would", () => {
    expect(plural(1, "row")).toBe("1 row");
    expect(plural(1234, "row")).toBe("1,234 rows");
  });

  it("typeLabel() names Arrow types in plain words", () => {
    expect(
      [
        new Float64(),
        new Int32(),
        new Utf8(),
        new DateDay(),
        new TimestampMillisecond(),
        new Bool(),
      ].map(typeLabel),
    ).toEqual(["number", "number", "text", "date", "timestamp", "boolean"]);
  });
});
