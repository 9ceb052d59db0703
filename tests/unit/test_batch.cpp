// The pieces of a serialised run that need no rendering: payload templates, sheet sizes,
// serial sources (files and the CSPRNG), CSV fields and the manifest reader.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "batch/manifest.hpp"
#include "batch/serials.hpp"
#include "csv.hpp"
#include "test_error_util.hpp"
#include "text.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using test::message_of;

namespace {

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text, const std::string& name = "serials.txt") {
    path = std::filesystem::temp_directory_path() /
           ("viscode-batch-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

std::vector<std::string> drain(detail::SerialStream& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.count(); ++i) out.push_back(s.next(nullptr));
  return out;
}

}  // namespace

TEST_CASE("batch template: {serial} replaced everywhere, braces escaped", "[batch]") {
  CHECK(PayloadTemplate("https://v.brand.example/a/{serial}").apply("AB12") ==
        "https://v.brand.example/a/AB12");
  CHECK(PayloadTemplate("{serial}").apply("X") == "X");
  CHECK(PayloadTemplate("s={serial}&t={serial}").apply("7") == "s=7&t=7");
  CHECK(PayloadTemplate("{{{serial}}}").apply("7") == "{7}");
}

TEST_CASE("batch template: errors name the template and the fix", "[batch]") {
  CHECK(message_of([] { PayloadTemplate("https://x.example/a"); }, ErrorCategory::usage) ==
        "--template 'https://x.example/a' has no {serial}: every code would carry the same "
        "payload; put {serial} where the serial goes");
  CHECK(message_of([] { PayloadTemplate("https://x.example/{id}"); }, ErrorCategory::usage) ==
        "--template 'https://x.example/{id}' has the unknown placeholder '{id}': use "
        "{serial}, {product} or {sig} (and {{ or }} for braces)");
  CHECK(message_of([] { PayloadTemplate("a}{serial}"); }, ErrorCategory::usage) ==
        "--template 'a}{serial}' has a lone '}' at 2: write }} for a brace");
  CHECK(message_of([] { PayloadTemplate("BEGIN:VCARD\nFN:{serial}"); }, ErrorCategory::usage) ==
        "--template has a line break: give the payload on one line (a URL with {serial})");
  CHECK(message_of([] { PayloadTemplate("a/{serial"); }, ErrorCategory::usage) ==
        "--template 'a/{serial' has the unknown placeholder '{serial': use {serial}, "
        "{product} or {sig} (and {{ or }} for braces)");
}

TEST_CASE("batch sheets: named sizes and WxH", "[batch]") {
  CHECK(parse_sheet("A4").width_mm == 210);
  CHECK(parse_sheet("a3").height_mm == 420);
  CHECK(parse_sheet("Letter").width_mm == Approx(215.9));
  const SheetOptions s = parse_sheet("320x450mm");
  CHECK(s.width_mm == 320);
  CHECK(s.height_mm == 450);
  CHECK(parse_sheet("12x18in").height_mm == Approx(457.2));
  CHECK(parse_sheet("300x400").width_mm == 300);
  CHECK(message_of([] { parse_sheet("B5"); }, ErrorCategory::usage) ==
        "parse_sheet(text) 'B5' is not a sheet: use A4, A3, Letter or WxH with a unit, e.g. "
        "320x450mm");
  CHECK(message_of([] { parse_sheet("10x3000mm"); }, ErrorCategory::usage) ==
        "parse_sheet(text) '10x3000mm' is not a sheet: use A4, A3, Letter or WxH with a unit, e.g. "
        "320x450mm");
  CHECK(message_of([] { parse_sheet("10x300mm"); }, ErrorCategory::usage) ==
        "parse_sheet(text) '10x300mm' is out of range: each side 20mm to 2000mm");
}

