#include "batch/serials.hpp"

#include <sodium.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "csv.hpp"
#include "file_input.hpp"
#include "sign/common.hpp"
#include "text.hpp"
#include "viscode/error.hpp"
#include "viscode/gs1.hpp"

namespace viscode::detail {
namespace {

constexpr std::string_view kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

std::string trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::ifstream open_serials_file(const std::filesystem::path& file) {
  return open_input_stream(file, {.what = "serials file",
                                  .give = "give a file to SerialFile.file",
                                  .max_bytes = kMaxListFileBytes,
                                  .shrink = "split the run into several batches"});
}

// Reads the serials of a file line by line; shared by the checking pass and the run.
class LineReader {
 public:
  LineReader(const SerialFile& spec) : spec_(spec), in_(open_serials_file(spec.file)) {
    std::error_code ec;
    if (std::filesystem::is_directory(spec.file, ec)) {
      throw Error(ErrorCategory::input, "serials file '" + spec.file.string() +
                                            "' is a directory: give a file to SerialFile.file");
    }
    if (!in_) {
      throw Error(ErrorCategory::input, "serials file '" + spec.file.string() +
                                            "' cannot be read: check the path given to "
                                            "SerialFile.file");
    }
  }

  // False at the end of the file.
  bool next(std::string& serial) {
    std::string line;
    bool too_long = false;
    while (read_line(in_, line, kMaxListLineBytes, too_long)) {
      ++line_;
      // Spreadsheets save "CSV UTF-8" with a byte-order mark; it is not part of a serial.
      if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
      if (trim(line).empty()) continue;
      if (spec_.column.empty()) {
        serial = trim(line);
        return true;
      }
      const CsvLine csv = parse_csv_record(line);
      if (csv.open_quote) {
        // RFC 4180 lets a quoted field run over a line break, but a serial may not hold one
        // (serial_problem()): refused here by its line, rather than read as two serials.
        throw Error(ErrorCategory::input,
                    where() +
                        " has a quoted field that is not closed on its line: a serial "
                        "cannot hold a line break; close the quote on the same line");
      }
      const std::vector<std::string>& fields = csv.fields;
      if (column_ < 0) {
        find_column(fields);
        continue;
      }
      if (static_cast<std::size_t>(column_) >= fields.size() || trim(fields[column_]).empty()) {
        throw Error(ErrorCategory::input, where() + " has no value in column '" + spec_.column +
                                              "': give every row a serial");
      }
      serial = trim(fields[static_cast<std::size_t>(column_)]);
      return true;
    }
    if (too_long) {
      throw Error(ErrorCategory::input, "line " + std::to_string(line_ + 1) + " of '" +
                                            spec_.file.string() + "' is over " +
                                            byte_size_text(kMaxListLineBytes) +
                                            ": a serials file has one serial (or CSV row) a line");
    }
    if (in_.bad()) {
      throw Error(ErrorCategory::input,
                  "serials file '" + spec_.file.string() + "' could not be read to the end");
    }
    if (!spec_.column.empty() && column_ < 0) {
      throw Error(ErrorCategory::input, "serials file '" + spec_.file.string() +
                                            "' is empty: it needs a header row naming column '" +
                                            spec_.column + "' and one row per serial");
    }
    return false;
  }

  std::size_t line() const { return line_; }
  std::string where() const {
    return "line " + std::to_string(line_) + " of '" + spec_.file.string() + "'";
  }

 private:
  void find_column(const std::vector<std::string>& header) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (trim(header[i]) == spec_.column) {
        column_ = static_cast<int>(i);
        return;
      }
    }
    // The header's names for the message: a few, each cut short (a header row can be a
    // whole file without line breaks).
    constexpr std::size_t kNamesShown = 12;
    std::string names;
    for (std::size_t i = 0; i < std::min(header.size(), kNamesShown); ++i) {
      names += (i ? ", " : "") + quoted_prefix(trim(header[i]));
    }
    if (header.size() > kNamesShown) names += ", ...";
    // Not a header name: a column number from 1.
    const std::string& c = spec_.column;
    if (!c.empty() && c.size() <= 6 &&
        std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      const int n = std::stoi(c);
      if (n >= 1 && static_cast<std::size_t>(n) <= header.size()) {
        column_ = n - 1;
        return;
      }
      throw Error(ErrorCategory::input,
                  "serials file '" + spec_.file.string() + "' has " +
                      counted(header.size(), "column") + " in its header row (" + names +
                      "), not " + c + ": give SerialFile.column a name or a number from 1 to " +
                      std::to_string(header.size()));
    }
    throw Error(ErrorCategory::input, "serials file '" + spec_.file.string() + "' has no column '" +
                                          spec_.column + "' in its header row (" + names +
                                          "): name one of these with SerialFile.column");
  }

