// Exactness at the command line: a binary payload comes back byte for byte (decode --json,
// verify --expect-file), and options and paths that are not what they claim to be are
// refused with what they are.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "cli_harness.hpp"

using namespace viscode::cli_test;

namespace {

struct Binary {
  std::string name;
  std::string bytes;
  std::string base64;  // worked out apart from viscode (Python's base64 module)
};

std::string all_byte_values() {
  std::string s;
  for (int b = 0; b < 256; ++b) s += static_cast<char>(b);
  return s;
}

const std::vector<Binary>& binaries() {
  static const std::vector<Binary> cases = {
      {"all 256 byte values", all_byte_values(),
       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BB"
       "QkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKD"
       "hIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TF"
       "xsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="},
      // Invalid UTF-8: stray bytes, a cut sequence, a surrogate, an overlong form, a 5-byte
      // lead, a lone continuation byte at the end.
      {"invalid UTF-8",
       std::string("abc\xff\xfe \xc3( \xe2\x82 \xed\xa0\x80 \xc0\xaf \xf8\x88\x80\x80\x80 z\x80"),
       "YWJj//4gwygg4oIg7aCAIMCvIPiIgICAIHqA"},
      {"NULs", std::string("\0serial\0\0 42\0", 13), "AHNlcmlhbAAAIDQyAA=="},
  };
  return cases;
}

// The bytes a --json line gives for its (first) code.
std::string json_base64(const std::string& line) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex(R"re("bytes_base64": "([A-Za-z0-9+/=]*)")re"))) {
    return "(none)";
  }
  return m[1];
}

// What a reader that takes byte segments without an ECI as ISO-8859-1 shows: the text.
std::string latin1_as_utf8(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

std::vector<std::string> quick_verify(const std::filesystem::path& code) {
  return {"verify", code.string(), "--severity", "pristine", "--seeds", "2", "--no-min-size"};
}

void check_usage_error(const CliResult& r, const std::string& err) {
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == err);
}

}  // namespace

TEST_CASE("cli: a binary payload round-trips: encode, decode --json, verify --expect-file",
          "[cli][payload][exact]") {
  for (const Binary& b : binaries()) {
    SECTION(b.name) {
      TempDir t;
      write_bytes(t.in("payload.bin"), b.bytes);
      const auto code = t.out("code.png");
      const CliResult made = run_cli({"encode", "--data-file", t.in("payload.bin").string(),
                                      "--module-px", "8", "-o", code.string()});
      INFO(made.err);
      REQUIRE(made.exit_code == 0);
      check_reads_back_bytes(code, b.bytes);

      const CliResult decoded = run_cli({"decode", "--json", code.string()});
      CHECK(decoded.exit_code == 0);
      CHECK(json_base64(decoded.out) == b.base64);

      auto args = quick_verify(code);
      args.insert(args.end(), {"--expect-file", t.in("payload.bin").string()});
      const CliResult verified = run_cli(args);
      INFO(verified.out << verified.err);
      CHECK(verified.exit_code == 0);
      CHECK(verified.err.empty());
      CHECK(std::regex_search(verified.out, std::regex("\npristine +100% +100% +100% +100% ")));
      args.push_back("--json");
      const CliResult json = run_cli(args);
      CHECK(json.exit_code == 0);
      CHECK(json_base64(json.out) == b.base64);
      CHECK(json.out.find("\"pass\": true}") != std::string::npos);
    }
  }
}

