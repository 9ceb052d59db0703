// viscode::Ledger: finds the serial in a payload, checks scan details, and hands the
// atomic work to a backend (lib/ledger/sqlite.cpp, lib/ledger/postgres.cpp).
#include "viscode/ledger.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <system_error>

#include "batch/manifest.hpp"
#include "ledger/backend.hpp"
#include "ledger/iso8601.hpp"
#include "text.hpp"
#include "viscode/batch.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"
#include "viscode/gs1.hpp"
#include "viscode/sign.hpp"

namespace viscode {
namespace {

constexpr std::size_t kMaxWhereBytes = 200;
// A batch has one template; more than this many in one manifest means its payloads do not
// follow one (hand-made rows), and matching every scan against them would be slow.
constexpr std::size_t kMaxTemplatesPerImport = 16;

// "password" followed by '=' (spaces allowed between), in any case.
bool has_password_keyword(std::string_view s) {
  for (std::size_t pos = 0; pos + 8 <= s.size(); ++pos) {
    std::size_t i = 0;
    while (i < 8 && std::tolower(static_cast<unsigned char>(s[pos + i])) == "password"[i]) ++i;
    if (i < 8) continue;
    std::size_t eq = pos + 8;
    while (eq < s.size() && s[eq] == ' ') ++eq;
    if (eq < s.size() && s[eq] == '=') return true;
  }
  return false;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (a != prefix[i]) return false;
  }
  return true;
}

using detail::is_clean_text;
using detail::kMaxSerialBytes;

// The payload as it goes into the scan log: as it is when it is clean text, else hex, so
// that a code with binary content is still logged (PostgreSQL's TEXT holds no NUL byte).
std::string loggable(std::string_view payload) {
  return is_clean_text(payload) ? std::string(payload) : detail::hex_text(payload);
}

bool is_bare_serial(std::string_view s) {
  if (s.size() < 4 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_';
  });
}

// Templates are stored as text with "{serial}" where the serial goes and literal braces
// doubled, as `viscode batch --template` writes them.
std::string escape_braces(std::string_view literal) {
  std::string out;
  for (const char c : literal) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

struct TemplateParts {
  std::string prefix, suffix;
};

// The literal text around a stored template's one {serial}, read by the same parser as
// viscode batch's --template; nullopt for anything else (a hand-edited table).
std::optional<TemplateParts> split_template(const std::string& tpl) {
  try {
    const PayloadTemplate parsed(tpl);
    const std::vector<std::string>& literals = parsed.literals();
    if (literals.size() != 2 || parsed.is_signed() || parsed.has_product()) return std::nullopt;
    return TemplateParts{literals[0], literals[1]};
  } catch (const Error&) {
    return std::nullopt;
  }
}

// How times are stored: UTC, to the second, in a form that sorts as time.
std::string utc_text(std::chrono::sys_seconds t) {
  return detail::utc_text(std::chrono::system_clock::to_time_t(t));
}

std::string now_utc() {
  return utc_text(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace

void check_serial(std::string_view serial) {
  // The rule lives below the ledger, so that viscode batch refuses the same serials before
  // it writes a file.
  const std::string problem = detail::serial_problem(serial);
  if (!problem.empty()) throw Error(ErrorCategory::usage, problem);
}

std::string_view to_string(ScanVerdict v) {
  return enum_name(v);
}

ScanOutcome scan_outcome(const ScanResult& result) {
  switch (result.verdict) {
    case ScanVerdict::first_scan:
      return ScanOutcome::first_scan;
    case ScanVerdict::seen_before:
      return ScanOutcome::seen_before;
    case ScanVerdict::not_authentic:
      return result.authentication && result.authentication->verdict == Authenticity::unsigned_
                 ? ScanOutcome::unsigned_
                 : ScanOutcome::forged;
    case ScanVerdict::not_issued:
      break;
  }
  return ScanOutcome::not_issued;
}

std::string_view verdict_id(const ScanResult& result) {
  return enum_name(scan_outcome(result));
}

std::string normalize_time(std::string_view text) {
  std::string_view why;
  const std::optional<std::chrono::sys_seconds> t = detail::parse_iso8601(text, &why);
  if (!t) {
    throw Error(ErrorCategory::usage,
                "ScanContext.at '" + loggable(text.substr(0, 80)) + "' is not an ISO 8601 time (" +
                    std::string(why) +
                    "): write e.g. 2026-11-23T14:05:00Z, 2026-11-23T15:05+01:00 or "
                    "2026-11-23");
  }
  return utc_text(*t);
}

Ledger Ledger::open(std::string_view url, const LedgerOpenOptions& options) {
  const bool create = options.mode == LedgerOpenMode::create_if_missing;
  if (starts_with_ci(url, "postgresql://") || starts_with_ci(url, "postgres://")) {
    return Ledger(detail::open_postgres(std::string(url), create));
  }
  const bool sqlite = starts_with_ci(url, "sqlite:");
  // libpq's own rule: a connection string with '=' is keyword/value. Taken as a file name,
  // "host=db password=..." became an SQLite file named after the password.
  if (!sqlite && url.find('=') != std::string_view::npos) {
    detail::check_postgres_keywords(std::string(url));
    return Ledger(detail::open_postgres(std::string(url), create));
  }
  std::string path(url);
  if (sqlite) path = std::string(url.substr(7));
  if (path.empty()) {
    throw Error(
        ErrorCategory::usage,
        "Ledger::open(url) is empty: give a ledger file (ledger.db) or a postgresql:// URL");
  }
  if (has_password_keyword(path)) {
    throw Error(ErrorCategory::usage,
                "Ledger::open(url) '" + detail::redact(url) +
                    "' would put a password in a file name: give a PostgreSQL connection "
                    "without the sqlite: prefix, or another file name");
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ErrorCategory::input,
                "the ledger '" + path +
                    "' is a directory: give Ledger::open(url) a file name, e.g. " +
                    (std::filesystem::path(path) / "ledger.db").string());
  }
  return Ledger(detail::open_sqlite(path, create));
}

namespace detail {

// The payload templates of the imported batches, read from the backend when first needed
// and again when a payload matches none of them (another process may have imported a
// batch since): one small query per unknown payload, none for known ones.
struct TemplateCache {
  std::vector<TemplateParts> parts;
  bool stale = true;

  std::optional<std::string> match(std::string_view payload, LedgerBackend& backend, bool reload) {
    if (stale || reload) {
      parts.clear();
      for (const std::string& tpl : backend.templates()) {
        if (auto p = split_template(tpl)) parts.push_back(std::move(*p));
      }
      // Most literal text first: 'https://b.example/{serial}?src=qr' must claim its payloads
      // before 'https://b.example/{serial}' takes 'ABCD?src=qr' for a serial.
      std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
        return a.prefix.size() + a.suffix.size() > b.prefix.size() + b.suffix.size();
      });
      stale = false;
    }
    for (const auto& [prefix, suffix] : parts) {
      if (payload.size() > prefix.size() + suffix.size() && payload.starts_with(prefix) &&
          payload.ends_with(suffix)) {
        const std::string_view serial =
            payload.substr(prefix.size(), payload.size() - prefix.size() - suffix.size());
        if (serial.size() <= kMaxSerialBytes && is_clean_text(serial)) return std::string(serial);
      }
    }
    return std::nullopt;
  }
};

}  // namespace detail

