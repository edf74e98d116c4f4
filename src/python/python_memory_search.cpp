// drgn.MemorySearchIterator and Program.search_memory, search_memory_u16/u32/u64/word and
// search_memory_regex on kdive's MemorySearch (program/memory_search.h). Regular
// expressions are Python's `re` run over overlapping chunks of memory.
#include <pybind11/stl.h>

#include <deque>
#include <memory>

#include <fmt/format.h>

#include "kdive/error.h"
#include "program/memory_search.h"
#include "python/python_handles.h"

namespace kdive::python {
namespace {

// A regex match may span at most this many bytes and still be found when it crosses
// the seam between two chunks of one contiguous range.
constexpr size_t kRegexChunk = size_t{1} << 20;
constexpr size_t kRegexOverlap = size_t{64} << 10;

struct PyMemorySearch {
  enum class Mode { Bytes, Integer, Regex };
  ProgramRef prog;
  Mode mode = Mode::Bytes;
  bool yields_value = false;  // (address, value) tuples, else addresses
  std::string needle;
  uint64_t alignment = 1;
  IntegerPattern pattern;
  py::object regex;  // compiled bytes pattern
  bool text = false;  // the pattern was a str: matches are decoded from UTF-8
  std::unique_ptr<MemorySearch> search;

  // Regex state: the chunk being matched, the one after it (to know whether it
  // continues this one), matches found but not yet returned, and the first address a
  // new match may start at.
  std::optional<MemorySearch::Chunk> current, lookahead;
  bool lookahead_read = false;
  std::deque<py::object> pending;
  uint64_t regex_from = 0;

  void reset(uint64_t min, uint64_t max, bool physical) {
    search = std::make_unique<MemorySearch>(prog->program(), physical ? AddressSpace::Physical : AddressSpace::Virtual,
                                            min, max);
    search->set_progress_check([] {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    });
    current.reset();
    lookahead.reset();
    lookahead_read = false;
    pending.clear();
    regex_from = 0;
  }

  py::object next_regex() {
    for (;;) {
      if (!pending.empty()) {
        py::object out = pending.front();
        pending.pop_front();
        return out;
      }
      if (!lookahead_read) {
        lookahead = search->next_chunk(kRegexChunk, kRegexOverlap);
        lookahead_read = true;
      }
      current = std::move(lookahead);
      if (!current) return py::none();
      lookahead = search->next_chunk(kRegexChunk, kRegexOverlap);
      uint64_t end = current->address + current->bytes.size();
      // Matches starting in the overlap are left to the next chunk, which sees them with
      // what follows; when no chunk continues this one, this chunk takes them.
      uint64_t limit = lookahead && lookahead->continues ? end - std::min<uint64_t>(kRegexOverlap, end - current->address)
                                                         : end;
      uint64_t from = std::max(regex_from, current->address);
      py::bytes data(current->bytes);
      for (py::handle m : regex.attr("finditer")(data)) {
        uint64_t start = current->address + m.attr("start")().cast<uint64_t>();
        uint64_t stop = current->address + m.attr("end")().cast<uint64_t>();
        if (start < from || start >= limit || stop == start) continue;
        py::object match = m.attr("group")();
        if (text) match = match.attr("decode")("utf-8", "replace");
        pending.push_back(py::make_tuple(start, match));
        from = stop;
      }
      regex_from = std::max(from, limit);
    }
  }

