// Smaller stand-ins for the two libc functions nlohmann-json calls, linked into the package's
// module only (CMakeLists.txt: -Wl,--wrap=strtod,--wrap=snprintf). musl's strtod and snprintf
// bring in long double (soft 128-bit float) parsing and printing: 9 KB of the gzipped module.
// - strtod: nlohmann's lexer hands it a JSON number it has already checked, and JS's Number()
//   parses that to the same double (correctly rounded, ±Infinity on overflow, which nlohmann
//   then refuses as it would musl's HUGE_VAL).
// - snprintf: nlohmann formats only integers with it ("\u%04x", "<U+%.4X>"); musl's integer-only
//   printf does the same without the floating-point part.
#include <emscripten/emscripten.h>

#include <cstdarg>
#include <cstddef>
#include <cstring>

EM_JS(double, coc_js_number, (const char* text, int length), {
  return Number(UTF8ToString(text, length));
});

extern "C" {

int vsniprintf(char* out, std::size_t size, const char* format, va_list args);

double __wrap_strtod(const char* text, char** end) {
  const std::size_t length = std::strspn(text, "0123456789+-.eE");
  if (end != nullptr) *end = const_cast<char*>(text + length);
  return coc_js_number(text, static_cast<int>(length));
}

int __wrap_snprintf(char* out, std::size_t size, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int written = vsniprintf(out, size, format, args);
  va_end(args);
  return written;
}

}  // extern "C"
