// Checks createCrossOriginCache()'s options through the core's rules (src/cache_options.h): the
// shim only describes each JS value; what is acceptable is decided there.
function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Throws a TypeError naming the first option that is not acceptable. */
export function checkOptions(core, options) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("cross-origin-cache: options must be an object");
  }
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;  // not given
    const type = describe(value);
    const scalar = type === "string" || type === "number" || type === "boolean";
    const items = type === "string" ? [value] : type === "array" ? value : undefined;
    const itemsAreStrings = type !== "array" || value.every((item) => typeof item === "string");
    const error = core.optionError(name, type, type === "number" ? value : 0, scalar ? String(value) : "",
      itemsAreStrings ? items : undefined, itemsAreStrings);
    if (error) throw new TypeError(`cross-origin-cache: ${error}`);
  }
}
