// ISO 18004's data masks, restated for the tests (the encode tests and the Model 1 test
// encoder, whose masks are Model 2's): deliberately not the library's own mask code, so
// that a test of the library does not only check that it agrees with itself.
#pragma once

namespace viscode::test {

// ISO 18004 table 10, condition true where the mask inverts the module at (row i, col j).
inline bool iso_mask(int mask, int i, int j) {
  switch (mask) {
    case 0:
      return (i + j) % 2 == 0;
    case 1:
      return i % 2 == 0;
    case 2:
      return j % 3 == 0;
    case 3:
      return (i + j) % 3 == 0;
    case 4:
      return (i / 2 + j / 3) % 2 == 0;
    case 5:
      return (i * j) % 2 + (i * j) % 3 == 0;
    case 6:
      return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
    default:
      return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
  }
}

}  // namespace viscode::test