TEST_CASE("batch lengths: --gap and --margin may be 0 and errors name them", "[batch]") {
  CHECK(parse_length_mm("0", "--gap", true) == 0);
  CHECK(parse_length_mm("3mm", "--gap", true) == 3);
  CHECK(message_of([] { parse_length_mm("wide", "--gap", true); }, ErrorCategory::usage) ==
        "--gap 'wide' is not a length: use e.g. 25mm, 2.5cm or 1in");
  CHECK(message_of([] { parse_length_mm("-1mm", "--margin", true); }, ErrorCategory::usage) ==
        "--margin '-1mm' is out of range: use a length from 0 and at most 2000mm");
}

TEST_CASE("batch random serials: length, alphabet, every character equally likely", "[batch]") {
  RandomSerials spec;
  std::map<char, int> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string s = random_serial(spec);
    REQUIRE(s.size() == 16);
    for (const char c : s) {
      REQUIRE(kCrockfordBase32.find(c) != std::string_view::npos);
      ++seen[c];
    }
  }
  // 32,000 draws over 32 characters: 1,000 each; a biased draw (e.g. modulo on a non-power
  // of two) would show far beyond 5 sigma (about 160).
  CHECK(seen.size() == 32);
  for (const auto& [c, n] : seen) CHECK(std::abs(n - 1000) < 160);

  RandomSerials digits;
  digits.alphabet = "0123456789";  // 256 % 10 != 0: rejection sampling keeps it uniform
  digits.length = 8;
  std::map<char, int> d;
  for (int i = 0; i < 2500; ++i) {
    for (const char c : random_serial(digits)) ++d[c];
  }
  for (const auto& [c, n] : d) CHECK(std::abs(n - 2000) < 220);
}

TEST_CASE("batch random serials: bad alphabets and lengths are refused", "[batch]") {
  RandomSerials s;
  s.alphabet = "A";
  CHECK(message_of([&] { random_serial(s); }, ErrorCategory::usage) ==
        "the serial alphabet has 1 character: use 2 to 64 (default: Crockford base32)");
  s.alphabet = "ABCA";
  CHECK(message_of([&] { random_serial(s); }, ErrorCategory::usage) ==
        "the serial alphabet repeats 'A': list each once");
  s.alphabet = "AB,C";
  CHECK(message_of([&] { random_serial(s); }, ErrorCategory::usage) ==
        "the serial alphabet may hold only printable ASCII without space, comma or quote; it "
        "has ','");
  s.alphabet = "ABCD";
  s.length = 3;
  CHECK(message_of([&] { random_serial(s); }, ErrorCategory::usage) ==
        "RandomSerials.length 3 is out of range: use 4..64");
  // 4 characters of 4 symbols: 256 serials, far too few for 1,000 unique unguessable ones.
  s.length = 4;
  s.count = 1000;
  CHECK(message_of([&] { detail::open_serials(s); }, ErrorCategory::usage) ==
        "1000 serials of 4 characters from 4 would be too easy to guess and to repeat: use a "
        "longer RandomSerials.length");
}

TEST_CASE("batch random serials: a run never repeats one, nor one already issued", "[batch]") {
  RandomSerials spec;
  spec.count = 3000;
  spec.alphabet = "0123456789";
  spec.length = 10;  // 10^10: the smallest space the guard allows for 3,000
  auto stream = detail::open_serials(spec);
  std::set<std::string> issued;
  for (int i = 0; i < 1000; ++i) issued.insert(random_serial(spec));
  std::size_t k = 1;
  for (const std::string& s : issued) stream->skip_issued(s, k++);
  std::set<std::string> all = issued;
  for (const std::string& s : drain(*stream)) CHECK(all.insert(s).second);
  CHECK(all.size() == issued.size() + 3000);
  // The capacity check's stand-in: the character needing the widest QR mode everywhere.
  CHECK(stream->longest() == "0000000000");
  RandomSerials mixed;
  mixed.count = 10;
  mixed.alphabet = "0A-b";
  CHECK(detail::open_serials(mixed)->longest() == std::string(16, 'b'));
  mixed.alphabet = "01AB";
  CHECK(detail::open_serials(mixed)->longest() == std::string(16, 'A'));
}