TEST_CASE("cli verify --expect-file: one byte off fails, and says where", "[cli][verify][exact]") {
  TempDir t;
  // (payload, the byte changed, the message's tail)
  struct Off {
    std::string payload;
    std::string expect;
    std::string err;
  };
  const std::string all = binaries()[0].bytes, invalid = binaries()[1].bytes,
                    nuls = binaries()[2].bytes;
  auto changed = [](std::string s, std::size_t i, char to) {
    s[i] = to;
    return s;
  };
  const std::vector<Off> cases = {
      {all, changed(all, 200, '\xc9'),
       "the code's payload (256 bytes) differs from the expected (256 bytes) at byte 201: 0xc8 "
       "where the expected has 0xc9"},
      {all, all.substr(0, 255),
       "the code's payload (256 bytes) differs from the expected (255 bytes) at byte 256: 0xff "
       "where the expected ends"},
      {all, all + std::string(1, '\0'),
       "the code's payload (256 bytes) differs from the expected (257 bytes) at byte 257: the "
       "payload ends where the expected has 0x00"},
      // The text a reader shows for these bytes is not the payload.
      {all, latin1_as_utf8(all),
       "the code's payload (256 bytes) differs from the expected (384 bytes) at byte 129: 0x80 "
       "where the expected has 0xc2"},
      {invalid, changed(invalid, 3, '\xfe'),
       "the code's payload (27 bytes) differs from the expected (27 bytes) at byte 4: 0xff where "
       "the expected has 0xfe"},
      {nuls, changed(nuls, 0, '\x01'),
       "the code's payload (13 bytes) differs from the expected (13 bytes) at byte 1: 0x00 where "
       "the expected has 0x01"},
  };
  int k = 0;
  for (const Off& off : cases) {
    INFO(off.err);
    const auto code = t.out("code" + std::to_string(k) + ".png");
    const auto payload = t.in("payload" + std::to_string(k) + ".bin");
    const auto expect = t.in("expect" + std::to_string(k) + ".bin");
    ++k;
    write_bytes(payload, off.payload);
    write_bytes(expect, off.expect);
    REQUIRE(run_cli({"encode", "--data-file", payload.string(), "--module-px", "8", "-o",
                     code.string()})
                .exit_code == 0);
    check_reads_back_bytes(code, off.payload);
    auto args = quick_verify(code);
    args.insert(args.end(), {"--expect-file", expect.string()});
    const CliResult r = run_cli(args);
    // As for a text that differs: the code does not read as the payload at all (exit 4).
    CHECK(r.exit_code == 4);
    CHECK(r.out.empty());
    CHECK(r.err == "viscode: " + off.err + "\n");
  }
}

TEST_CASE("cli verify --expect compares the text, --expect-file the bytes",
          "[cli][verify][exact]") {
  TempDir t;
  const std::string invalid = binaries()[1].bytes;
  write_bytes(t.in("payload.bin"), invalid);
  const auto code = t.out("code.png");
  REQUIRE(run_cli({"encode", "--data-file", t.in("payload.bin").string(), "--module-px", "8", "-o",
                   code.string()})
              .exit_code == 0);
  check_reads_back_bytes(code, invalid);
  // Byte segments without an ECI that are not UTF-8 read as ISO-8859-1: that is their text.
  auto args = quick_verify(code);
  args.insert(args.end(), {"--expect", latin1_as_utf8(invalid), "--readers", "ours,zxing"});
  const CliResult text = run_cli(args);
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  write_bytes(t.in("text.txt"), latin1_as_utf8(invalid));
  args = quick_verify(code);
  args.insert(args.end(), {"--expect-file", t.in("text.txt").string()});
  const CliResult bytes = run_cli(args);
  CHECK(bytes.exit_code == 4);
  CHECK(bytes.err ==
        "viscode: the code's payload (27 bytes) differs from the expected (43 bytes) at byte 4: "
        "0xff where the expected has 0xc3\n");
}

TEST_CASE("cli encode: a binary payload goes through --ensure and the print size check",
          "[cli][payload][exact]") {
  TempDir t;
  const std::string invalid = binaries()[1].bytes.substr(0, 9);
  write_bytes(t.in("payload.bin"), invalid);
  // Both verify the rendered design against the payload: as its text they used to fail
  // (exit 4, "the code reads as ...").
  const auto ensured = t.out("ensured.png");
  const CliResult e = run_cli({"encode", "--data-file", t.in("payload.bin").string(), "--logo",
                               kBrandPng, "--ensure", "mild", "-o", ensured.string()});
  INFO(e.out << e.err);
  CHECK(e.exit_code == 0);
  CHECK(e.out.rfind("ensure: reads at mild with ", 0) == 0);
  check_reads_back_bytes(ensured, invalid);
  const auto small = t.out("small.png");
  const CliResult s = run_cli({"encode", "--data-file", t.in("payload.bin").string(), "--size",
                               "8mm", "-o", small.string()});
  INFO(s.out << s.err);
  CHECK(s.exit_code == 0);
  CHECK(s.err.rfind("viscode: warning: modules of 0.25 mm are below the ", 0) == 0);
  CHECK(s.err.find("--size") != std::string::npos);
  check_reads_back_bytes(small, invalid);
}

