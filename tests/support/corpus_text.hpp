// The expected texts of ../shared/corpus, compared as its README says: CRLF to LF, trailing
// white space trimmed. Shared by the corpus tests and the corpus benchmark.
#pragma once

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace viscode::test {

inline std::string corpus_normalised(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    out += s[i];
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

// The text an image should read as: the .txt beside it.
inline std::string corpus_expected(const std::filesystem::path& image) {
  std::filesystem::path txt = image;
  txt.replace_extension(".txt");
  std::ifstream in(txt, std::ios::binary);
  return corpus_normalised(
      std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

inline bool is_corpus_image(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  return ext == ".webp" || ext == ".png" || ext == ".jpg";
}

}  // namespace viscode::test