TEST_CASE("batch serial files: lines, CSV columns, blank lines and spaces", "[batch]") {
  const TempFile plain("A1\r\n  B2 \n\nC3");
  auto s = detail::open_serials(SerialFile{plain.path, ""});
  CHECK(s->count() == 3);
  CHECK(drain(*s) == std::vector<std::string>{"A1", "B2", "C3"});

  const TempFile csv("sku,serial,lot\nx,\"S,1\",7\ny,S2,8\nz,S-long-3,9\n", "serials.csv");
  auto c = detail::open_serials(SerialFile{csv.path, "serial"});
  CHECK(c->count() == 3);
  CHECK(c->longest() == "S-long-3");
  CHECK(c->longest_where() == "line 4 of '" + csv.path.string() + "'");
  std::string where;
  CHECK(c->next(&where) == "S,1");
  CHECK(where == "line 2 of '" + csv.path.string() + "'");
}

TEST_CASE("batch serial files: a file that looks like CSV needs a column or whole lines",
          "[batch]") {
  const TempFile csv("id,serial\n1,A1\n\n2,B2\n3,A1\n", "lot.csv");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{csv.path, ""});
            },
            ErrorCategory::usage) ==
        "serials file '" + csv.path.string() +
            "' looks like CSV (every line has a comma): give SerialFile.column NAME or "
            "SerialFile.column N for "
            "the serials' column, or SerialFile.lines if each whole line is a serial");
  // The column by number finds the repeat that whole lines hide.
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{csv.path, "2"});
            },
            ErrorCategory::input) ==
        "serials file '" + csv.path.string() +
            "' repeats serial 'A1' on lines 2 and 5: every code must carry a unique serial");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{csv.path, "0"});
            },
            ErrorCategory::input) == "serials file '" + csv.path.string() +
                                         "' has 2 columns in its header row (id, serial), not 0: "
                                         "give SerialFile.column a name or a "
                                         "number from 1 to 2");
  CHECK(drain(*detail::open_serials(SerialFile{csv.path, "", true})) ==
        std::vector<std::string>{"id,serial", "1,A1", "2,B2", "3,A1"});
  // A header cell named like a number is taken by name.
  const TempFile named("2,1\nx,S1\ny,S2\n", "named.csv");
  CHECK(drain(*detail::open_serials(SerialFile{named.path, "1"})) ==
        std::vector<std::string>{"S1", "S2"});
  CHECK(drain(*detail::open_serials(SerialFile{named.path, "2"})) ==
        std::vector<std::string>{"x", "y"});
  // One line without a comma: a list of serials, some of which have one.
  const TempFile some("A,1\nB2\n");
  CHECK(drain(*detail::open_serials(SerialFile{some.path, ""})) ==
        std::vector<std::string>{"A,1", "B2"});
}

TEST_CASE("batch messages: counts take the singular for one", "[batch]") {
  CHECK(counted(0, "code") == "0 codes");
  CHECK(counted(1, "code") == "1 code");
  CHECK(counted(2, "file") == "2 files");
  CHECK(counted(1, "extra file") == "1 extra file");
  RandomSerials one;
  one.count = 1;
  one.alphabet = "01";
  one.length = 8;
  CHECK(message_of([&] { detail::open_serials(one); }, ErrorCategory::usage) ==
        "1 serial of 8 characters from 2 would be too easy to guess and to repeat: use a "
        "longer RandomSerials.length");
}

TEST_CASE("batch serial files: a spreadsheet's byte-order mark is not part of the header",
          "[batch]") {
  const TempFile csv("\xEF\xBB\xBFserial,lot\nS1,7\n", "bom.csv");
  auto c = detail::open_serials(SerialFile{csv.path, "serial"});
  CHECK(drain(*c) == std::vector<std::string>{"S1"});
  const TempFile lines("\xEF\xBB\xBFS1\nS2\n", "bom.txt");
  CHECK(drain(*detail::open_serials(SerialFile{lines.path, ""})) ==
        std::vector<std::string>{"S1", "S2"});
}