  SerialFile spec_;
  std::ifstream in_;
  std::size_t line_ = 0;
  int column_ = -1;
};

class FileSerials final : public SerialStream {
 public:
  FileSerials(const SerialFile& spec, bool signable, bool gs1)
      : spec_(spec), signable_(signable), gs1_(gs1) {
    check();
    reader_ = std::make_unique<LineReader>(spec_);
  }

  std::size_t count() const override { return count_; }
  std::string longest() const override { return longest_; }
  std::string longest_where() const override {
    return "line " + std::to_string(longest_line_) + " of '" + spec_.file.string() + "'";
  }

  std::string next(std::string* where) override {
    std::string serial;
    if (!reader_->next(serial)) {
      throw Error(ErrorCategory::input, "serials file '" + spec_.file.string() +
                                            "' changed while the run was reading it");
    }
    if (where) *where = reader_->where();
    return serial;
  }

  void skip_issued(std::string_view issued, std::size_t index) override {
    std::string where;
    const std::string mine = next(&where);
    if (mine != issued) {
      throw Error(ErrorCategory::input,
                  "the manifest's serial " + std::to_string(index) + " is " +
                      detail::quoted(issued) + " but " + where + " is " + detail::quoted(mine) +
                      ": resume with the same SerialFile.file file the run started with");
    }
  }

 private:
  // The checking pass: count, longest, and duplicates, from 16 bytes per serial.
  void check() {
    LineReader reader(spec_);
    std::vector<std::pair<std::uint64_t, std::size_t>> seen;  // fingerprint, line
    std::string serial;
    bool every_line_has_comma = spec_.column.empty() && !spec_.lines;
    std::string unsignable;  // the first serial that is refused, reported after the CSV look
                             // (a header row is never signable)
    while (reader.next(serial)) {
      if (every_line_has_comma && serial.find(',') == std::string::npos) {
        every_line_has_comma = false;
      }
      // The ledger's rule (text.hpp), checked here so that no file is written for a run
      // whose manifest `viscode ledger import` would refuse.
      if (unsignable.empty()) {
        const std::string problem = serial_problem(serial);
        if (!problem.empty()) unsignable = reader.where() + ": " + problem + "; fix the file";
      }
      if (signable_ && unsignable.empty() && !is_signable_serial(serial)) {
        unsignable = reader.where() + ": " + unsignable_serial_message(serial) +
                     "; fix the file or run without BatchOptions.sign_key";
      }
      if (gs1_ && unsignable.empty()) {
        const std::string problem = gs1_value_problem(serial);
        if (!problem.empty()) {
          unsignable = reader.where() + ": " + problem +
                       "; fix the file, or use a BatchOptions.payload_template that is not a GS1 "
                       "Digital Link";
        }
      }
      if (!unsignable.empty() && !every_line_has_comma) {
        throw Error(ErrorCategory::input, unsignable);
      }
      const std::size_t size = gs1_ ? gs1_percent_encode(serial).size() : serial.size();
      if (size > longest_size_) {
        longest_size_ = size;
        longest_ = serial;
        longest_line_ = reader.line();
      }
      seen.emplace_back(fingerprint(serial), reader.line());
    }
    count_ = seen.size();
    if (count_ == 0) {
      throw Error(ErrorCategory::input,
                  "serials file '" + spec_.file.string() + "' has no serials: put one per line");
    }
    // A CSV file read as lines would make serials of whole rows ("1,A1"), its header row
    // included, and miss a serial repeated in its column: ask which was meant.
    if (every_line_has_comma) {
      throw Error(ErrorCategory::usage,
                  "serials file '" + spec_.file.string() +
                      "' looks like CSV (every line has a comma): give SerialFile.column NAME or "
                      "SerialFile.column N for the serials' column, or SerialFile.lines if each "
                      "whole line is a serial");
    }
    if (!unsignable.empty()) throw Error(ErrorCategory::input, unsignable);
    std::sort(seen.begin(), seen.end());
    std::vector<std::size_t> suspects;
    for (std::size_t i = 1; i < seen.size(); ++i) {
      if (seen[i].first == seen[i - 1].first) {
        suspects.push_back(seen[i - 1].second);
        suspects.push_back(seen[i].second);
      }
    }
    if (suspects.empty()) return;
    report_duplicates(suspects);
  }

