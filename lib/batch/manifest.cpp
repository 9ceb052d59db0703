#include "batch/manifest.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <unordered_set>
#include <vector>

#include "batch/serials.hpp"
#include "csv.hpp"
#include "file_input.hpp"
#include "sha256.hpp"
#include "text.hpp"
#include "viscode/batch.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

template <typename T>
bool parse_number(const std::string& s, T& out, bool allow_empty) {
  if (s.empty()) {
    out = 0;
    return allow_empty;
  }
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The number in a run's file name: 42 for "000042.png", 3 for "sheets-0003.pdf".
std::optional<std::size_t> run_file_number(std::string_view name) {
  if (name.starts_with("sheets-")) {
    if (!name.ends_with(".pdf")) return std::nullopt;
    name.remove_prefix(7);
  }
  if (name.size() < 5 ||
      !(name.ends_with(".png") || name.ends_with(".svg") || name.ends_with(".pdf"))) {
    return std::nullopt;
  }
  name.remove_suffix(4);
  std::size_t n = 0;
  const auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec != std::errc() || p != name.data() + name.size()) return std::nullopt;
  return n;
}

std::ifstream open_manifest(const std::filesystem::path& file) {
  return open_input_stream(file, {.what = "manifest",
                                  .give = "give viscode batch's manifest.csv or its folder",
                                  .max_bytes = kMaxListFileBytes,
                                  .shrink = "it is not a viscode batch manifest"});
}

}  // namespace

void append_row(std::string& out, const ManifestRow& row) {
  out += std::to_string(row.index);
  out += ',';
  // Print houses open the manifest in spreadsheets: a serial or payload that starts like a
  // formula is written so that it is not evaluated (csv.hpp).
  append_csv_text_field(out, row.serial);
  out += ',';
  append_csv_text_field(out, row.payload);
  out += ',';
  append_csv_text_field(out, row.file);
  out += ',';
  if (row.page > 0) out += std::to_string(row.page);
  out += ',';
  if (row.position > 0) out += std::to_string(row.position);
  out += ',';
  out += row.sha256;
  out += '\n';
}

bool is_run_temporary(std::string_view name) {
  if (name.size() < 9 || name[0] != '.' || name[name.size() - 7] != '.') return false;
  const std::string_view inner = name.substr(1, name.size() - 8);
  return (std::isdigit(static_cast<unsigned char>(inner[0])) || inner.starts_with("sheets-")) &&
         (inner.ends_with(".png") || inner.ends_with(".svg") || inner.ends_with(".pdf"));
}

ManifestReader::ManifestReader(const std::filesystem::path& file)
    : file_(file), in_(open_manifest(file)) {
  std::string header;
  bool too_long = false;
  if (!in_ || !read_line(in_, header, kMaxListLineBytes, too_long) || in_.eof()) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() +
                                          "' cannot be read or has no header row: it is not a "
                                          "viscode batch manifest");
  }
  if (!header.empty() && header.back() == '\r') header.pop_back();
  if (header != kManifestHeader) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() + "' starts with " +
                                          detail::quoted(header) + ", not viscode's header '" +
                                          std::string(kManifestHeader) + "'");
  }
  end_ = static_cast<std::uint64_t>(in_.tellg());
}

bool ManifestReader::next(ManifestRow& row) {
  std::string line;
  bool too_long = false;
  if (!read_line(in_, line, kMaxListLineBytes, too_long)) {
    if (too_long) {
      throw Error(ErrorCategory::input, "manifest '" + file_.string() + "' line " +
                                            std::to_string(line_ + 1) + " is over " +
                                            byte_size_text(kMaxListLineBytes) +
                                            ": it is not a viscode batch manifest row");
    }
    return false;
  }
  if (in_.eof()) return false;  // no newline: cut short, not a row
  ++line_;
  const CsvLine csv = parse_csv_record(line);
  const std::vector<std::string>& f = csv.fields;
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCategory::input,
                 "manifest '" + file_.string() + "' line " + std::to_string(line_) + " " + why);
  };
  if (csv.open_quote) throw bad("has a quoted field that is not closed on its line");
  if (f.size() != 7) throw bad("has " + std::to_string(f.size()) + " fields, not 7");
  row = ManifestRow{};
  if (!parse_number(f[0], row.index, false)) throw bad("has the index " + detail::quoted(f[0]));
  if (!parse_number(f[4], row.page, true) || !parse_number(f[5], row.position, true)) {
    throw bad("has a page or position that is not a number");
  }
  if (f[6].size() != 64) throw bad("has no SHA-256");
  row.serial = csv_text_field(csv, 1);
  row.payload = csv_text_field(csv, 2);
  row.file = csv_text_field(csv, 3);
  row.sha256 = f[6];
  end_ += line.size() + 1;  // counted, not asked: tellg() is a system call per row
  return true;
}

}  // namespace viscode::detail

