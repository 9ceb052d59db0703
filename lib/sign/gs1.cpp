// GS1 Digital Link URIs: the GTIN check digit, character set 82, the path's fixed order
// /01/{gtin}[/10/{lot}]/21/{serial}, and the signature in the s= query parameter
// (docs/authenticate.md#gs1-digital-link).
#include "viscode/gs1.hpp"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "sign/base32.hpp"
#include "sign/common.hpp"
#include "text.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

constexpr std::string_view kCset82Punctuation = "!\"%&'()*+,-./:;<=>?_";
// Of set 82, what a URI path segment cannot carry as it is: '%' starts an escape, '/' ends
// the segment, '?' starts the query, '&' separates its parameters, and '"' '<' '>' are not
// URI characters at all. The rest of set 82 is unreserved or a sub-delimiter (RFC 3986).
constexpr std::string_view kMustEncode = "\"%&/<>?";
constexpr std::string_view kCharsetWords =
    "GS1 character set 82 (A-Z a-z 0-9 and ! \" % & ' ( ) * + , - . / : ; < = > ? _)";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Where the path starts: after "scheme://authority", or at 0 for a path.
std::size_t path_start(std::string_view text) {
  const std::size_t scheme = text.find("://");
  const std::size_t query = text.find_first_of("?#");
  if (scheme == std::string_view::npos || (query != std::string_view::npos && query < scheme)) {
    return 0;
  }
  const std::size_t slash = text.find('/', scheme + 3);
  return slash == std::string_view::npos ? text.size() : slash;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = s.find(sep, begin);
    out.push_back(s.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return out;
    begin = end + 1;
  }
}

// The offset in `text` of the "/01/" whose next segment is all digits; npos when none.
std::size_t gtin_segment(std::string_view text) {
  const std::size_t begin = path_start(text);
  std::size_t end = text.find_first_of("?#", begin);
  if (end == std::string_view::npos) end = text.size();
  const std::string_view path = text.substr(begin, end - begin);
  for (std::size_t at = path.find("/01/"); at != std::string_view::npos;
       at = path.find("/01/", at + 1)) {
    std::size_t stop = path.find('/', at + 4);
    if (stop == std::string_view::npos) stop = path.size();
    if (all_digits(path.substr(at + 4, stop - at - 4))) return begin + at;
  }
  return std::string_view::npos;
}

std::string message(std::string_view gtin, std::string_view lot, std::string_view serial) {
  std::string m = "viscode1-gs1\n";
  m += gtin;
  m += '\n';
  m += lot;
  m += '\n';
  m += serial;
  return m;
}

}  // namespace

int gs1_check_digit(std::string_view digits) {
  if (!all_digits(digits)) return -1;
  int sum = 0, weight = 3;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = 4 - weight;
  }
  return (10 - sum % 10) % 10;
}

std::optional<std::string> gtin14(std::string_view gtin) {
  const std::size_t n = gtin.size();
  if (!all_digits(gtin) || (n != 8 && n != 12 && n != 13 && n != 14)) return std::nullopt;
  if (gs1_check_digit(gtin.substr(0, n - 1)) != gtin.back() - '0') return std::nullopt;
  return std::string(14 - n, '0') + std::string(gtin);
}

bool is_cset82(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c != '\0' && kCset82Punctuation.find(c) != std::string_view::npos);
}

bool is_gs1_serial(std::string_view serial) {
  return !serial.empty() && serial.size() <= kMaxGs1SerialChars &&
         std::all_of(serial.begin(), serial.end(), is_cset82);
}

std::string gs1_value_problem(std::string_view value, std::string_view what) {
  const std::string named = std::string(what) + " '" + detail::quoted_prefix(value) + "'";
  if (value.empty())
    return std::string(what) + " is empty: AI " + (what == "lot" ? "10" : "21") +
           " needs 1 to 20 characters";
  for (const char c : value) {
    if (is_cset82(c)) continue;
    const auto u = static_cast<unsigned char>(c);
    std::string shown;
    if (u > ' ' && u < 0x7f) {
      shown.append(1, '\'').append(1, c).append(1, '\'');
    } else {
      shown = c == ' ' ? "a space" : "byte " + std::to_string(u);
    }
    return named + " has " + shown + ", which is not in " + std::string(kCharsetWords);
  }
  if (value.size() > kMaxGs1SerialChars) {
    return named + " has " + std::to_string(value.size()) + " characters: AI " +
           (what == "lot" ? "10" : "21") + " allows 1 to 20";
  }
  return {};
}

