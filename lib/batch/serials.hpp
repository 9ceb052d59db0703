// Serial sources for a batch: a file read in two passes (checked, then streamed) or the
// OS CSPRNG; both hand out serials in run order.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_set>

#include "viscode/batch.hpp"

namespace viscode::detail {

// 64-bit fingerprint of a serial for duplicate checks: 8 bytes per code instead of the
// serial itself keeps memory nearly flat; a fingerprint match is confirmed on the text.
std::uint64_t fingerprint(std::string_view serial);

class SerialStream {
 public:
  virtual ~SerialStream() = default;
  virtual std::size_t count() const = 0;
  // A serial at least as demanding for capacity as any the run will use.
  virtual std::string longest() const = 0;
  // Where the longest comes from, for messages: "line 12 of 'serials.csv'" or "".
  virtual std::string longest_where() const = 0;
  // The next serial in run order; `where` describes it for error messages.
  virtual std::string next(std::string* where) = 0;
  // Resuming: the serials already issued, in order (each call one more, from the first).
  // A file source checks they match its own first lines; a random source never repeats
  // them.
  virtual void skip_issued(std::string_view serial, std::size_t index) = 0;
};

// `signable`: a signed run; every serial must pass is_signable_serial(), checked before the
// stream is returned (a file's checking pass names the first line that does not).
// `gs1`: a GS1 Digital Link template; every serial must pass is_gs1_serial() instead, and
// longest() is by percent-encoded length.
std::unique_ptr<SerialStream> open_serials(const SerialFile& file, bool signable = false,
                                           bool gs1 = false);
std::unique_ptr<SerialStream> open_serials(const RandomSerials& spec, bool signable = false,
                                           bool gs1 = false);

}  // namespace viscode::detail