TEST_CASE("batch serial files: duplicates, missing columns and empty files are refused",
          "[batch]") {
  const TempFile dup("A\nB\nC\nB\nD\n");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{dup.path, ""});
            },
            ErrorCategory::input) ==
        "serials file '" + dup.path.string() +
            "' repeats serial 'B' on lines 2 and 4: every code must carry a unique serial");
  const TempFile csv("sku,serial\nx,1\n", "serials.csv");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{csv.path, "code"});
            },
            ErrorCategory::input) ==
        "serials file '" + csv.path.string() +
            "' has no column 'code' in its header row (sku, serial): name one of these with "
            "SerialFile.column");
  const TempFile gap("sku,serial\nx,1\ny,\n", "gap.csv");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{gap.path, "serial"});
            },
            ErrorCategory::input) ==
        "line 3 of '" + gap.path.string() +
            "' has no value in column 'serial': give every row a serial");
  const TempFile empty("\n\n", "empty.txt");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{empty.path, ""});
            },
            ErrorCategory::input) ==
        "serials file '" + empty.path.string() + "' has no serials: put one per line");
  CHECK(
      message_of(
          [] {
            detail::open_serials(SerialFile{"/nonexistent/s.txt", ""});
          },
          ErrorCategory::input) ==
      "serials file '/nonexistent/s.txt' cannot be read: check the path given to SerialFile.file");
}

TEST_CASE("batch serial files: resuming checks the manifest against the file", "[batch]") {
  const TempFile f("A\nB\nC\n");
  auto s = detail::open_serials(SerialFile{f.path, ""});
  s->skip_issued("A", 1);
  CHECK(message_of([&] { s->skip_issued("X", 2); }, ErrorCategory::input) ==
        "the manifest's serial 2 is 'X' but line 2 of '" + f.path.string() +
            "' is 'B': resume with the same SerialFile.file file the run started with");
}

TEST_CASE("batch CSV: fields quoted only when they must be, and read back", "[batch]") {
  for (const std::string field : {"plain", "a,b", "say \"hi\"", " padded ", ""}) {
    std::string line;
    detail::append_csv_field(line, field);
    line += ",x";
    CHECK(detail::parse_csv_line(line) == std::vector<std::string>{field, "x"});
  }
  std::string quoted;
  detail::append_csv_field(quoted, "a,b");
  CHECK(quoted == "\"a,b\"");
}

TEST_CASE("batch manifest: rows round-trip, a cut-off last line is not a row", "[batch]") {
  detail::ManifestRow a{1, "S,1", "https://x/S,1", "000001.png", 0, 0, std::string(64, 'a')};
  detail::ManifestRow b{2, "S2", "https://x/S2", "sheets-0001.pdf", 3, 17, std::string(64, 'b')};
  std::string text(detail::kManifestHeader);
  text += '\n';
  detail::append_row(text, a);
  const std::size_t complete = text.size();
  detail::append_row(text, b);
  CHECK(text.substr(complete) ==
        "2,S2,https://x/S2,sheets-0001.pdf,3,17," + std::string(64, 'b') + "\n");
  text.pop_back();  // the last write was cut short
  const TempFile f(text, "manifest.csv");
  detail::ManifestReader r(f.path);
  detail::ManifestRow row;
  REQUIRE(r.next(row));
  CHECK(row.serial == "S,1");
  CHECK(row.payload == "https://x/S,1");
  CHECK(row.page == 0);
  CHECK(r.end() == complete);
  CHECK_FALSE(r.next(row));
  CHECK(r.end() == complete);
}

TEST_CASE("batch CSV: a quoted field still open at the end of its line is reported", "[batch]") {
  CHECK(detail::parse_csv_record("\"AB").open_quote);
  CHECK(detail::parse_csv_record("x,\"AB,CD").open_quote);
  const detail::CsvLine closed = detail::parse_csv_record("\"AB\",x\r");
  CHECK_FALSE(closed.open_quote);
  CHECK(closed.fields == std::vector<std::string>{"AB", "x"});
  CHECK(closed.quoted == std::vector<bool>{true, false});
}

