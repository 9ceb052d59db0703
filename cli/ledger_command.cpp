#include "ledger_command.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "json.hpp"
#include "read_texts.hpp"
#include "viscode/viscode.hpp"

namespace viscode::cli {
namespace {

// "1 row", "2 rows".
std::string count_of(std::int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "https:", "mailto:", "WIFI:": a payload, never a file name.
bool has_url_scheme(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon < 2) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// A scan input that names a file rather than a payload: a path with a '/' or a name with an
// image extension, and no URL scheme. "paack.png" is a mistyped file, not a payload.
bool looks_like_path(std::string_view s) {
  if (has_url_scheme(s)) return false;
  if (s.find('/') != std::string_view::npos) return true;
  const std::size_t dot = s.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string ext(s.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const std::string_view image :
       {"png", "jpg", "jpeg", "webp", "tif", "tiff", "bmp", "svg", "pdf"}) {
    if (ext == image) return true;
  }
  return false;
}

// Before anything is recorded: every positional input is an image file or a payload text,
// and one that names a file that is not there (or not a file) stops the scan.
void check_scan_inputs(const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    std::error_code ec;
    const auto status = std::filesystem::status(input, ec);
    if (std::filesystem::exists(status)) {
      if (!std::filesystem::is_regular_file(status)) {
        throw Error(ErrorCategory::input, "'" + input +
                                              "' is not an image file (a directory or a "
                                              "device): give image files, or --payload TEXT to "
                                              "scan a text; nothing was recorded");
      }
    } else if (looks_like_path(input)) {
      throw Error(ErrorCategory::input, "image '" + input +
                                            "' does not exist: check the path, or give "
                                            "--payload '" +
                                            input + "' to scan it as a text; nothing was recorded");
    }
  }
}

std::string scan_text(const ScanResult& r) {
  switch (r.verdict) {
    case ScanVerdict::first_scan:
      return fmt::format("genuine, first scan: serial {} (batch {})", r.serial, r.batch);
    case ScanVerdict::seen_before:
      // A scan dated no later than the serial's first (a backdated --at, a late upload) is
      // still seen before: the other scans were recorded first.
      if (r.first_at == r.at) {
        return fmt::format(
            "genuine serial, seen before: serial {} (batch {}) seen {} before this scan was "
            "recorded, none dated earlier than it ({}): possible copy",
            r.serial, r.batch, count_of(r.scans - 1, "time", "times"), r.at);
      }
      return fmt::format(
          "genuine serial, seen before: serial {} (batch {}) seen {} since {}{}: possible copy",
          r.serial, r.batch, count_of(r.scans - 1, "time", "times"), r.first_at,
          r.first_where.empty() ? "" : " (first at " + r.first_where + ")");
    case ScanVerdict::not_authentic:
      // A signed GS1 Digital Link that breaks its rules (a wrong check digit) has no serial.
      if (r.authentication->verdict == Authenticity::forged && r.authentication->serial.empty()) {
        return "forged: signed, but not a well-formed payload (the brand never made it); not "
               "counted as a scan of any serial";
      }
      return r.authentication->verdict == Authenticity::forged
                 ? "forged: the signature of serial " + r.authentication->serial +
                       " does not verify with the brand's key; not counted as a scan of the "
                       "serial"
                 : "unsigned: the code carries no signature; not counted as a scan of any "
                   "serial";
    case ScanVerdict::not_issued:
      break;
  }
  return r.serial.empty() ? "not issued: the code carries no serial this ledger knows"
                          : "not issued: serial " + r.serial + " was never imported";
}

std::string scan_json(const std::string& input, const std::string& payload, const ScanResult& r) {
  std::string out =
      "{\"input\": " + json_string(input) + ", \"payload\": " + json_string(payload) +
      ", \"verdict\": " + json_string(verdict_id(r)) + ", \"serial\": " + json_string(r.serial) +
      fmt::format(", \"scans\": {}", r.scans) + ", \"at\": " + json_string(r.at) +
      ", \"first_at\": " + json_string(r.first_at) +
      ", \"first_where\": " + json_string(r.first_where) + ", \"batch\": " + json_string(r.batch);
  if (r.authentication) {
    out += ", \"authenticity\": " + json_string(to_string(r.authentication->verdict));
  }
  return out + "}";
}

int run_import(Ledger& ledger, const LedgerArgs& a) {
  const bool tty = isatty(fileno(stderr)) != 0;
  const ImportSummary s = ledger.import_manifest(a.manifest, a.batch, [&](std::int64_t rows) {
    if (tty) std::fprintf(stderr, "\rread %lld rows", static_cast<long long>(rows));
  });
  if (tty) std::fputc('\n', stderr);
  if (a.json) {
    fmt::print("{{\"manifest\": {}, \"rows\": {}, \"added\": {}, \"already_issued\": {}}}\n",
               json_string(a.manifest), s.rows, s.added, s.already_issued);
  } else {
    fmt::print("imported {}: {}, {}, {} already issued\n", a.manifest,
               count_of(s.rows, "row", "rows"), count_of(s.added, "new serial", "new serials"),
               s.already_issued);
  }
  return 0;
}

// Exit 3 when an image cannot be read, else 4 when one holds no code, else 6 when a code is
// not a genuine first scan (seen before, not issued, not authentic), else 0. Every input is
// scanned either way, as authenticate does.
int run_scan(Ledger& ledger, const LedgerArgs& a) {
  ScanContext context;
  context.at = a.at;
  context.where = a.where;
  for (const std::string& file : a.pub) context.keys.push_back(load_public_key(file));
  if (!context.at.empty()) context.at = normalize_time(context.at);  // fails before reading

  ReadTally tally;
  bool not_first = false;
  const bool several = a.inputs.size() + a.payloads.size() > 1;
  const auto record = [&](const std::string& input, const std::vector<std::string>& payloads) {
    for (const std::string& payload : payloads) {
      const ScanResult r = ledger.scan(payload, context);
      if (r.verdict != ScanVerdict::first_scan) not_first = true;
      if (a.json) {
        fmt::print("{}\n", scan_json(input, payload, r));
      } else {
        fmt::print("{}{}\n", several ? input + ": " : "", scan_text(r));
      }
      std::fflush(stdout);
    }
  };
  for (const std::string& input : a.inputs) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(input, ec)) {
      const auto report = [](const std::string& error) {
        std::fprintf(stderr, "viscode: %s\n", error.c_str());
      };
      record(input, read_texts(input, {}, tally, report));
    } else {
      record(input, {input});  // checked before: not a path, so a payload text
    }
  }
  for (const std::string& payload : a.payloads) record(payload, {payload});
  return tally.exit_code(not_first ? kNotAuthentic : kOk);
}