  py::object next() {
    if (mode == Mode::Regex) return next_regex();
    if (mode == Mode::Bytes) {
      std::optional<uint64_t> hit = search->next_bytes(needle, alignment);
      if (!hit) return py::none();
      return py::int_(*hit);
    }
    std::optional<std::pair<uint64_t, uint64_t>> hit = search->next_integer(pattern);
    if (!hit) return py::none();
    if (yields_value) return py::make_tuple(hit->first, hit->second);
    return py::int_(hit->first);
  }
};

using SearchRef = std::shared_ptr<PyMemorySearch>;

uint64_t index_of(const py::handle& v) { return py::reinterpret_borrow<py::object>(v).attr("__index__")().cast<uint64_t>(); }

uint64_t checked(uint64_t v, unsigned width) {
  if (width < 8 && v >> (8 * width)) throw py::value_error(fmt::format("{:#x} is out of range for {}-bit integers", v, 8 * width));
  return v;
}

SearchRef integer_search(const ProgramRef& prog, unsigned width, const py::args& values, const py::object& mask) {
  auto s = std::make_shared<PyMemorySearch>();
  s->prog = prog;
  s->mode = PyMemorySearch::Mode::Integer;
  s->yields_value = true;
  s->pattern.width = width;
  s->pattern.ignore_mask = mask.is_none() ? 0 : index_of(mask);
  for (py::handle v : values) {
    if (py::isinstance<py::tuple>(v)) {
      py::tuple t = py::reinterpret_borrow<py::tuple>(v);
      if (t.size() != 2) throw py::value_error("a range to search for is a (min, max) tuple");
      s->pattern.ranges.emplace_back(checked(index_of(t[0]), width), checked(index_of(t[1]), width));
    } else {
      s->pattern.values.push_back(checked(index_of(v), width));
    }
  }
  s->reset(0, UINT64_MAX, false);
  return s;
}

}  // namespace

void bind_memory_search(py::module_& m) {
  py::class_<PyMemorySearch, SearchRef>(m, "MemorySearchIterator")
      .def("__iter__", [](const SearchRef& self) { return self; })
      .def("__next__", [](PyMemorySearch& self) {
        py::object out = self.next();
        if (out.is_none()) throw py::stop_iteration();
        return out;
      })
      .def("set_address_range", [](const SearchRef& self, const py::object& min, const py::object& max, bool physical) {
        self->reset(min.is_none() ? 0 : index_of(min), max.is_none() ? UINT64_MAX : index_of(max), physical);
        return self;
      }, py::arg("min_address") = py::none(), py::arg("max_address") = py::none(), py::arg("physical") = false)
      .def_static("__class_getitem__", [](const py::object& cls) { return cls; });

  py::object program = m.attr("Program");
  program.attr("search_memory") = py::cpp_function(
      [](const ProgramRef& self, const py::object& value, const py::object& alignment) {
        auto s = std::make_shared<PyMemorySearch>();
        s->prog = self;
        if (py::isinstance<py::bytes>(value) || py::isinstance<py::str>(value)) {
          s->needle = py::isinstance<py::str>(value) ? value.attr("encode")("utf-8").cast<std::string>()
                                                     : value.cast<std::string>();
          s->alignment = alignment.is_none() ? 1 : index_of(alignment);
          if (s->alignment == 0 || (s->alignment & (s->alignment - 1)))
            throw py::value_error("alignment must be a power of two");
          if (s->needle.empty()) throw py::value_error("cannot search for an empty string");
        } else if (as_object(value)) {
          // An Object: its value's bytes, at its type's alignment.
          s->needle = value.attr("to_bytes_")().cast<std::string>();
          s->alignment = py::module_::import("_drgn").attr("alignof")(value.attr("type_")).cast<uint64_t>();
          if (s->needle.empty()) throw py::value_error("cannot search for an object of size 0");
        } else {
          // An integer: a naturally aligned program word.
          s->mode = PyMemorySearch::Mode::Integer;
          s->pattern.width = 8;
          s->pattern.values.push_back(index_of(value));
        }
        s->reset(0, UINT64_MAX, false);
        return s;
      }, py::is_method(program), py::name("search_memory"), py::arg("value"), py::kw_only(),
      py::arg("alignment") = py::none());
  for (auto [name, width] : {std::pair{"search_memory_u16", 2u}, {"search_memory_u32", 4u}, {"search_memory_u64", 8u},
                             {"search_memory_word", 8u}}) {
    unsigned w = width;
    program.attr(name) = py::cpp_function(
        [w](const ProgramRef& self, const py::args& values, const py::object& ignore_mask) {
          return integer_search(self, w, values, ignore_mask);
        }, py::is_method(program), py::name(name), py::kw_only(), py::arg("ignore_mask") = py::none());
  }
  program.attr("search_memory_regex") = py::cpp_function(
      [](const ProgramRef& self, const py::object& pattern) {
        auto s = std::make_shared<PyMemorySearch>();
        s->prog = self;
        s->mode = PyMemorySearch::Mode::Regex;
        s->yields_value = true;
        py::object re = py::module_::import("re");
        // A str pattern searches UTF-8 text: it is matched as its UTF-8 bytes.
        s->text = py::isinstance<py::str>(pattern);
        s->regex = re.attr("compile")(s->text ? pattern.attr("encode")("utf-8") : pattern, re.attr("DOTALL"));
        s->reset(0, UINT64_MAX, false);
        return s;
      }, py::is_method(program), py::name("search_memory_regex"), py::arg("pattern"));
}

}  // namespace kdive::python