std::string gs1_percent_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (kMustEncode.find(c) == std::string_view::npos) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string Gs1Link::product_url() const {
  std::string out = base + "/01/" + gtin;
  if (!lot.empty()) out += "/10/" + gs1_percent_encode(lot);
  return out;
}

std::string Gs1Link::canonical() const {
  std::string out = product_url() + "/21/" + gs1_percent_encode(serial);
  if (has_signature) out += "?s=" + signature;
  return out;
}

bool looks_like_gs1_link(std::string_view text) {
  return gtin_segment(text) != std::string_view::npos;
}

std::optional<Gs1Link> parse_gs1_link(std::string_view text, std::string* why) {
  const auto fail = [why](std::string reason) -> std::optional<Gs1Link> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  const std::size_t at = gtin_segment(text);
  if (at == std::string_view::npos) {
    return fail("it has no /01/ followed by a GTIN");
  }
  std::size_t end = text.find_first_of("?#", at);
  if (end == std::string_view::npos) end = text.size();
  Gs1Link link;
  link.base = std::string(text.substr(0, at));
  // "/01/G[/10/L]/21/S" -> "", "01", G, ...
  const std::vector<std::string_view> seg = split(text.substr(at, end - at), '/');
  const std::string_view gtin = seg[2];
  const std::size_t n = gtin.size();
  if (n != 8 && n != 12 && n != 13 && n != 14) {
    return fail("the GTIN " + std::string(gtin) + " has " + std::to_string(n) +
                " digits: a GTIN has 8, 12, 13 or 14");
  }
  const int check = gs1_check_digit(gtin.substr(0, n - 1));
  if (check != gtin.back() - '0') {
    return fail("the GTIN " + std::string(gtin) + " has the wrong check digit: its last digit " +
                "should be " + std::to_string(check) + " (" + std::string(gtin.substr(0, n - 1)) +
                std::to_string(check) + "), not " + std::string(1, gtin.back()));
  }
  link.gtin = *gtin14(gtin);

  const auto value = [&](std::size_t i, std::string_view what,
                         std::string& out) -> std::optional<std::string> {
    if (i >= seg.size())
      return "there is no " + std::string(what) + " after /" + std::string(seg[i - 1]) + "/";
    const auto decoded = percent_decode(seg[i]);
    if (!decoded) {
      return std::string(what) + " '" + detail::quoted_prefix(seg[i]) +
             "' has a '%' that is not followed by two hex digits";
    }
    std::string problem = gs1_value_problem(*decoded, what);
    if (!problem.empty()) return problem;
    out = *decoded;
    return std::nullopt;
  };
  std::size_t i = 3;
  if (i < seg.size() && seg[i] == "22") {
    return fail(
        "it has /22/ (consumer product variant), which viscode does not use: "
        "give /01/{gtin}[/10/{lot}]/21/{serial}");
  }
  if (i < seg.size() && seg[i] == "10") {
    if (auto problem = value(i + 1, "lot", link.lot)) return fail(*problem);
    i += 2;
  }
  if (i >= seg.size()) {
    return fail("it has no /21/{serial} after the GTIN" +
                std::string(link.lot.empty() ? "" : " and lot"));
  }
  if (seg[i] != "21") {
    return fail("it has /" + std::string(seg[i].substr(0, 20)) + "/ where /" +
                (link.lot.empty() ? "10/ or /21/" : std::string("21/")) +
                " belongs: the GS1 Digital Link path order is /01/{gtin}/10/{lot}/21/{serial}");
  }
  if (auto problem = value(i + 1, "serial", link.serial)) return fail(*problem);
  i += 2;
  if (i < seg.size()) {
    return fail(i + 1 < seg.size() && seg[i] == "10"
                    ? "its lot (/10/) comes after the serial (/21/): the GS1 Digital Link path "
                      "order is /01/{gtin}/10/{lot}/21/{serial}"
                    : "it has more path after the serial: end the path with /21/{serial}");
  }
  if (end < text.size() && text[end] == '?') {
    std::size_t stop = text.find('#', end);
    if (stop == std::string_view::npos) stop = text.size();
    for (const std::string_view param : split(text.substr(end + 1, stop - end - 1), '&')) {
      if (param.starts_with("s=")) {
        link.has_signature = true;
        link.signature = std::string(param.substr(2));
      }
    }
  }
  return link;
}

