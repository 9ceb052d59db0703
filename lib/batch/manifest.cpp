#include "batch/manifest.hpp"

#include <charconv>
#include <unordered_set>
#include <vector>

#include "batch/csv.hpp"
#include "batch/serials.hpp"
#include "batch/sha256.hpp"
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

}  // namespace

void append_row(std::string& out, const ManifestRow& row) {
  out += std::to_string(row.index);
  out += ',';
  append_csv_field(out, row.serial);
  out += ',';
  append_csv_field(out, row.payload);
  out += ',';
  append_csv_field(out, row.file);
  out += ',';
  if (row.page > 0) out += std::to_string(row.page);
  out += ',';
  if (row.position > 0) out += std::to_string(row.position);
  out += ',';
  out += row.sha256;
  out += '\n';
}

ManifestReader::ManifestReader(const std::filesystem::path& file)
    : file_(file), in_(file, std::ios::binary) {
  std::string header;
  if (!in_ || !std::getline(in_, header) || in_.eof()) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() +
                                          "' cannot be read or has no header row: it is not a "
                                          "viscode batch manifest");
  }
  if (!header.empty() && header.back() == '\r') header.pop_back();
  if (header != kManifestHeader) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() + "' starts with '" + header +
                                          "', not viscode's header '" +
                                          std::string(kManifestHeader) + "'");
  }
  end_ = static_cast<std::uint64_t>(in_.tellg());
}

bool ManifestReader::next(ManifestRow& row) {
  std::string line;
  if (!std::getline(in_, line)) return false;
  if (in_.eof()) return false;  // no newline: cut short, not a row
  ++line_;
  const std::vector<std::string> f = parse_csv_line(line);
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCategory::input,
                 "manifest '" + file_.string() + "' line " + std::to_string(line_) + " " + why);
  };
  if (f.size() != 7) throw bad("has " + std::to_string(f.size()) + " fields, not 7");
  row = ManifestRow{};
  if (!parse_number(f[0], row.index, false)) throw bad("has the index '" + f[0] + "'");
  if (!parse_number(f[4], row.page, true) || !parse_number(f[5], row.position, true)) {
    throw bad("has a page or position that is not a number");
  }
  if (f[6].size() != 64) throw bad("has no SHA-256");
  row.serial = f[1];
  row.payload = f[2];
  row.file = f[3];
  row.sha256 = f[6];
  end_ = static_cast<std::uint64_t>(in_.tellg());
  return true;
}

}  // namespace viscode::detail

namespace viscode {

ManifestCheck check_manifest(const std::filesystem::path& out_dir) {
  ManifestCheck out;
  const auto problem = [&](std::string text) {
    if (out.problems.size() < 20) out.problems.push_back(std::move(text));
  };
  detail::ManifestReader reader(out_dir / kManifestName);
  std::unordered_set<std::uint64_t> serials;
  // A file's rows are consecutive (a sheet file holds many), so one hash per file.
  std::string last_file, last_hash;
  detail::ManifestRow row;
  while (reader.next(row)) {
    ++out.rows;
    if (row.index != out.rows) {
      problem("row " + std::to_string(out.rows) + " has index " + std::to_string(row.index));
    }
    if (!serials.insert(detail::fingerprint(row.serial)).second) {
      problem("serial '" + row.serial + "' appears again at index " + std::to_string(row.index));
    }
    if (out.files == 0 || row.file != last_file) {
      last_file = row.file;
      last_hash = detail::sha256_file(out_dir / row.file);
      ++out.files;
    }
    if (last_hash.empty()) {
      problem("file '" + row.file + "' (index " + std::to_string(row.index) + ") is missing");
    } else if (last_hash != row.sha256) {
      problem("file '" + row.file + "' (index " + std::to_string(row.index) +
              ") does not match its SHA-256");
    }
  }
  std::error_code ec;
  if (reader.end() < std::filesystem::file_size(out_dir / kManifestName, ec) && !ec) {
    problem("the last row is cut off: the run was interrupted; continue it with --resume");
  }
  // The run's size, from the settings the run recorded when it started.
  std::ifstream settings(out_dir / detail::kSettingsName);
  std::string line;
  while (std::getline(settings, line)) {
    if (!line.starts_with("total=")) continue;
    std::size_t total = 0;
    const std::string n = line.substr(6);
    if (detail::parse_number(n, total, false) && out.rows < total) {
      problem(std::to_string(out.rows) + " of " + std::to_string(total) +
              " codes: the run is incomplete; continue it with --resume");
    }
  }
  return out;
}

}  // namespace viscode