int run_status(Ledger& ledger, const LedgerArgs& a) {
  const SerialStatus s = ledger.status(a.serial);
  if (a.json) {
    fmt::print(
        "{{\"serial\": {}, \"issued\": {}, \"batch\": {}, \"issued_at\": {}, \"scans\": {}, "
        "\"first_at\": {}, \"first_where\": {}, \"last_at\": {}, \"last_where\": {}}}\n",
        json_string(s.serial), s.issued ? "true" : "false", json_string(s.batch),
        json_string(s.issued_at), s.scans, json_string(s.first_at), json_string(s.first_where),
        json_string(s.last_at), json_string(s.last_where));
  } else if (!s.issued) {
    fmt::print("{}: not issued\n", s.serial);
  } else if (s.scans == 0) {
    fmt::print("{}: issued in batch {} at {}, never scanned\n", s.serial, s.batch, s.issued_at);
  } else {
    fmt::print("{}: issued in batch {} at {}, scanned {} time{}: first {}{}, last {}{}\n", s.serial,
               s.batch, s.issued_at, s.scans, s.scans == 1 ? "" : "s", s.first_at,
               s.first_where.empty() ? "" : " (" + s.first_where + ")", s.last_at,
               s.last_where.empty() ? "" : " (" + s.last_where + ")");
  }
  return s.issued ? 0 : 6;
}

int run_stats(Ledger& ledger, const LedgerArgs& a) {
  const LedgerStats s = ledger.stats();
  if (a.json) {
    fmt::print(
        "{{\"backend\": {}, \"issued\": {}, \"scanned\": {}, \"seen_before\": {}, \"scans\": {}, "
        "\"not_issued_scans\": {}}}\n",
        json_string(ledger.backend()), s.issued, s.scanned, s.seen_before, s.scans,
        s.not_issued_scans);
  } else {
    fmt::print(
        "{} ledger: {} issued, {} scanned, {} scanned more than once (possible copies); {} of "
        "issued serials, {} of codes not issued\n",
        ledger.backend(), count_of(s.issued, "serial", "serials"), s.scanned, s.seen_before,
        count_of(s.scans, "scan", "scans"), count_of(s.not_issued_scans, "scan", "scans"));
  }
  return 0;
}

}  // namespace