TEST_CASE("cli: --max-megapixels takes a number above 0 and at most 1000", "[cli][decode][exact]") {
  TempDir t;
  const auto code = t.in("code.png");
  REQUIRE(run_cli({"encode", "--data", "https://brand.example/p/1", "--module-px", "8", "-o",
                   code.string()})
              .exit_code == 0);
  check_reads_back(code, "https://brand.example/p/1");
  REQUIRE(run_cli({"keygen", "--out", t.in("brand").string()}).exit_code == 0);
  // nan turned the limit off (every comparison with NaN is false), -1 and 0 refused every
  // image as a file error (exit 3).
  for (const std::string bad : {"nan", "-1", "0", "inf", "1001"}) {
    INFO(bad);
    const std::string err = "viscode: --max-megapixels " + bad +
                            " is out of range: use a number above 0 and at most 1000\n";
    check_usage_error(run_cli({"decode", "--max-megapixels", bad, code.string()}), err);
    check_usage_error(run_cli({"decode", "--json", "--max-megapixels", bad, code.string()}), err);
    check_usage_error(run_cli({"authenticate", "--pub", t.in("brand.pub").string(),
                               "--max-megapixels", bad, code.string()}),
                      err);
  }
  const CliResult ok = run_cli({"decode", "--max-megapixels", "1000", code.string()});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "https://brand.example/p/1\n");
}

TEST_CASE("cli batch: a negative --count is refused, not wrapped", "[cli][batch][exact]") {
  TempDir t;
  for (const std::string count : {"-1", "-0"}) {
    INFO(count);
    check_usage_error(run_cli({"batch", "--count", count, "--template",
                               "https://v.example/a/{serial}", "--out-dir", t.out("run").string()}),
                      "viscode: --count: '" + count +
                          "' is not a count: use a whole number 1..100000000\n"
                          "Run 'viscode batch --help' for the options.\n");
  }
  CHECK(listing(t.out_dir()).empty());
}

TEST_CASE("cli keygen: --out must name the pair, not a folder", "[cli][sign][exact]") {
  TempDir t;
  std::filesystem::create_directories(t.out("keys"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"",
       "viscode: --out is empty: give the key pair a name, e.g. --out brand (writes brand.key "
       "and brand.pub)\n"},
      {"keys/",
       "viscode: --out 'keys/' names a folder, not the key pair: add a name, e.g. --out "
       "keys/brand (writes keys/brand.key and keys/brand.pub)\n"},
      {".",
       "viscode: --out '.' names a folder, not the key pair: add a name, e.g. --out ./brand "
       "(writes ./brand.key and ./brand.pub)\n"},
      {"keys/..",
       "viscode: --out 'keys/..' names a folder, not the key pair: add a name, e.g. "
       "--out keys/../brand (writes keys/../brand.key and keys/../brand.pub)\n"},
  };
  for (const auto& [out, err] : cases) {
    INFO("--out '" << out << "'");
    check_usage_error(run_cli({"keygen", "--out", out}, t.out_dir()), err);
    // Before, "" wrote the hidden files .key and .pub.
    CHECK(listing(t.out_dir()) == std::vector<std::string>{"keys"});
    CHECK(listing(t.out("keys")).empty());
  }
}

TEST_CASE("cli: a file where a folder should be is said to be a file", "[cli][exact]") {
  TempDir t;
  write_bytes(t.out("notes.txt"), "not a folder\n");
  const std::string notes = t.out("notes.txt").string();
  auto check = [&](const CliResult& r, const std::string& err) {
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == err);
    CHECK(listing(t.out_dir()) == std::vector<std::string>{"notes.txt"});
  };
  // Before: "output directory '...' does not exist: create it".
  check(run_cli({"encode", "--data", "x", "-o", notes + "/code.png"}),
        "viscode: '" + notes + "' is a file, not a folder: choose another --output\n");
  check(run_cli({"encode", "--data", "x", "-o", notes + "/sub/code.png"}),
        "viscode: '" + notes + "' is a file, not a folder: choose another --output\n");
  std::filesystem::create_directories(t.in("code.png"));
  check(run_cli({"encode", "--data", "x", "-o", t.in("code.png").string()}),
        "viscode: '" + t.in("code.png").string() +
            "' is a folder, not a file: choose another --output\n");
  check(run_cli({"batch", "--count", "2", "--template", "https://v.example/a/{serial}", "--out-dir",
                 notes}),
        "viscode: --out-dir '" + notes +
            "' is a file, not a folder: choose a new or empty folder for the run\n");
  check(run_cli({"batch", "--count", "2", "--template", "https://v.example/a/{serial}", "--out-dir",
                 notes + "/run"}),
        "viscode: cannot create '" + notes + "/run': '" + notes +
            "' is a file, not a folder; choose another --out-dir\n");
  // Before: "manifest '.../manifest.csv' cannot be read or has no header row".
  check(run_cli({"batch", "--check", "--out-dir", notes}),
        "viscode: --out-dir '" + notes +
            "' is a file, not a folder: give the folder of a batch run\n");
  check(run_cli({"batch", "--check", "--out-dir", t.out("missing").string()}),
        "viscode: --out-dir '" + t.out("missing").string() +
            "' does not exist: give the folder of a batch run\n");
}
