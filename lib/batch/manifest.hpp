// The batch manifest: one CSV row per code, in run order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace viscode::detail {

// Beside the manifest: the options a run started with (a resumed run must match them) and
// its size ("total=N"), which --check compares the manifest with.
inline constexpr std::string_view kSettingsName = "batch-settings.txt";

inline constexpr std::string_view kManifestHeader =
    "index,serial,payload,file,page,position,sha256";

struct ManifestRow {
  std::size_t index = 0;
  std::string serial, payload, file;
  int page = 0, position = 0;  // 0: one file per code
  std::string sha256;
};

void append_row(std::string& out, const ManifestRow& row);  // with its newline

// A run's temporary file (".000042.png.Ab12Cd", ".sheets-0001.pdf.Ab12Cd"): renamed when
// complete, so one left behind is from an interrupted run, and --resume deletes it.
bool is_run_temporary(std::string_view name);

// Throws Error(input) naming --out-dir when out_dir is missing or not a folder (the checks
// would otherwise report a manifest that cannot be read).
void check_run_dir(const std::filesystem::path& out_dir);

// Streams a manifest's rows. A last line without its newline (a write cut short) is not
// a row: end() then tells where the complete rows stop, so a resumed run can cut it off.
class ManifestReader {
 public:
  explicit ManifestReader(const std::filesystem::path& file);  // throws Error(input)
  bool next(ManifestRow& row);  // throws Error(input) naming the line of a malformed row
  std::uint64_t end() const { return end_; }  // byte offset after the last complete row
  std::size_t line() const { return line_; }

 private:
  std::filesystem::path file_;
  std::ifstream in_;
  std::uint64_t end_ = 0;
  std::size_t line_ = 1;
};

}  // namespace viscode::detail