CLI::App* add_ledger_command(CLI::App& app, LedgerArgs& a) {
  CLI::App* led = app.add_subcommand(
      "ledger",
      "The first-scan ledger: import the serials a batch issued, then record scans. The first "
      "scan of an issued serial is genuine; later scans of it are reported as seen before "
      "(a copied code carries its original's serial).\n"
      "Only import creates a ledger; the other commands need an existing one.\n"
      "Example: viscode ledger --db ledger.db import run1/manifest.csv\n"
      "         viscode ledger --db ledger.db scan photo.jpg --where 'Shop 12, Lyon'\n"
      "Exit codes: 0 ok (scan: genuine first scan; status: issued), 6 seen before, not "
      "issued or not authentic, 4 no code in an image, 3 unreadable input or ledger, 2 bad "
      "usage.");
  led->require_subcommand(1);
  led->add_option("--db", a.db,
                  "The ledger: an SQLite file, or a PostgreSQL URL "
                  "postgresql://user@host:port/dbname or libpq keywords 'host=... "
                  "dbname=...' (import creates it when missing; the other commands need an "
                  "existing ledger). Default: $VISCODE_LEDGER")
      ->envname("VISCODE_LEDGER")
      ->required();
  led->add_flag("--json", a.json, "One JSON object per line instead of text");

  a.import = led->add_subcommand(
      "import",
      "Record the serials of a batch manifest as issued (all or nothing; importing "
      "twice is harmless)");
  a.import->add_option("manifest", a.manifest, "viscode batch's manifest.csv, or its folder")
      ->required();
  a.import->add_option("--batch", a.batch, "Name of the batch in reports (default: the folder)");

  a.scan = led->add_subcommand(
      "scan",
      "Record scans and say whether each is a genuine first scan. Each input is an image "
      "file (read with viscode's detector) or, when no such file exists and it does not look "
      "like a path (a '/' or an image extension, without a URL scheme), a payload text.");
  a.scan->add_option("inputs", a.inputs,
                     "Images, or payload texts (a missing file that looks like a path is an "
                     "error)");
  a.scan
      ->add_option("--payload", a.payloads,
                   "A payload text to scan as it is, never read as a file (repeatable)")
      ->allow_extra_args(false);
  a.scan->add_option("--at", a.at,
                     "When the scan happened, ISO 8601 (2026-11-23T14:05:00Z, "
                     "2026-11-23T15:05+01:00); default now");
  a.scan->add_option("--where", a.where, "Where it happened (a shop, a city), up to 200 bytes");
  a.scan->add_option("--pub", a.pub,
                     "The brand's public key (repeat for several): a code whose signature "
                     "does not verify is reported forged or unsigned and not counted");

  a.status = led->add_subcommand("status", "Show one serial: issued, scans, first and last");
  a.status->add_option("serial", a.serial, "The serial")->required();

  a.stats = led->add_subcommand("stats", "Count issued serials, scans and possible copies");
  // --db and --json may come after the subcommand too (viscode ledger scan X --db l.db).
  for (CLI::App* sub : {a.import, a.scan, a.status, a.stats}) sub->fallthrough();
  return led;
}

int run_ledger_command(const LedgerArgs& a) {
  // Bad usage and mistyped inputs are reported before the ledger is opened.
  if (a.scan->parsed()) {
    if (a.inputs.empty() && a.payloads.empty()) {
      throw Error(ErrorCategory::usage,
                  "ledger scan has nothing to scan: give image files or --payload TEXT");
    }
    if (!a.at.empty()) normalize_time(a.at);
    check_scan_inputs(a.inputs);
  }
  if (a.status->parsed()) check_serial(a.serial);
  // Only import starts a ledger: a mistyped --db must not become a new, empty ledger that
  // reports every genuine code as not issued.
  const LedgerOpenOptions open_options{
      .mode = a.import->parsed() ? LedgerOpenMode::create_if_missing : LedgerOpenMode::must_exist};
  Ledger ledger = Ledger::open(a.db, open_options);
  if (a.import->parsed()) return run_import(ledger, a);
  if (a.scan->parsed()) return run_scan(ledger, a);
  if (a.status->parsed()) return run_status(ledger, a);
  return run_stats(ledger, a);
}

}  // namespace viscode::cli
