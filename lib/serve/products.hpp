// The brand's products file for the verification page (viscode serve --products): what a
// shopper sees about the product beside the verdict. docs/serve.md#products-file.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace viscode::detail {

struct Product {
  std::string name, description, production_date;
  std::string url;      // the brand's page for the product (http:// or https://), or empty
  std::string picture;  // a data: URI (PNG, JPEG or WebP), or empty
};

// The page with its picture must stay under kPageBytes. Everything on it but the product's
// own fields takes at most kPageOverhead (the longest language, the details, the place
// script: a test renders the worst case); the fields take their escaped size, and the
// picture, inlined in base64, a third more than its file. So a picture may take what is
// left: about 27 KB beside a short name and description.
inline constexpr std::size_t kPageBytes = 40 * 1024, kPageOverhead = 4 * 1024;

class Products {
 public:
  Products() = default;
  // Reads a CSV file (RFC 4180, UTF-8, a header row naming the columns): key and name
  // required; description, picture, production_date, url optional; any other column is an
  // error. key: a product id, a GTIN-14 or a batch name, each once. picture: a PNG, JPEG or
  // WebP file, relative to the products file, small enough for the page (kPageBytes). Error(input)
  // naming file:line and the fix.
  static Products load(const std::filesystem::path& file);

  // The entry for the signed product id, else for the batch; null when neither has one.
  const Product* find(std::string_view product, std::string_view batch) const;
  std::size_t size() const { return by_key_.size(); }

 private:
  std::map<std::string, Product, std::less<>> by_key_;
};

}  // namespace viscode::detail
