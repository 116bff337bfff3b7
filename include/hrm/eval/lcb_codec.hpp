// LiveCodeBench's private-test encoding: the `private_test_cases` field of code_generation_lite rows is
// either JSON text or base64( zlib( pickle( <JSON text as a Python str> ))). This decodes the second form
// without Python: a base64 reader, a bounded zlib inflater and a pickle reader that accepts only the
// opcodes that can spell a single string (protocols 2-5) and rejects everything else — nothing is ever
// executed, imported or constructed. Each decoder has its encoder beside it (synthetic rows are written
// the way LiveCodeBench publishes them), and every pair round-trips.
//
// Exports: base64_decode(), base64_encode(), zlib_decompress(), zlib_compress(), unpickle_string(),
// pickle_string(), decode_private_tests(), encode_private_tests().
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace hrm::eval::lcb {

// Standard alphabet (A-Z a-z 0-9 + /) with '=' padding; ASCII whitespace is skipped (as Python's
// b64decode does). Any other character, misplaced padding or a dangling final char throws hrm::Error.
std::string base64_decode(std::string_view text);
// Standard alphabet with '=' padding, no line breaks (Python's base64.b64encode).
std::string base64_encode(std::string_view data);

// Inflates a zlib stream (RFC 1950). Throws hrm::Error on a corrupt or truncated stream, or when the
// output would exceed `max_output` bytes (a decompression bomb).
std::string zlib_decompress(std::string_view data, std::size_t max_output = std::size_t{1} << 31);
// A zlib stream (RFC 1950) at the best compression level.
std::string zlib_compress(std::string_view data);

// Reads a pickle whose only object is a str. Accepted opcodes: PROTO (2..5), FRAME, SHORT_BINUNICODE,
// BINUNICODE, BINUNICODE8, MEMOIZE, BINPUT, LONG_BINPUT, STOP. Anything else (GLOBAL, STACK_GLOBAL,
// REDUCE, BUILD, INST, OBJ, ...) throws hrm::Error naming the opcode and its offset. The string must
// be valid UTF-8 and be the only object on the stack at STOP.
std::string unpickle_string(std::string_view data);
// Pickle protocol 4 of one str (PROTO, FRAME, SHORT_BINUNICODE/BINUNICODE, MEMOIZE, STOP), byte for byte
// what Python's pickle.dumps(text, protocol=4) writes. `text` must be UTF-8 (it is written as it is).
std::string pickle_string(std::string_view text);

// The JSON text of a `private_test_cases` field: the field itself when it parses as JSON, otherwise
// unpickle_string(zlib_decompress(base64_decode(field))). Errors say which stage failed.
std::string decode_private_tests(const std::string& field);
// base64(zlib(pickle(json_text))): the published form of a `private_test_cases` field.
std::string encode_private_tests(const std::string& json_text);

}  // namespace hrm::eval::lcb