TEST_CASE("batch serial files: a quoted line break is refused by its line, not two serials",
          "[batch]") {
  const TempFile f("serial,sku\n\"AB\nCD\",x\nEF,y\n", "quoted-newline.csv");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{f.path, "serial"});
            },
            ErrorCategory::input) ==
        "line 2 of '" + f.path.string() +
            "' has a quoted field that is not closed on its line: a serial cannot hold a line "
            "break; close the quote on the same line");
}

TEST_CASE("batch serial files: the ledger's serial rule, with the ledger's wording", "[batch]") {
  const std::string rule =
      "a serial is 1 to 256 bytes of printable text without leading or trailing spaces, as "
      "viscode batch issues them; fix the file";
  const TempFile longer("S1\n" + std::string(257, 'X') + "\n", "rule-long.txt");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{longer.path, ""});
            },
            ErrorCategory::input) == "line 2 of '" + longer.path.string() +
                                         "': unknown serial format: '" + std::string(40, 'X') +
                                         "...' is not a serial (257 bytes, over 256): " + rule);
  // 256 bytes is the limit, not over it.
  const TempFile at_limit("S1\n" + std::string(256, 'X') + "\n", "rule-256.txt");
  CHECK(detail::open_serials(SerialFile{at_limit.path, ""})->count() == 2);
  const TempFile control("S1\nS2\x01X\n", "rule-control.txt");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{control.path, ""});
            },
            ErrorCategory::input) ==
        "line 2 of '" + control.path.string() +
            "': unknown serial format: 'hex:53320158' is not a serial (a control character): " +
            rule);
  const TempFile binary("serial\nS1\nS3\xff\n", "rule-utf8.csv");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{binary.path, "serial"});
            },
            ErrorCategory::input) ==
        "line 3 of '" + binary.path.string() +
            "': unknown serial format: 'hex:5333ff' is not a serial (not UTF-8 text): " + rule);
  // The same function is the ledger's check.
  CHECK(message_of([] { check_serial("S3\xff"); }, ErrorCategory::usage) ==
        "unknown serial format: 'hex:5333ff' is not a serial (not UTF-8 text): a serial is 1 to "
        "256 bytes of printable text without leading or trailing spaces, as viscode batch "
        "issues them");
}

TEST_CASE("batch messages: a 10 MB serial is quoted by a short prefix and its size", "[batch]") {
  const std::string huge(10 * 1024 * 1024, 'A');
  CHECK(detail::quoted(huge) == "'" + std::string(40, 'A') + "...' (10485760 bytes)");
  CHECK(detail::quoted("SN-1") == "'SN-1'");
  // Cut between characters, never inside one: 50 two-byte 'é's keep 40 whole ones.
  std::string accents;
  for (int i = 0; i < 50; ++i) accents += "\xc3\xa9";
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "\xc3\xa9";
  CHECK(detail::quoted(accents) == "'" + forty + "...' (100 bytes)");
  // Bytes that are not text, in hex: the first 20.
  std::string hex;
  for (int i = 0; i < 20; ++i) hex += "01";
  CHECK(detail::quoted(std::string(30, '\x01')) == "'hex:" + hex + "...' (30 bytes)");
  // A line under the 64 KiB line cap is quoted by its prefix; a longer one stops at the cap.
  const std::string long_serial(60000, 'A');
  const TempFile f("S1\n" + long_serial + "\n", "long.txt");
  const std::string m = message_of(
      [&] {
        detail::open_serials(SerialFile{f.path, ""});
      },
      ErrorCategory::input);
  CHECK(m == "line 2 of '" + f.path.string() + "': unknown serial format: '" +
                 std::string(40, 'A') +
                 "...' is not a serial (60000 bytes, over 256): a serial is 1 to 256 bytes "
                 "of printable text without leading or trailing spaces, as viscode batch issues "
                 "them; fix the file");
  const TempFile h("S1\n" + huge + "\n", "huge.txt");
  CHECK(message_of(
            [&] {
              detail::open_serials(SerialFile{h.path, ""});
            },
            ErrorCategory::input) == "line 2 of '" + h.path.string() +
                                         "' is over 64 KiB: a serials file has one serial (or "
                                         "CSV row) a line");
}

