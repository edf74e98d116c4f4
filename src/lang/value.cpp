// Value and the default behaviour of ExtensionValue (value.h).
#include "lang/value.h"

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

Value ExtensionValue::member(std::string_view name) const {
  throw TypeError(fmt::format("'{}' has no member '{}'", kind_name(), name));
}

Value ExtensionValue::subscript(int64_t) const {
  throw TypeError(fmt::format("'{}' cannot be subscripted", kind_name()));
}

const Object& Value::object() const {
  if (const auto* o = std::get_if<Object>(&v_)) return *o;
  throw TypeError(fmt::format("expected a C object, not a {}", extension().kind_name()));
}

const ExtensionValue& Value::extension() const { return *extension_ptr(); }

const std::shared_ptr<const ExtensionValue>& Value::extension_ptr() const {
  const auto* e = std::get_if<std::shared_ptr<const ExtensionValue>>(&v_);
  if (!e || !*e) throw TypeError("expected a built-in value, not a C object");
  return *e;
}

std::string format_value(const Value& value, const FormatOptions& options) {
  if (value.is_object()) return format_object(value.object(), options);
  return value.extension().format();
}

}  // namespace kdive
