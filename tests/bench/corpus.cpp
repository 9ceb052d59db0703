// Corpus benchmark: viscode's read_codes against zxing-cpp, WeChat and ZBar on the real
// photographs and scans of ../shared/corpus (or the folder given), per folder: images read
// with the expected text, wrong texts (must stay 0), and the median time per image. Each
// image is read by every reader in turn, best of --runs runs, on one thread, so times are
// comparable; the ours/zxing ratio is the median over the images both read.
//
// Usage: bench_corpus [--runs N] [CORPUS_DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <opencv2/core/utility.hpp>
#include <string>
#include <vector>

#include "corpus_text.hpp"
#include "readers.hpp"
#include "viscode/viscode.hpp"

namespace fs = std::filesystem;
using namespace viscode;

namespace {

constexpr int kReaders = 4;  // ours, then test::all_readers() in its order
const char* const kNames[kReaders] = {"viscode", "zxing-cpp", "WeChat", "ZBar"};

struct Tally {
  int images = 0;
  int read[kReaders] = {};
  int wrong[kReaders] = {};
  std::vector<double> ms[kReaders];
  std::vector<double> ratio;  // ours / zxing where both read
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
  return v[m];
}

std::vector<std::string> texts_of(int reader, const cv::Mat& image) {
  if (reader == 0) {
    std::vector<std::string> texts;
    for (const Decoded& d : read_codes(image)) texts.push_back(d.text);
    return texts;
  }
  return test::read_all(test::all_readers()[static_cast<std::size_t>(reader - 1)], image);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  fs::path corpus = fs::path(VISCODE_SOURCE_DIR) / ".." / "shared" / "corpus";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (!a.empty() && a[0] != '-') {
      corpus = a;
    } else {
      std::fprintf(stderr, "usage: bench_corpus [--runs N] [CORPUS_DIR]\n");
      return 2;
    }
  }
  if (!fs::is_directory(corpus)) {
    std::fprintf(stderr, "bench_corpus: no corpus at %s: give its folder\n", corpus.c_str());
    return 3;
  }
  if (test::all_readers().size() + 1 != kReaders) {
    std::fprintf(stderr, "bench_corpus: expected %d readers\n", kReaders);
    return 1;
  }
  cv::setNumThreads(0);  // one thread per reader call, as in bench_detect

  std::map<std::string, Tally> folders;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (test::is_corpus_image(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    Tally& t = folders[dir.filename().string()];
    for (const fs::path& file : files) {
      const cv::Mat image = read_image(file);
      const std::string want = test::corpus_expected(file);
      ++t.images;
      double ms[kReaders];
      bool ok[kReaders] = {};
      for (int k = 0; k < kReaders; ++k) {
        ms[k] = 1e18;
        std::vector<std::string> texts;
        for (int r = 0; r < runs; ++r) {
          const auto t0 = std::chrono::steady_clock::now();
          texts = texts_of(k, image);
          ms[k] = std::min(ms[k], std::chrono::duration<double, std::milli>(
                                      std::chrono::steady_clock::now() - t0)
                                      .count());
        }
        for (const std::string& text : texts) {
          if (test::corpus_normalised(text) == want) {
            ok[k] = true;
          } else {
            ++t.wrong[k];
            if (k == 0) std::printf("- viscode WRONG on %s\n", file.c_str());
          }
        }
        t.read[k] += ok[k];
        t.ms[k].push_back(ms[k]);
      }
      if (ok[0] && ok[1] && ms[1] > 0) t.ratio.push_back(ms[0] / ms[1]);
    }
  }

  std::printf("# Corpus (%s), best of %d runs per image\n\n", corpus.c_str(), runs);
  std::printf("| folder | images |");
  for (const char* n : kNames) std::printf(" %s |", n);
  for (const char* n : kNames) std::printf(" %s ms |", n);
  std::printf(" ours/zxing |\n|---|---:|");
  for (int k = 0; k < 2 * kReaders + 1; ++k) std::printf("---:|");
  std::printf("\n");
  Tally all;
  for (const auto& [name, t] : folders) {
    std::printf("| %s | %d |", name.c_str(), t.images);
    for (int k = 0; k < kReaders; ++k) std::printf(" %d |", t.read[k]);
    for (int k = 0; k < kReaders; ++k) std::printf(" %.1f |", median(t.ms[k]));
    std::printf(" %.2fx |\n", median(t.ratio));
    all.images += t.images;
    for (int k = 0; k < kReaders; ++k) {
      all.read[k] += t.read[k];
      all.wrong[k] += t.wrong[k];
      all.ms[k].insert(all.ms[k].end(), t.ms[k].begin(), t.ms[k].end());
    }
    all.ratio.insert(all.ratio.end(), t.ratio.begin(), t.ratio.end());
  }
  std::printf("| all | %d |", all.images);
  for (int k = 0; k < kReaders; ++k) std::printf(" %d |", all.read[k]);
  for (int k = 0; k < kReaders; ++k) std::printf(" %.1f |", median(all.ms[k]));
  std::printf(" %.2fx |\n\nWrong texts:", median(all.ratio));
  for (int k = 0; k < kReaders; ++k) std::printf("%s %s %d", k ? "," : "", kNames[k], all.wrong[k]);
  std::printf(".\n");
  return 0;
}
