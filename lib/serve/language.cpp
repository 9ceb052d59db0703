// Looking strings up in the catalogue, and choosing the language from Accept-Language.
#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>

#include "serve/catalogue.hpp"
#include "viscode/enum_names.hpp"

namespace viscode {
template <>
struct EnumNames<detail::Lang> {
  static constexpr std::array<std::pair<detail::Lang, std::string_view>, 3> table{{
      {detail::Lang::en, "en"},
      {detail::Lang::zh_hans, "zh-Hans"},
      {detail::Lang::fr, "fr"},
  }};
};
}  // namespace viscode

namespace viscode::detail {
namespace {

const std::unordered_map<std::string_view, const CatalogueEntry*>& index() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, const CatalogueEntry*>();
    for (const CatalogueEntry& e : catalogue()) (*m)[e.key] = &e;
    return m;
  }();
  return *map;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<Lang> lang_of_tag(std::string_view tag) {
  const std::string t = lower(tag);
  const auto is = [&](std::string_view primary) {
    return t == primary ||
           (t.size() > primary.size() && t.starts_with(primary) && t[primary.size()] == '-');
  };
  if (is("zh")) return Lang::zh_hans;
  if (is("fr")) return Lang::fr;
  if (is("en") || t == "*") return Lang::en;
  return std::nullopt;
}

// RFC 9110 qvalue: "0", "0.", "0.xyz", "1", "1.", "1.000" (up to three decimals). Returns
// thousandths, or nullopt when malformed.
std::optional<int> parse_q(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
  int value = (q[0] - '0') * 1000;
  if (q.size() == 1) return value;
  if (q[1] != '.' || q.size() > 5) return std::nullopt;
  int scale = 100;
  for (const char c : q.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value <= 1000 ? std::optional(value) : std::nullopt;
}

}  // namespace

std::string_view lang_tag(Lang lang) {
  return enum_name(lang);
}

std::string_view text(Lang lang, std::string_view key) {
  const auto found = index().find(key);
  if (found == index().end()) return key;
  return found->second->text[static_cast<std::size_t>(lang)];
}

std::string text(Lang lang, std::string_view key,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  const std::string_view pattern = text(lang, key);
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = pattern.substr(i + 1, close - i - 1);
        const auto v = std::find_if(values.begin(), values.end(),
                                    [&](const auto& p) { return p.first == name; });
        if (v != values.end()) {
          out += v->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

Lang lang_from_accept_language(const char* header) {
  if (header == nullptr) return Lang::en;
  std::string_view rest(header);
  if (rest.size() > 4096) return Lang::en;  // no browser sends that much
  Lang best = Lang::en;
  int best_q = -1;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::string_view tag = trim(item.substr(0, item.find(';')));
    int q = 1000;
    for (std::size_t semi = item.find(';'); semi != std::string_view::npos;) {
      const std::size_t next = item.find(';', semi + 1);
      const std::string_view param = trim(item.substr(semi + 1, next - semi - 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        const auto parsed = parse_q(trim(param.substr(2)));
        q = parsed ? *parsed : -1;  // a malformed q: this item counts for nothing
      }
      semi = next;
    }
    const auto lang = lang_of_tag(tag);
    if (!lang || q <= 0) continue;
    if (q > best_q) {
      best = *lang;
      best_q = q;
    }
  }
  return best;
}

}  // namespace viscode::detail