Ledger::Ledger(std::unique_ptr<detail::LedgerBackend> backend)
    : backend_(std::move(backend)), templates_(std::make_unique<detail::TemplateCache>()) {}
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;
Ledger::~Ledger() = default;

std::string_view Ledger::backend() const {
  return backend_->name();
}

ImportSummary Ledger::import_manifest(const std::filesystem::path& manifest, std::string_view batch,
                                      const std::function<void(std::int64_t)>& progress) {
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::is_directory(manifest, ec)
                                         ? manifest / std::string(kManifestName)
                                         : manifest;
  std::string name(batch);
  if (name.empty()) name = std::filesystem::absolute(file, ec).parent_path().filename().string();
  if (name.empty() || name.size() > 200 || !is_clean_text(name)) {
    throw Error(ErrorCategory::usage, "Ledger::import_manifest(batch) '" +
                                          loggable(name.substr(0, 80)) +
                                          "' is not a batch name: give 1 to 200 bytes of "
                                          "printable text");
  }
  detail::ManifestReader reader(file);
  detail::ManifestRow row;
  // Staged outside this process as they are read: memory does not grow with the manifest.
  const std::unique_ptr<detail::ImportStage> stage = backend_->begin_import();
  std::vector<std::string> templates;
  ImportSummary summary;
  while (true) {
    try {
      if (!reader.next(row)) break;
    } catch (const Error& e) {
      throw Error(e.category(), std::string(e.what()) + "; nothing was imported");
    }
    try {
      check_serial(row.serial);
    } catch (const Error& e) {
      throw Error(ErrorCategory::input, "manifest '" + file.string() + "' line " +
                                            std::to_string(reader.line()) + ": " + e.what() +
                                            "; nothing was imported");
    }
    // Unsigned payloads are matched back to their serial by the batch's template; signed
    // ones carry the serial in their signature field.
    // GS1 Digital Link payloads carry the serial in their /21/ segment (percent-encoded, and
    // its text may occur inside the GTIN): no template is learnt from them.
    if (!find_signed_fields(row.payload) && row.payload != row.serial &&
        !parse_gs1_link(row.payload) && templates.size() < kMaxTemplatesPerImport) {
      const std::size_t at = row.payload.find(row.serial);
      if (at != std::string::npos) {
        std::string tpl = escape_braces(row.payload.substr(0, at)) + "{serial}" +
                          escape_braces(row.payload.substr(at + row.serial.size()));
        if (is_clean_text(tpl) &&
            std::find(templates.begin(), templates.end(), tpl) == templates.end()) {
          templates.push_back(std::move(tpl));
        }
      }
    }
    try {
      stage->add(row.serial, static_cast<std::int64_t>(reader.line()));
    } catch (const Error& e) {
      throw Error(e.category(),
                  "manifest '" + file.string() + "': " + e.what() + "; nothing was imported");
    }
    ++summary.rows;
    if (progress && summary.rows % 10'000 == 0) progress(summary.rows);
  }
  if (reader.end() != std::filesystem::file_size(file, ec) && !ec) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() +
                                          "' ends in a cut-off row (the batch is "
                                          "still running or was interrupted): "
                                          "finish it with viscode batch --resume; "
                                          "nothing was imported");
  }
  if (summary.rows == 0) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() +
                                          "' has no rows: import the manifest of a batch that "
                                          "made codes");
  }
  // Checked once every row is staged, so a manifest's other faults come first.
  if (const auto repeat = stage->first_repeat()) {
    throw Error(ErrorCategory::input, "manifest '" + file.string() + "' line " +
                                          std::to_string(repeat->line) + ": serial " +
                                          detail::quoted(repeat->serial) +
                                          " is listed twice; nothing was imported (check "
                                          "the batch with viscode batch --check)");
  }
  summary.added = stage->commit(name, now_utc(), templates);
  summary.already_issued = summary.rows - summary.added;
  if (progress) progress(summary.rows);
  templates_->stale = true;
  return summary;
}