  // Fingerprints matched: read those lines again and report the first true repeat.
  void report_duplicates(std::vector<std::size_t> lines) {
    std::sort(lines.begin(), lines.end());
    LineReader reader(spec_);
    std::unordered_map<std::string, std::size_t> first;
    std::string serial;
    std::size_t k = 0;
    while (k < lines.size() && reader.next(serial)) {
      if (reader.line() != lines[k]) continue;
      while (k < lines.size() && lines[k] == reader.line()) ++k;
      const auto [it, fresh] = first.emplace(serial, reader.line());
      if (!fresh) {
        throw Error(ErrorCategory::input, "serials file '" + spec_.file.string() +
                                              "' repeats serial " + detail::quoted(serial) +
                                              " on lines " + std::to_string(it->second) + " and " +
                                              std::to_string(reader.line()) +
                                              ": every code must carry a unique serial");
      }
    }
  }

  SerialFile spec_;
  bool signable_ = false, gs1_ = false;
  std::size_t count_ = 0;
  std::string longest_;
  std::size_t longest_size_ = 0;
  std::size_t longest_line_ = 0;
  std::unique_ptr<LineReader> reader_;
};

void check_spec(const RandomSerials& spec) {
  const std::string& a = spec.alphabet;
  if (a.size() < 2 || a.size() > 64) {
    throw Error(ErrorCategory::usage, "the serial alphabet has " + counted(a.size(), "character") +
                                          ": use 2 to 64 (default: Crockford base32)");
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto c = static_cast<unsigned char>(a[i]);
    if (c <= ' ' || c > '~' || c == ',' || c == '"') {
      throw Error(ErrorCategory::usage,
                  "the serial alphabet may hold only printable ASCII without space, comma or "
                  "quote; it has '" +
                      std::string(1, a[i]) + "'");
    }
    if (a.find(a[i], i + 1) != std::string::npos) {
      throw Error(ErrorCategory::usage,
                  "the serial alphabet repeats '" + std::string(1, a[i]) + "': list each once");
    }
  }
  if (spec.length < 4 || spec.length > 64) {
    throw Error(ErrorCategory::usage, "RandomSerials.length " + std::to_string(spec.length) +
                                          " is out of range: use 4..64");
  }
}

// Every serial drawn from the spec passes is_signable_serial().
void check_signable(const RandomSerials& spec) {
  const bool alphabet_ok = std::all_of(spec.alphabet.begin(), spec.alphabet.end(), is_field_char);
  const auto length = static_cast<std::size_t>(spec.length);
  if (!alphabet_ok || length < kMinSerialChars || length > kMaxSerialChars) {
    throw Error(ErrorCategory::usage,
                "unknown serial format: random serials of " + std::to_string(spec.length) +
                    " characters from '" + spec.alphabet +
                    "' cannot be signed; a signed serial is 4 to 40 characters of 0-9 and A-Z "
                    "(upper case)");
  }
}

// Every serial drawn from the spec passes is_gs1_serial().
void check_gs1(const RandomSerials& spec) {
  for (const char c : spec.alphabet) {
    if (!is_cset82(c)) {
      throw Error(ErrorCategory::usage,
                  "the serial alphabet has '" + std::string(1, c) +
                      "', which is not in GS1 character set 82 (A-Z a-z 0-9 and ! \" % & ' ( ) "
                      "* + , - . / : ; < = > ? _): a GS1 Digital Link serial (AI 21) allows "
                      "only those");
    }
  }
  if (static_cast<std::size_t>(spec.length) > kMaxGs1SerialChars) {
    throw Error(ErrorCategory::usage, "RandomSerials.length " + std::to_string(spec.length) +
                                          " is too long for a GS1 Digital Link serial: AI 21 "
                                          "allows 1 to 20 characters; use 20 or fewer");
  }
}

