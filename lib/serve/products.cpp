#include "serve/products.hpp"

#include <sodium.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "csv.hpp"
#include "file_input.hpp"
#include "serve/page.hpp"
#include "text.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

// Lengths that keep the page small and readable on a phone.
struct Column {
  std::string_view name;
  std::size_t max_bytes;
};
constexpr Column kColumns[] = {{"key", 64},      {"name", 200},           {"description", 1000},
                               {"picture", 500}, {"production_date", 40}, {"url", 500}};

bool clean(std::string_view s, bool allow_newlines) {
  if (!valid_utf8(s)) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0x7f || (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))))
      return false;
  }
  return true;
}

std::string_view picture_type(const std::string& bytes) {
  if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return "image/png";
  if (bytes.size() >= 3 && bytes.compare(0, 3, "\xff\xd8\xff") == 0) return "image/jpeg";
  if (bytes.size() >= 12 && bytes.compare(0, 4, "RIFF") == 0 && bytes.compare(8, 4, "WEBP") == 0)
    return "image/webp";
  return {};
}

}  // namespace

Products Products::load(const std::filesystem::path& file) {
  const std::string shown = file.string();
  const auto fail = [&](std::size_t line, const std::string& why) {
    throw Error(ErrorCategory::input,
                shown + (line ? ":" + std::to_string(line) : std::string()) + ": " + why);
  };
  // A FIFO, a device or a huge file is refused before anything is read.
  const std::string all =
      detail::read_input_file(file, {.what = "products file",
                                     .give = "give the products CSV to ServeOptions.products",
                                     .max_bytes = kMaxFileBytes,
                                     .shrink = "keep one row per product or batch"});

  // Records, each starting at a line: a quoted field may hold line breaks (RFC 4180).
  struct Record {
    std::size_t line;
    std::vector<std::string> fields;
  };
  std::vector<Record> records;
  std::size_t pos = 0, line = 1;
  if (all.starts_with("\xef\xbb\xbf")) pos = 3;  // a spreadsheet's byte order mark
  while (pos < all.size()) {
    const std::size_t start_line = line;
    std::size_t end = pos;
    bool quoted = false;
    while (end < all.size() && (quoted || all[end] != '\n')) {
      if (all[end] == '"') quoted = !quoted;
      if (all[end] == '\n') ++line;
      ++end;
    }
    if (quoted) fail(start_line, "a quoted field is not closed: end it with '\"'");
    const std::string_view text = std::string_view(all).substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (text.empty() || text == "\r") continue;
    records.push_back({start_line, parse_csv_line(text)});
  }
  if (records.empty()) fail(0, "the products file is empty: give a header row, e.g. key,name");

  // The header names the columns.
  std::vector<int> column_of;  // index in kColumns for each field of a row
  std::vector<bool> seen(std::size(kColumns));
  for (const std::string& name : records[0].fields) {
    int found = -1;
    for (std::size_t i = 0; i < std::size(kColumns); ++i) {
      if (kColumns[i].name == name) found = static_cast<int>(i);
    }
    if (found < 0) {
      fail(records[0].line, "unknown column '" + name.substr(0, 40) +
                                "': the header names key, name, description, picture, "
                                "production_date, url");
    }
    if (seen[static_cast<std::size_t>(found)])
      fail(records[0].line, "column '" + name + "' is named twice in the header");
    seen[static_cast<std::size_t>(found)] = true;
    column_of.push_back(found);
  }
  if (!seen[0] || !seen[1])
    fail(records[0].line, "the header must name the columns key and name, e.g. key,name,url");

  Products out;
  const std::filesystem::path folder = file.parent_path();
  for (std::size_t r = 1; r < records.size(); ++r) {
    const Record& rec = records[r];
    if (rec.fields.size() != column_of.size()) {
      fail(rec.line, "has " + std::to_string(rec.fields.size()) + " fields, the header " +
                         std::to_string(column_of.size()) +
                         ": quote a value that holds a comma (\"like, this\")");
    }
    std::string values[std::size(kColumns)];
    for (std::size_t i = 0; i < rec.fields.size(); ++i) {
      const Column& col = kColumns[static_cast<std::size_t>(column_of[i])];
      const std::string& v = rec.fields[i];
      if (v.size() > col.max_bytes) {
        fail(rec.line, std::string(col.name) + " is " + std::to_string(v.size()) +
                           " bytes: shorten it to " + std::to_string(col.max_bytes) + " at most");
      }
      if (!clean(v, col.name == "description")) {
        fail(rec.line, std::string(col.name) +
                           " is not UTF-8 text without control characters: save the file as "
                           "UTF-8 CSV");
      }
      values[column_of[i]] = v;
    }
    const std::string& key = values[0];
    if (key.empty()) fail(rec.line, "the key is empty: give a product id, GTIN or batch name");
    if (values[1].empty()) fail(rec.line, "the name of '" + key + "' is empty: give one");
    if (out.by_key_.contains(key))
      fail(rec.line, "key '" + key + "' is given twice: keep one row per product or batch");
    Product p;
    p.name = values[1];
    p.description = values[2];
    p.production_date = values[4];
    p.url = values[5];
    if (!p.url.empty() && !p.url.starts_with("https://") && !p.url.starts_with("http://")) {
      fail(rec.line, "url '" + p.url.substr(0, 80) +
                         "' is not a web address: give the product's page as https://...");
    }
    if (p.url.find_first_of(" \"'<>\\") != std::string::npos)
      fail(rec.line, "url '" + p.url.substr(0, 80) + "' holds a space, quote or <>: encode them");
    if (!values[3].empty()) {
      const std::filesystem::path picture = folder / values[3];
      std::error_code ec;
      if (!std::filesystem::exists(picture, ec)) {
        fail(rec.line, "cannot read picture '" + picture.string() +
                           "': give a PNG, JPEG or WebP file's path relative to the products "
                           "file");
      }
      std::string bytes;
      try {
        // Over a page's 40 KB anyway; the cap only keeps a device or a huge file unread.
        bytes = detail::read_input_file(
            picture, {.what = "picture",
                      .give = "give a PNG, JPEG or WebP file",
                      .max_bytes = kPageBytes * 16,
                      .shrink = "shrink it, e.g. to 400 pixels wide as JPEG or WebP at "
                                "quality 70"});
      } catch (const Error& e) {
        fail(rec.line, e.what());
      }
      const std::size_t text_bytes =
          2 * html_escape(p.name).size() + html_escape(p.description).size() +
          html_escape(p.production_date).size() + html_escape(p.url).size();
      const std::size_t max_picture = (kPageBytes - kPageOverhead - text_bytes) / 4 * 3;
      if (bytes.size() > max_picture) {
        fail(rec.line, "picture '" + picture.string() + "' is " + std::to_string(bytes.size()) +
                           " bytes; beside this row's text the page (under 40 KB) has room for " +
                           std::to_string(max_picture) +
                           ": shrink it, e.g. to 400 pixels wide as JPEG or WebP at quality 70");
      }
      const std::string_view type = picture_type(bytes);
      if (type.empty()) {
        fail(rec.line, "picture '" + picture.string() +
                           "' is not a PNG, JPEG or WebP file: convert it to one of those");
      }
      std::string b64(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL),
                      '\0');
      sodium_bin2base64(b64.data(), b64.size(),
                        reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                        sodium_base64_VARIANT_ORIGINAL);
      b64.resize(b64.find('\0'));
      p.picture = "data:" + std::string(type) + ";base64," + b64;
    }
    out.by_key_.emplace(key, std::move(p));
  }
  return out;
}

const Product* Products::find(std::string_view product, std::string_view batch) const {
  if (!product.empty()) {
    if (const auto it = by_key_.find(product); it != by_key_.end()) return &it->second;
  }
  if (!batch.empty()) {
    if (const auto it = by_key_.find(batch); it != by_key_.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace viscode::detail