std::string gs1_product_url(std::string_view payload) {
  const auto link = parse_gs1_link(payload);
  return link ? link->product_url() : std::string();
}

std::string sign_gs1(const SecretKey& key, std::string_view gtin, std::string_view lot,
                     std::string_view serial) {
  if (gtin.size() != 14 || !gtin14(gtin)) {
    throw Error(ErrorCategory::usage, "GTIN '" + std::string(gtin) +
                                          "' cannot be signed: give 14 digits with a correct "
                                          "GS1 check digit");
  }
  for (const auto& [v, what] : {std::pair{lot, "lot"}, std::pair{serial, "serial"}}) {
    if (v.empty() && std::string_view(what) == "lot") continue;
    const std::string problem = gs1_value_problem(v, what);
    if (!problem.empty()) throw Error(ErrorCategory::usage, problem);
  }
  detail::ensure_sodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, key.seed.data());
  std::uint8_t sig[crypto_sign_BYTES];
  const std::string m = message(gtin, lot, serial);
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(m.data()), m.size(),
                       sk);
  sodium_memzero(sk, sizeof sk);
  return detail::base32_encode(sig);
}

namespace detail {

std::optional<Authentication> authenticate_gs1(std::string_view payload,
                                               std::span<const PublicKey> keys) {
  if (!looks_like_gs1_link(payload)) return std::nullopt;
  std::string why;
  const std::optional<Gs1Link> link = parse_gs1_link(payload, &why);
  bool has_signature = link && link->has_signature;
  if (!link) {
    // Malformed, but is it signed? The s= parameter decides, as for a well-formed link.
    const std::size_t q = payload.find('?');
    if (q != std::string_view::npos) {
      const std::size_t hash = payload.find('#', q);
      for (const std::string_view param : split(
               payload.substr(q + 1, hash == std::string_view::npos ? hash : hash - q - 1), '&')) {
        if (param.starts_with("s=")) has_signature = true;
      }
    }
  }
  Authentication result;
  if (!has_signature) {
    // Unsigned, unless the plain layout finds a "<serial>.<sig>" in it (a plain signed
    // template may have /01/<digits>/ in its own path).
    if (find_signed_fields(payload)) return std::nullopt;
    return result;
  }
  // A signature, on a link that breaks the rules (a wrong check digit, a serial outside set
  // 82): batch never writes one, so the brand did not make it.
  result.verdict = Authenticity::forged;
  if (!link) return result;
  result.serial = link->serial;
  const auto sig = base32_decode(link->signature);
  if (link->signature.size() != kSignatureChars || !sig || sig->size() != crypto_sign_BYTES) {
    return result;
  }
  try {
    ensure_sodium();
  } catch (const Error&) {
    return result;
  }
  const std::string m = message(link->gtin, link->lot, link->serial);
  for (const PublicKey& key : keys) {
    if (crypto_sign_verify_detached(sig->data(), reinterpret_cast<const unsigned char*>(m.data()),
                                    m.size(), key.bytes.data()) == 0) {
      result.verdict = Authenticity::genuine;
      result.product = link->gtin;
      result.lot = link->lot;
      result.product_url = link->product_url();
      result.key_id = key.id();
      return result;
    }
  }
  return result;
}

}  // namespace detail
}  // namespace viscode