class RandomStream final : public SerialStream {
 public:
  RandomStream(const RandomSerials& spec, bool signable, bool gs1) : spec_(spec), gs1_(gs1) {
    check_spec(spec_);
    if (signable) check_signable(spec_);
    if (gs1) check_gs1(spec_);
    if (spec_.count < 1 || spec_.count > 100'000'000) {
      throw Error(ErrorCategory::usage, "RandomSerials.count " + std::to_string(spec_.count) +
                                            " is out of range: use 1..100000000");
    }
    // Keep the space at least a million times the run, so drawing never has to retry
    // for long and a guessed serial is almost never a real one.
    const double bits = spec_.length * std::log2(static_cast<double>(spec_.alphabet.size()));
    if (bits < std::log2(static_cast<double>(spec_.count)) + 20) {
      throw Error(ErrorCategory::usage,
                  counted(spec_.count, "serial") + " of " + std::to_string(spec_.length) +
                      " characters from " + std::to_string(spec_.alphabet.size()) +
                      " would be too easy to guess and to repeat: use a longer "
                      "RandomSerials.length");
    }
    seen_.reserve(spec_.count);
  }

  std::size_t count() const override { return spec_.count; }
  std::string longest() const override {
    // The character that needs the widest QR mode stands for every position; for GS1, one
    // that takes three bytes percent-encoded.
    if (gs1_) {
      for (const char c : spec_.alphabet) {
        if (gs1_percent_encode(std::string(1, c)).size() > 1) {
          return std::string(static_cast<std::size_t>(spec_.length), c);
        }
      }
    }
    char worst = spec_.alphabet.front();
    int rank = -1;
    for (const char c : spec_.alphabet) {
      const int r = kAlnum.find(c) == std::string_view::npos ? 2 : (c >= '0' && c <= '9') ? 0 : 1;
      if (r > rank) {
        rank = r;
        worst = c;
      }
    }
    return std::string(static_cast<std::size_t>(spec_.length), worst);
  }
  std::string longest_where() const override { return ""; }

  std::string next(std::string* where) override {
    if (where) where->clear();
    for (;;) {
      std::string s = random_serial(spec_);
      if (seen_.insert(fingerprint(s)).second) return s;
    }
  }

  void skip_issued(std::string_view serial, std::size_t) override {
    seen_.insert(fingerprint(serial));
  }

 private:
  RandomSerials spec_;
  bool gs1_ = false;
  std::unordered_set<std::uint64_t> seen_;
};

}  // namespace

std::uint64_t fingerprint(std::string_view serial) {
  // SipHash with a fixed key: well mixed, and the same in every process.
  static const unsigned char key[crypto_shorthash_KEYBYTES] = {
      'v', 'i', 's', 'c', 'o', 'd', 'e', '-', 's', 'e', 'r', 'i', 'a', 'l', 's', '1'};
  std::uint64_t out = 0;
  unsigned char h[crypto_shorthash_BYTES];
  crypto_shorthash(h, reinterpret_cast<const unsigned char*>(serial.data()), serial.size(), key);
  std::memcpy(&out, h, sizeof out);
  return out;
}

std::unique_ptr<SerialStream> open_serials(const SerialFile& file, bool signable, bool gs1) {
  return std::make_unique<FileSerials>(file, signable, gs1);
}

std::unique_ptr<SerialStream> open_serials(const RandomSerials& spec, bool signable, bool gs1) {
  return std::make_unique<RandomStream>(spec, signable, gs1);
}

}  // namespace viscode::detail

namespace viscode {

std::string counted(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string random_serial(const RandomSerials& spec) {
  detail::check_spec(spec);
  const std::size_t n = spec.alphabet.size();
  // Rejection sampling keeps every character equally likely for any alphabet size.
  const unsigned limit = 256 - 256 % static_cast<unsigned>(n);
  std::string out;
  out.reserve(static_cast<std::size_t>(spec.length));
  unsigned char buf[128];
  while (out.size() < static_cast<std::size_t>(spec.length)) {
    const ssize_t got = getrandom(buf, sizeof buf, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCategory::internal,
                  std::string("the operating system gave no random bytes (") +
                      std::strerror(errno) + "): serials cannot be drawn");
    }
    for (ssize_t i = 0; i < got && out.size() < static_cast<std::size_t>(spec.length); ++i) {
      if (buf[i] < limit) out += spec.alphabet[buf[i] % n];
    }
  }
  return out;
}

}  // namespace viscode
