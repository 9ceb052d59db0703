// libFuzzer target: arbitrary bytes as a --serials file, read as viscode batch reads it
// (checking pass, duplicate report, then every serial in run order), and as a manifest.
// Errors thrown as viscode::Error are the expected answer to garbage; a crash, a sanitizer
// report, a serial that breaks the serial rule, or a manifest row that does not read back
// as written is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "batch/manifest.hpp"
#include "batch/serials.hpp"
#include "csv.hpp"
#include "text.hpp"
#include "viscode/error.hpp"

namespace {

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fwrite(data, 1, size, f);
  std::fclose(f);
}

// What batch writes for a serial must read back as that serial.
void check_round_trip(const std::string& serial) {
  viscode::detail::ManifestRow row;
  row.index = 1;
  row.serial = serial;
  row.payload = serial;
  row.file = "000001.png";
  row.sha256 = std::string(64, 'a');
  std::string line;
  viscode::detail::append_row(line, row);
  line.pop_back();  // the newline
  const viscode::detail::CsvLine back = viscode::detail::parse_csv_record(line);
  if (back.open_quote || back.fields.size() != 7 ||
      viscode::detail::csv_text_field(back, 1) != serial ||
      viscode::detail::csv_text_field(back, 2) != serial) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // open_serials() takes a path, as the CLI does; a per-process scratch file keeps it so.
  static const std::string path = "/tmp/viscode-fuzz-" + std::to_string(getpid()) + ".csv";
  // The first byte picks the reading: whole lines, a header column by name or by number,
  // and whether the run is signed or a GS1 Digital Link.
  const std::uint8_t mode = data[0];
  write_file(path, data + 1, size - 1);
  viscode::SerialFile spec;
  spec.file = path;
  switch (mode % 4) {
    case 0:
      break;
    case 1:
      spec.lines = true;
      break;
    case 2:
      spec.column = "serial";
      break;
    default:
      spec.column = std::to_string(1 + (mode >> 4) % 3);
      break;
  }
  try {
    auto serials = viscode::detail::open_serials(spec, (mode & 4) != 0, (mode & 8) != 0);
    for (std::size_t i = 0; i < serials->count(); ++i) {
      const std::string s = serials->next(nullptr);
      if (!viscode::detail::serial_problem(s).empty()) std::abort();
      check_round_trip(s);
    }
  } catch (const viscode::Error&) {
  }
  // The same bytes as a manifest: rows or a clean refusal.
  try {
    viscode::detail::ManifestReader reader(path);
    viscode::detail::ManifestRow row;
    while (reader.next(row)) {
    }
  } catch (const viscode::Error&) {
  }
  // Any text as a quote in a message: short, whatever its length.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (viscode::detail::quoted(text).size() > 200) std::abort();
  return 0;
}
