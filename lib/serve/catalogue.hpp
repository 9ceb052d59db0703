// The shopper's languages: every user-visible string of the verification page and of its
// JSON "message", in English, Simplified Chinese and French. The strings themselves live in
// one file, catalogue.cpp, which holds nothing but the table; this header says how they are
// looked up and how a request's Accept-Language picks a language.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace viscode::detail {

enum class Lang { en, zh_hans, fr };
inline constexpr std::size_t kLangCount = 3;
// "en", "zh-Hans", "fr": for <html lang>, Content-Language and the JSON.
std::string_view lang_tag(Lang lang);

// One string in every language, in Lang order. Placeholders are {name}: the same set in
// every language (a unit test checks it).
struct CatalogueEntry {
  const char* key;
  const char* text[kLangCount];
};
// The table (catalogue.cpp).
std::span<const CatalogueEntry> catalogue();

// The string of `key` in `lang`; the key itself when the table has no such key (a test
// makes sure every key used exists).
std::string_view text(Lang lang, std::string_view key);
// text() with each {name} replaced by its value (values are inserted as they are: escape
// the result for HTML, not the values).
std::string text(Lang lang, std::string_view key,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values);

// The language for an Accept-Language header (null: none): the supported language with the
// highest q-value, the header's order breaking ties; q=0 refuses one. Any zh tag
// (zh, zh-CN, zh-Hans, zh-SG, and the Traditional zh-TW, zh-HK, zh-Hant, for which
// Simplified reads better than English) is zh-Hans; fr and fr-* are fr; en, en-* and * are
// en. Nothing supported, or a malformed header: en.
Lang lang_from_accept_language(const char* header);

}  // namespace viscode::detail
