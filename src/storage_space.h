// Whether a file can fit in the same-origin fallback store, from navigator.storage.estimate(): a
// write the browser would refuse for quota is not started (its bytes are served unstored).
#pragma once

namespace coc {

// quota and usage as estimate() gives them, in bytes; a negative or non-finite value means
// unknown, and then the write is tried (the storage's own refusal is still handled).
bool fits_storage_estimate(double size, double quota, double usage);

}  // namespace coc
