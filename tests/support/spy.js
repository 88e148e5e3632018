// Counts the calls of a prototype's method while `body` runs; the method still works.
export async function counting(proto, name, body) {
  const original = proto[name];
  let calls = 0;
  proto[name] = function (...args) {
    calls++;
    return original.apply(this, args);
  };
  try {
    return { result: await body(), calls: () => calls };
  } finally {
    proto[name] = original;
  }
}
