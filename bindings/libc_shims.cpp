// Smaller stand-ins for the libc functions nlohmann-json and embind call, linked into the package's
// module only (CMakeLists.txt: -Wl,--wrap=strtod,--wrap=snprintf,--wrap=siprintf). musl's strtod
// and snprintf bring in long double (soft 128-bit float) parsing and printing: 9 KB of the gzipped
// module; its integer-only printf engine, left behind them, another 2.4 KB.
// - strtod: nlohmann's lexer hands it a JSON number it has already checked, and JS's Number()
//   parses that to the same double (correctly rounded, ±Infinity on overflow, which nlohmann
//   then refuses as it would musl's HUGE_VAL).
// - snprintf: nlohmann formats only 4 hex digits of a UTF-16 unit or a byte with it ("\u%04x",
//   twice for a surrogate pair, and "<U+%.4X>"); written here, without musl's printf engine.
//   libc++'s std::to_string(double) would be another ("%f"), and traps here, as it did with
//   musl's integer-only printf behind the earlier stand-in: the module must not call it.
#include <emscripten/emscripten.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstring>

EM_JS(double, coc_js_number, (const char* text, int length), {
  return Number(UTF8ToString(text, length));
});

extern "C" {

double __wrap_strtod(const char* text, char** end) {
  const std::size_t length = std::strspn(text, "0123456789+-.eE");
  if (end != nullptr) *end = const_cast<char*>(text + length);
  return coc_js_number(text, static_cast<int>(length));
}

int __wrap_snprintf(char* out, std::size_t size, const char* format, ...) {
  char text[16];
  std::size_t length = 0;
  va_list args;
  va_start(args, format);
  for (const char* at = format; *at != '\0'; ++at) {
    if (length + 4 > sizeof text) __builtin_trap();
    if (*at != '%') {
      text[length++] = *at;
      continue;
    }
    const bool upper = std::strncmp(at, "%.4X", 4) == 0;
    if (!upper && std::strncmp(at, "%04x", 4) != 0) __builtin_trap();
    at += 3;
    const unsigned value = va_arg(args, unsigned);  // a uint16_t or an unsigned char, promoted
    for (int shift = 12; shift >= 0; shift -= 4) {
      text[length++] = (upper ? "0123456789ABCDEF" : "0123456789abcdef")[(value >> shift) & 0xF];
    }
  }
  va_end(args);
  if (size > 0) {
    const std::size_t kept = length < size ? length : size - 1;
    std::memcpy(out, text, kept);
    out[kept] = '\0';
  }
  return static_cast<int>(length);
}

// embind's __getTypeName (no RTTI) names a type by its address, sprintf("%p"), which musl writes
// as "0x" and the hex digits ("0" for null). The only sprintf left, it kept musl's printf in.
int __wrap_siprintf(char* out, const char* format, ...) {
  if (std::strcmp(format, "%p") != 0) __builtin_trap();
  va_list args;
  va_start(args, format);
  const auto value = reinterpret_cast<std::uintptr_t>(va_arg(args, void*));
  va_end(args);
  char* at = out;
  if (value != 0) {
    *at++ = '0';
    *at++ = 'x';
  }
  int shift = 0;
  while (shift + 4 < static_cast<int>(8 * sizeof value) && (value >> (shift + 4)) != 0) shift += 4;
  for (; shift >= 0; shift -= 4) *at++ = "0123456789abcdef"[(value >> shift) & 0xF];
  *at = '\0';
  return static_cast<int>(at - out);
}

}  // extern "C"
