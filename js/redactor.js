// The one exit for text: every rejection (and its cause chain), onError and onProgress event
// leaves the package through a Redactor, which has the core hide every URL's credentials and every
// secret value the cache was given (src/request_secrets.h). JS only walks the objects.

const BUILTIN_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];
// Deeper causes are dropped: a cycle or a very long chain must not hang an error path.
const MAX_CAUSE_DEPTH = 8;
// An error's cause, message and stack are copied their own way; a thrown object's stack is not.
const ERROR_SKIPS = new Set(["cause", "message", "stack"]);
const OBJECT_SKIPS = new Set(["stack"]);

export class Redactor {
  #core;
  #known = new Set();  // secret values, oldest first

  constructor(core) {
    this.#core = core;
  }

  /** Secret values (from the core's planRequest) to hide from now on; the most recent are kept. */
  remember(secrets) {
    for (const secret of secrets) {
      this.#known.delete(secret);
      this.#known.add(secret);
    }
    while (this.#known.size > this.#core.maxKnownSecrets) this.#known.delete(this.#known.values().next().value);
  }

  text(value) {
    return this.#core.redactText(String(value ?? ""), [...this.#known]);
  }

  /**
   * A copy of error fit to leave the package: same name (and class, for DOMException and the
   * built-in errors), message redacted, string properties redacted, cause chain copied the same
   * way. The original object, which may quote a URL whole, is never handed out.
   */
  error(error, depth = 0) {
    if (!(error instanceof Error) && !(typeof DOMException !== "undefined" && error instanceof DOMException)) {
      if (typeof error === "string") return this.text(error);
      // Something thrown that is no Error (a custom fetch may reject with a plain object): a copy
      // of its own primitive fields, strings redacted; nothing deeper leaves.
      return error !== null && typeof error === "object" ? this.#fields({}, error, OBJECT_SKIPS) : error;
    }
    const message = this.text(error.message);
    let copy;
    if (typeof DOMException !== "undefined" && error instanceof DOMException) {
      copy = new DOMException(message, error.name);
    } else {
      const Builtin = BUILTIN_ERRORS.find((type) => error.constructor === type) ?? Error;
      copy = new Builtin(message);
      if (copy.name !== error.name) copy.name = this.text(error.name);
    }
    this.#fields(copy, error, ERROR_SKIPS);
    if ("cause" in error && depth < MAX_CAUSE_DEPTH) {
      Object.defineProperty(copy, "cause", {
        value: this.error(error.cause, depth + 1), writable: true, configurable: true, enumerable: false,
      });
    }
    return copy;
  }

  // Copies source's own enumerable primitive fields but `skips` onto target, strings redacted.
  #fields(target, source, skips) {
    let entries = [];
    try {
      entries = Object.entries(source);
    } catch {
      // a proxy or getter that throws: nothing of it leaves
    }
    for (const [key, value] of entries) {
      if (skips.has(key)) continue;
      if (typeof value === "string") target[key] = this.text(value);
      else if (value === null || typeof value !== "object") target[key] = value;
    }
    return target;
  }
}