TEST_CASE("batch manifest: serials and payloads that start like a formula are guarded", "[batch]") {
  // Exact bytes: what a spreadsheet opens. = + - @ TAB CR start a formula (OWASP); an
  // apostrophe before one of them, or before another apostrophe, is guarded too, so that
  // reading back is exact.
  const std::vector<std::pair<std::string, std::string>> cases = {{"=1+1", "\"'=1+1\""},
                                                                  {"-123", "\"'-123\""},
                                                                  {"+5", "\"'+5\""},
                                                                  {"@SUM(A1)", "\"'@SUM(A1)\""},
                                                                  {"\tX", "\"'\tX\""},
                                                                  {"\rX", "\"'\rX\""},
                                                                  {"'=x", "\"''=x\""},
                                                                  {"''", "\"'''\""},
                                                                  {"'a", "'a"},
                                                                  {"'", "'"},
                                                                  {"a=b", "a=b"},
                                                                  {"=a,b", "\"'=a,b\""},
                                                                  {"=\"q\"", "\"'=\"\"q\"\"\""},
                                                                  {"", ""}};
  for (const auto& [field, written] : cases) {
    INFO(field);
    std::string line;
    detail::append_csv_text_field(line, field);
    CHECK(line == written);
    line += ",x";
    const detail::CsvLine back = detail::parse_csv_record(line);
    REQUIRE(back.fields.size() == 2);
    CHECK(detail::csv_text_field(back, 0) == field);
  }
  detail::ManifestRow a{1, "=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")", "000001.png", 0,
                        0, std::string(64, 'a')};
  detail::ManifestRow b{2, "-42", "https://x/-42", "000002.png", 0, 0, std::string(64, 'b')};
  std::string text(detail::kManifestHeader);
  text += '\n';
  detail::append_row(text, a);
  detail::append_row(text, b);
  CHECK(text == std::string(detail::kManifestHeader) +
                    "\n1,\"'=HYPERLINK(\"\"x\"\")\",\"'=HYPERLINK(\"\"x\"\")\",000001.png,,," +
                    std::string(64, 'a') + "\n2,\"'-42\",https://x/-42,000002.png,,," +
                    std::string(64, 'b') + "\n");
  const TempFile f(text, "manifest.csv");
  detail::ManifestReader r(f.path);
  detail::ManifestRow row;
  REQUIRE(r.next(row));
  CHECK(row.serial == a.serial);
  CHECK(row.payload == a.payload);
  REQUIRE(r.next(row));
  CHECK(row.serial == "-42");
  CHECK(row.payload == "https://x/-42");
  // A manifest written before the guard existed reads as it was.
  const TempFile old(std::string(detail::kManifestHeader) + "\n1,=1+1,=1+1,000001.png,,," +
                         std::string(64, 'c') + "\n",
                     "old-manifest.csv");
  detail::ManifestReader r2(old.path);
  REQUIRE(r2.next(row));
  CHECK(row.serial == "=1+1");
}

TEST_CASE("batch manifest: a quoted field open at the end of a row names the line", "[batch]") {
  const TempFile f(std::string(detail::kManifestHeader) + "\n1,\"AB\nCD\",x,000001.png,,," +
                       std::string(64, 'c') + "\n",
                   "open-manifest.csv");
  detail::ManifestReader r(f.path);
  detail::ManifestRow row;
  CHECK(message_of([&] { r.next(row); }, ErrorCategory::input) ==
        "manifest '" + f.path.string() +
            "' line 2 has a quoted field that is not closed on its line");
}
