// The signedness rule of debuginfo/dwarf_constant.h, form by form (the readings
// themselves are tested on compiled programs: tests/unit/program/dwarf_constants_test.cpp).
#include "debuginfo/dwarf_constant.h"

#include <dwarf.h>
#include <gtest/gtest.h>

namespace kdive {
namespace {

TEST(DwarfConstant, LebFormsCarryTheirSign) {
  for (unsigned attr : {DW_AT_const_value, DW_AT_upper_bound, DW_AT_byte_size, DW_AT_bit_offset}) {
    EXPECT_TRUE(dwarf_constant_is_signed(DW_FORM_sdata, attr, false));
    EXPECT_TRUE(dwarf_constant_is_signed(DW_FORM_implicit_const, attr, false));
    EXPECT_FALSE(dwarf_constant_is_signed(DW_FORM_udata, attr, true));
  }
}

TEST(DwarfConstant, FixedSizeFormsTakeTheValueTypesSignOnlyForValuesOfAType) {
  for (unsigned form : {DW_FORM_data1, DW_FORM_data2, DW_FORM_data4, DW_FORM_data8}) {
    for (unsigned attr : {DW_AT_const_value, DW_AT_upper_bound, DW_AT_lower_bound}) {
      EXPECT_TRUE(dwarf_constant_is_signed(form, attr, true));
      EXPECT_FALSE(dwarf_constant_is_signed(form, attr, false));
    }
    // Sizes, offsets and counts are never negative, whatever type is around.
    for (unsigned attr : {DW_AT_byte_size, DW_AT_bit_size, DW_AT_data_bit_offset, DW_AT_data_member_location,
                          DW_AT_count, DW_AT_bit_offset, DW_AT_call_line})
      EXPECT_FALSE(dwarf_constant_is_signed(form, attr, true));
  }
}

}  // namespace
}  // namespace kdive