namespace viscode {

namespace detail {

void check_run_dir(const std::filesystem::path& out_dir) {
  // Said as it is: either would otherwise be reported as a manifest that cannot be read.
  std::error_code status_ec;
  const auto status = std::filesystem::status(out_dir, status_ec);
  if (!std::filesystem::exists(status)) {
    throw Error(ErrorCategory::input, "BatchOptions.out_dir '" + out_dir.string() +
                                          "' does not exist: give the folder of a batch run");
  }
  if (!std::filesystem::is_directory(status)) {
    throw Error(ErrorCategory::input, "BatchOptions.out_dir '" + out_dir.string() +
                                          "' is a file, not a folder: give the folder of a "
                                          "batch run");
  }
}

}  // namespace detail

ManifestCheck check_manifest(const std::filesystem::path& out_dir) {
  detail::check_run_dir(out_dir);
  ManifestCheck out;
  detail::ManifestReader reader(out_dir / kManifestName);
  std::unordered_set<std::uint64_t> serials, names;
  // A file's rows are consecutive (a sheet file holds many): each file is hashed once and
  // reported once, with the indexes it holds.
  std::vector<detail::ManifestRow> group;
  std::size_t group_last = 0, last_number = 0;
  const auto check_file = [&] {
    if (group.empty()) return;
    const detail::ManifestRow& first = group.front();
    ++out.files;
    names.insert(detail::fingerprint(first.file));
    last_number = std::max(last_number, detail::run_file_number(first.file).value_or(0));
    const std::string sha = detail::sha256_file(out_dir / first.file);
    const std::string indexes =
        first.index == group_last
            ? "index " + std::to_string(first.index)
            : "indexes " + std::to_string(first.index) + ".." + std::to_string(group_last);
    if (sha.empty()) {
      ++out.missing;
      out.problems.push_back("file " + detail::quoted(first.file) + " (" + indexes +
                             ") is missing");
    } else if (std::any_of(group.begin(), group.end(),
                           [&](const detail::ManifestRow& r) { return r.sha256 != sha; })) {
      ++out.altered;
      out.problems.push_back("file " + detail::quoted(first.file) + " (" + indexes +
                             ") does not match its SHA-256");
    }
    group.clear();
  };
  detail::ManifestRow row;
  while (reader.next(row)) {
    ++out.rows;
    if (row.index != out.rows) {
      ++out.manifest_errors;
      out.problems.push_back("row " + std::to_string(out.rows) + " has index " +
                             std::to_string(row.index));
    }
    if (!serials.insert(detail::fingerprint(row.serial)).second) {
      ++out.manifest_errors;
      out.problems.push_back("serial " + detail::quoted(row.serial) + " appears again at index " +
                             std::to_string(row.index));
    }
    if (!group.empty() && row.file != group.front().file) check_file();
    group_last = row.index;
    // The first row and the SHA-256 of each other are all a file's check needs.
    if (group.empty() || row.sha256 != group.front().sha256) group.push_back(row);
  }
  check_file();
  std::error_code ec;
  if (reader.end() < std::filesystem::file_size(out_dir / kManifestName, ec) && !ec) {
    ++out.incomplete;
    out.problems.push_back(
        "the last row is cut off: the run was interrupted; continue it with BatchOptions.resume");
  }
  // The run's size, from the settings the run recorded when it started.
  std::ifstream settings(out_dir / detail::kSettingsName);
  std::string line;
  while (std::getline(settings, line)) {
    if (!line.starts_with("total=")) continue;
    std::size_t total = 0;
    const std::string n = line.substr(6);
    if (detail::parse_number(n, total, false) && out.rows < total) {
      ++out.incomplete;
      out.problems.push_back(std::to_string(out.rows) + " of " + counted(total, "code") +
                             ": the run is incomplete; continue it with BatchOptions.resume");
    }
  }
  // Files in the directory that the manifest does not name, but for the run's own: its
  // bookkeeping, and when it stopped early, the files it was writing (--resume makes them
  // again; they are not in the manifest yet).
  std::vector<std::string> extra;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == kManifestName || name == detail::kSettingsName || detail::is_run_temporary(name) ||
        names.contains(detail::fingerprint(name)) ||
        (out.incomplete > 0 && detail::run_file_number(name).value_or(0) > last_number)) {
      continue;
    }
    extra.push_back(entry.is_directory(ec) ? name + "/" : name);
  }
  std::sort(extra.begin(), extra.end());
  for (const std::string& name : extra) {
    ++out.extra;
    out.problems.push_back("file '" + name + "' is not in the manifest");
  }
  return out;
}

}  // namespace viscode