std::string Ledger::serial_in_payload(std::string_view payload) {
  if (looks_like_gs1_link(payload)) {
    if (auto link = parse_gs1_link(payload)) return link->serial;
  }
  if (const auto fields = find_signed_fields(payload)) return fields->serial;
  if (auto serial = templates_->match(payload, *backend_, false)) return *serial;
  // Another process may have imported a batch since the templates were read; its template
  // comes before the bare-serial reading, which would take 'AB-0001' of 'AB-{serial}' whole.
  if (auto serial = templates_->match(payload, *backend_, true)) return *serial;
  if (is_bare_serial(payload)) return std::string(payload);
  return {};
}

ScanResult Ledger::scan(std::string_view payload, const ScanContext& context) {
  ScanResult result;
  result.at = context.at.empty() ? now_utc() : normalize_time(context.at);
  if (context.where.size() > kMaxWhereBytes || !is_clean_text(context.where)) {
    throw Error(ErrorCategory::usage, "ScanContext.where '" +
                                          loggable(context.where.substr(0, 80)) +
                                          "' is not a place: give up to 200 bytes of printable "
                                          "text (a shop, a city)");
  }
  result.serial = serial_in_payload(payload);
  if (!context.keys.empty()) {
    result.authentication = authenticate(payload, context.keys);
    if (result.authentication->verdict != Authenticity::genuine) {
      // Logged with no serial, so a forgery that reuses an issued serial never counts as
      // a scan of it.
      backend_->record_scan({}, loggable(payload), result.at, context.where);
      result.verdict = ScanVerdict::not_authentic;
      return result;
    }
  }
  const auto counted =
      backend_->record_scan(result.serial, loggable(payload), result.at, context.where);
  if (!counted) return result;
  result.scans = counted->scans;
  result.first_at = counted->first_at;
  result.first_where = counted->first_where;
  result.batch = counted->batch;
  result.scan_id = counted->scan_id;
  result.verdict = counted->scans == 1 ? ScanVerdict::first_scan : ScanVerdict::seen_before;
  return result;
}

SerialStatus Ledger::status(std::string_view serial) {
  check_serial(serial);
  return backend_->status(serial);
}

LedgerStats Ledger::stats() {
  return backend_->stats();
}

namespace {

void check_limit(std::string_view what, std::size_t value, std::size_t lo, std::size_t hi) {
  if (value < lo || value > hi) {
    throw Error(ErrorCategory::usage, std::string(what) + " " + std::to_string(value) +
                                          " is out of range: give " + std::to_string(lo) + " to " +
                                          std::to_string(hi));
  }
}

}  // namespace

std::vector<BatchStats> Ledger::batch_stats(std::string_view batch, std::size_t limit) {
  check_limit("batch_stats limit", limit, 1, 100'000);
  return backend_->batch_stats(batch, limit);
}

std::vector<CopyRecord> Ledger::copies(std::string_view batch, std::size_t limit,
                                       std::size_t history) {
  check_limit("copies limit", limit, 1, 100'000);
  check_limit("copies history", history, 2, 1000);
  return backend_->copies(batch, limit, history);
}

std::vector<DayScans> Ledger::scans_per_day(std::string_view batch, std::size_t days) {
  check_limit("scans_per_day days", days, 1, 3660);
  return backend_->scans_per_day(batch, days);
}

bool Ledger::set_scan_place(std::int64_t scan_id, std::string_view where) {
  if (where.size() > kMaxWhereBytes || !is_clean_text(where)) {
    throw Error(ErrorCategory::usage, "place '" + loggable(where.substr(0, 80)) +
                                          "' is not a place: give up to 200 bytes of printable "
                                          "text");
  }
  return scan_id > 0 && backend_->set_scan_place(scan_id, where);
}

std::int64_t Ledger::clear_places_before(std::string_view before) {
  return backend_->clear_places_before(normalize_time(before));
}

}  // namespace viscode
