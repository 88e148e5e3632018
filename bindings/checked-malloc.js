// --post-js: embind copies each string and byte array it hands the core into memory taken with
// _malloc, and writes without checking that it got any. Past what the heap can still take, the
// bytes would go from address 0 over the core's own data and break every later call; and a piece
// that fits once but not twice fails when the C++ side copies it, as an opaque wasm exception.
// So an allocation from JS larger than the largest input the core reads (maxInputBytes, plus
// embind's length prefix and NUL), or one the heap refuses, is a RangeError before anything is
// written.
var cocMallocStub = _malloc;
function cocCheckedMalloc(size) {
  var most = Module["maxInputBytes"] + 5;
  if (size > most) {
    throw new RangeError("cross-origin-cache: " + size + " bytes are more than the core takes in at once (" + most + ")");
  }
  var pointer = cocMallocStub(size);
  _malloc = cocCheckedMalloc;  // the loader's stub replaces _malloc with the export it calls
  if (!pointer && size) throw new RangeError("cross-origin-cache: the core has no room for " + size + " more bytes");
  return pointer;
}
_malloc = cocCheckedMalloc;
