// decode_record for a record already parsed (an entry of a snapshot): apart from hash_record.h so
// that only the files that parse JSON see nlohmann's types.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include "hash_record.h"

namespace coc {

// As decode_record, without its size limit (the enclosing document was bounded as a whole).
RecordDecode decode_record_json(const nlohmann::json& json);

}  // namespace coc
