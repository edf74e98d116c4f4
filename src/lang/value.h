// Value: what an expression evaluates to. Usually a C Object; built-ins of later layers
// may return other things that chain with postfix operators in expressions — a stack
// trace that is subscripted by frame number, a frame whose members are its variables
// ("$bt[4].hctx->nr_ctx"). Those implement ExtensionValue.
//
//   Value v = evaluator.evaluate("$bt(909)[7]");
//   if (v.is_object()) format_object(v.object()); else v.extension().format();
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "object/object.h"
#include "object/object_formatter.h"

namespace kdive {

class Value;

// A non-C value produced by a built-in. Immutable; shared between variables.
class ExtensionValue {
 public:
  virtual ~ExtensionValue() = default;
  // What it is, for error messages ("stack trace", "stack frame").
  virtual std::string kind_name() const = 0;
  // `value.name`: default TypeError "'stack trace' has no member 'name'".
  virtual Value member(std::string_view name) const;
  // `value[index]`: default TypeError "'stack trace' cannot be subscripted".
  virtual Value subscript(int64_t index) const;
  // The names `member()` accepts, for REPL completion after '.'; default none.
  virtual std::vector<std::string> member_names() const { return {}; }
  // How the REPL and `-e` print it.
  virtual std::string format() const = 0;
};

class Value {
 public:
  Value() = default;
  Value(Object object) : v_(std::move(object)) {}  // NOLINT: implicit by design
  Value(std::shared_ptr<const ExtensionValue> ext) : v_(std::move(ext)) {}  // NOLINT

  bool is_object() const { return std::holds_alternative<Object>(v_); }
  // The C object; TypeError "expected a C object, not a stack trace" otherwise.
  const Object& object() const;
  // The extension; TypeError when this is a C object.
  const ExtensionValue& extension() const;
  const std::shared_ptr<const ExtensionValue>& extension_ptr() const;

 private:
  std::variant<Object, std::shared_ptr<const ExtensionValue>> v_;
};

// format_object() for objects, ExtensionValue::format() otherwise.
std::string format_value(const Value& value, const FormatOptions& options = {});

}  // namespace kdive
