// Targets and verdicts shared by the parts, the combined report and the chart.
//
// A verdict is {part, id, label, value, target, comparator ("<=" | ">="), unit, met, text,
// targetText, note?}: `value` and `target` are plain numbers in `unit` (e.g. "×" for a ratio
// against the baseline measured in the same run, "requests", "KB", "ms").
import { fixed } from "./markdown.js";

function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  if (unit === "×") return `${value < 0.1 && value > 0 ? value.toFixed(3) : value.toFixed(2)}×`;
  if (unit === "ms") return `${fixed(value, value < 100 ? 1 : 0)} ms`;
  if (unit === "KB") return `${fixed(value, 1)} KB`;
  // "requests", "downloads": singular for exactly one.
  const noun = value === 1 && unit.endsWith("s") ? unit.slice(0, -1) : unit;
  if (Number.isInteger(value)) return `${value} ${noun}`;
  return `${fixed(value, 2)} ${unit}`;
}

/** Makes a verdict; `met` is computed from value, target and comparator (n/a values miss). */
export function verdict({ part, id, label, value, target, comparator = "<=", unit = "×", note }) {
  const usable = typeof value === "number" && Number.isFinite(value);
  const met = usable && (comparator === "<=" ? value <= target : value >= target);
  return {
    part,
    id,
    label,
    value: usable ? value : null,
    target,
    comparator,
    unit,
    met,
    text: formatValue(value, unit),
    targetText: `${comparator === "<=" ? "≤" : "≥"} ${formatValue(target, unit)}`,
    ...(note ? { note } : {}),
  };
}

/** "target <label> <targetText>: **MET** (measured <text>)" */
export function verdictLine(v) {
  return `target ${v.label} ${v.targetText}: **${v.met ? "MET" : "MISSED"}** (measured ${v.text}${v.note ? `; ${v.note}` : ""})`;
}

/**
 * How much of the target's budget a verdict uses: value / target for "<=" targets, target / value
 * for ">=" ones; ≤ 1 means met. A target of 0 gives 0 (met) or Infinity (missed).
 */
export function budgetUsed(v) {
  if (v.value === null) return Number.NaN;
  if (v.comparator === "<=") {
    if (v.target === 0) return v.value === 0 ? 0 : Number.POSITIVE_INFINITY;
    return v.value / v.target;
  }
  if (v.value === 0) return Number.POSITIVE_INFINITY;
  return v.target / v.value;
}
