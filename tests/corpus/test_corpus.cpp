// Real photographs and scans (../shared/corpus, zxing-cpp's blackbox samples): viscode's
// detector must read at least as many per folder as it did when this test was written.
// Raise a minimum when the detector improves; never lower one.
#include <catch2/catch.hpp>
#include <filesystem>

#include "corpus_text.hpp"
#include "viscode/detect.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(VISCODE_SOURCE_DIR) / ".." / "shared" / "corpus";

void check_folder(const std::string& folder, int minimum, int images_expected) {
  const fs::path dir = kCorpus / folder;
  if (!fs::is_directory(dir)) {
    WARN("corpus folder " << dir.string() << " is absent: skipped");
    return;
  }
  int images = 0, read = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!viscode::test::is_corpus_image(entry.path())) continue;
    ++images;
    const std::string want = viscode::test::corpus_expected(entry.path());
    bool ok = false;
    for (const viscode::Decoded& d : viscode::read_codes(viscode::read_image(entry.path()))) {
      const std::string got = viscode::test::corpus_normalised(d.text);
      // A wrong payload is never acceptable, read or not.
      INFO(entry.path().string());
      CHECK(got == want);
      ok = ok || got == want;
    }
    read += ok;
  }
  WARN(folder << ": read " << read << " of " << images << " (minimum " << minimum << ")");
  CHECK(images == images_expected);
  CHECK(read >= minimum);
}

}  // namespace

// Minimums measured on 2026-11-23, qrcode-5 raised on 2026-12-05 (its four version 40
// symbols at 1 px a module); zxing-cpp's own runner reads all of them.
TEST_CASE("corpus qrcode-1", "[corpus]") {
  check_folder("qrcode-1", 8, 8);
}
TEST_CASE("corpus qrcode-3", "[corpus]") {
  check_folder("qrcode-3", 18, 18);
}
TEST_CASE("corpus qrcode-5", "[corpus]") {
  check_folder("qrcode-5", 16, 16);
}
TEST_CASE("corpus qrcode-6", "[corpus]") {
  check_folder("qrcode-6", 15, 15);
}
