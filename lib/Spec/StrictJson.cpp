//===- StrictJson.cpp - JSON reading that is strict about what it accepts -===//
//
// nlohmann's DOM parser silently keeps the last of duplicate keys and has no
// nesting limit. A spec's hash names a compiled artifact, so an ambiguous
// spec ({"head_dim": 64, "head_dim": 128}) must be an error, and a
// pathological input must not exhaust the stack. This SAX handler builds the
// same DOM while tracking the JSON path, so both problems are reported as
// "<source>: <path>: <problem>", and syntax errors as
// "<source>: invalid JSON at line L, column C: <parser message>".
//
//===----------------------------------------------------------------------===//

#include "sattn/Status.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace sattn::spec_detail {

using nlohmann::json;

/// Deeper than any sensible spec (mask nesting 32 is about 66 JSON levels);
/// the spec parser reports the semantic limit first.
constexpr size_t kMaxJsonDepth = 128;

/// ".key" for identifiers, otherwise ["key"] with JSON escaping.
std::string pathSegment(const std::string &key) {
  bool ident = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
  for (char c : key)
    ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return ident ? "." + key : "[" + json(key).dump() + "]";
}

namespace {

class StrictBuilder : public nlohmann::json_sax<json> {
public:
  json root;
  /// Set when a handler rejected the input ("<path>: <problem>").
  std::string semanticError;
  /// Set by parse_error().
  bool syntaxError = false;
  size_t errorPosition = 0;
  std::string syntaxMessage;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t &) override {
    return put(json(v));
  }
  bool string(string_t &v) override { return put(json(v)); }
  bool binary(binary_t &v) override { return put(json(v)); }

  bool start_object(std::size_t) override { return open(json::object(), false); }
  bool start_array(std::size_t) override { return open(json::array(), true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t &k) override {
    Frame &f = stack.back();
    if (!f.keys.insert(k).second) {
      semanticError = pathOf(stack.size() - 1) + ": duplicate key " + json(k).dump();
      return false;
    }
    f.key = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &ex) override {
    syntaxError = true;
    errorPosition = position;
    syntaxMessage = ex.what();
    return false;
  }

private:
  struct Frame {
    json *node;
    bool isArray;
    std::string key;            ///< Objects: the key of the current child.
    std::set<std::string> keys; ///< Objects: keys seen so far.
  };
  std::vector<Frame> stack;

  /// Path of the value that frames [0, n) lead to.
  std::string pathOf(size_t n) const {
    std::string p = "$";
    for (size_t i = 0; i < n; ++i) {
      const Frame &f = stack[i];
      p += f.isArray ? "[" + std::to_string(f.node->size() - 1) + "]"
                     : pathSegment(f.key);
    }
    return p;
  }

  json *place(json v) {
    if (stack.empty()) {
      root = std::move(v);
      return &root;
    }
    Frame &f = stack.back();
    if (f.isArray) {
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    json &slot = (*f.node)[f.key];
    slot = std::move(v);
    return &slot;
  }

  bool put(json v) {
    place(std::move(v));
    return true;
  }

  bool open(json container, bool isArray) {
    json *node = place(std::move(container));
    if (stack.size() + 1 > kMaxJsonDepth) {
      semanticError = pathOf(stack.size()) + ": JSON nested deeper than " +
                      std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    stack.push_back(Frame{node, isArray, {}, {}});
    return true;
  }

  bool close() {
    stack.pop_back();
    return true;
  }
};

/// nlohmann's message without its "[json.exception.<id>] " tag and, for
/// syntax errors, its "parse error at line L, column C: " prefix, since we
/// print our own position.
std::string parserProblem(std::string what) {
  if (what.rfind("[json.exception.", 0) == 0) {
    size_t close = what.find("] ");
    if (close != std::string::npos)
      what = what.substr(close + 2);
  }
  if (what.rfind("parse error", 0) == 0) {
    size_t colon = what.find(": ");
    if (colon != std::string::npos)
      what = what.substr(colon + 2);
  }
  return what;
}

/// "<source>: invalid JSON at line L, column C: <problem>" for the 0-based
/// byte `offset` (clamped to the end of the text).
Status syntaxError(const std::string &text, const std::string &source,
                   size_t offset, const std::string &problem) {
  offset = std::min(offset, text.size());
  size_t line = 1, lineStart = 0;
  for (size_t k = 0; k < offset; ++k)
    if (text[k] == '\n') {
      ++line;
      lineStart = k + 1;
    }
  size_t column = offset - lineStart + 1;
  return Status::error(ErrorKind::InvalidInput,
                       source + ": invalid JSON at line " + std::to_string(line) +
                           ", column " + std::to_string(column) + ": " + problem);
}

} // namespace

Result<json> parseStrictJson(const std::string &text, const std::string &source) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so
  // `{...}\0anything` would parse as `{...}`. JSON text has no NUL outside
  // strings, and inside them it must be escaped (\u0000).
  if (size_t nul = text.find('\0'); nul != std::string::npos)
    return syntaxError(text, source, nul, "NUL byte (not allowed in JSON text)");
  StrictBuilder builder;
  bool ok = json::sax_parse(text, &builder, json::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  if (ok)
    return std::move(builder.root);
  if (builder.syntaxError) {
    // `position` counts the characters read, the offending one included:
    // its 0-based offset is position - 1 (clamped for end of input).
    size_t offset = builder.errorPosition == 0 ? 0 : builder.errorPosition - 1;
    return syntaxError(text, source, offset, parserProblem(builder.syntaxMessage));
  }
  return Status::error(ErrorKind::InvalidInput, source + ": " + builder.semanticError);
}

} // namespace sattn::spec_detail
