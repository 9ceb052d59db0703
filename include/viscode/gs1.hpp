// viscode/gs1.hpp — GS1 Digital Link URIs (GS1 Digital Link standard 1.x, URI syntax):
// https://brand.example[/custom/path]/01/{GTIN-14}[/10/{lot}]/21/{serial}[?s={sig}].
// The GTIN's check digit, the serial's and lot's characters (GS1 character set 82, AI 21 and
// AI 10: 1..20 characters) and the path order are checked here once, for batch templates,
// for authenticate() and the ledger, and for serve's route (docs/batch.md#gs1-digital-link).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "viscode/sign.hpp"

namespace viscode {

// AI 21 (serial) and AI 10 (lot) are "X..20": 1 to 20 characters of character set 82.
inline constexpr std::size_t kMaxGs1SerialChars = 20;

// The GS1 mod-10 check digit of `digits` (the GTIN without its last digit): from the right,
// weights 3, 1, 3, ...; the digit that brings the sum to a multiple of 10. -1 when `digits`
// is empty or holds a non-digit.
int gs1_check_digit(std::string_view digits);

// A GTIN-8, -12, -13 or -14 as the 14 digits a Digital Link URI carries (left-padded with
// zeros), when it is all digits, of one of those lengths, with a correct check digit.
std::optional<std::string> gtin14(std::string_view gtin);

// GS1 character set 82: A-Z a-z 0-9 and ! " % & ' ( ) * + , - . / : ; < = > ? _
bool is_cset82(char c);
// 1..20 characters of character set 82 (AI 21 and AI 10).
bool is_gs1_serial(std::string_view serial);

// "" when `value` is a valid AI 21 serial (or AI 10 lot: `what` = "lot"), else why not in one
// phrase, e.g. "serial 'AB~1' has '~', which is not in GS1 character set 82 (A-Z a-z 0-9
// and ! \" % & ' ( ) * + , - . / : ; < = > ? _)".
std::string gs1_value_problem(std::string_view value, std::string_view what = "serial");

// A value as a Digital Link path segment: the characters of set 82 that a URI path cannot
// carry as they are (" % & / < > ?) become %22 %25 %26 %2F %3C %3E %3F (upper-case hex);
// every other character stays. This is the one form batch writes and the ledger stores.
std::string gs1_percent_encode(std::string_view value);

// The fields of a GS1 Digital Link URI (or of its path, from the first '/').
struct Gs1Link {
  std::string base;            // everything before "/01/": "https://brand.example[/custom]" or ""
  std::string gtin;            // 14 digits, check digit correct
  std::string lot;             // AI 10, percent-decoded; empty when the URI has none
  std::string serial;          // AI 21, percent-decoded
  std::string signature;       // the query's s= value as written; empty when there is none
  bool has_signature = false;  // the query has an s= parameter (possibly empty)

  // base + "/01/" + gtin [+ "/10/" + lot] + "/21/" + serial, values encoded as above, and
  // "?s=" + signature when there is one: the exact text batch writes.
  std::string canonical() const;
  // The product's own Digital Link URI: base + "/01/" + gtin [+ "/10/" + lot], without the
  // serial and the signature (the brand's resolver answers it with the product page).
  std::string product_url() const;
};

// Whether `text` looks like a Digital Link URI: its path (after any "scheme://host") has a
// segment "01" followed by a segment of digits. Such text is then parsed strictly.
bool looks_like_gs1_link(std::string_view text);

// Parses a Digital Link URI or path: base, "/01/" and 8, 12, 13 or 14 digits with a correct
// check digit, optionally "/10/" and a lot, "/21/" and a serial, then nothing or a query
// ('?', parameters separated by '&'; s= is the signature, other parameters are ignored).
// nullopt when it is not that; `why` (when given) then says what is wrong in one phrase,
// e.g. "the GTIN's check digit is 3, not 5".
std::optional<Gs1Link> parse_gs1_link(std::string_view text, std::string* why = nullptr);

// The Digital Link URI of `payload` without its serial and signature (Gs1Link::product_url),
// or "" when the payload is not a well-formed Digital Link URI. For a path (what serve sees)
// it is a path: relative to the code's own address, it names the same page.
std::string gs1_product_url(std::string_view payload);

// Signs a GTIN-14, lot (empty: none) and serial, the decoded values: the message is
// "viscode1-gs1\n<gtin14>\n<lot>\n<serial>" (character set 82 has no line break, so the
// fields cannot run into each other, and no "viscode1/..." message of a plain payload can
// read as one). The base32 signature (kSignatureChars) goes into the URI's s= parameter.
// Throws Error(usage) for a GTIN that is not 14 digits with its check digit, or a lot or
// serial that is not 1..20 characters of set 82.
std::string sign_gs1(const SecretKey& key, std::string_view gtin14, std::string_view lot,
                     std::string_view serial);

namespace detail {
// authenticate()'s reading of a Digital Link payload; nullopt when the payload is not one
// (looks_like_gs1_link) or has no s= parameter but carries a "<serial>.<sig>" field, which
// keeps the plain layout's reading.
std::optional<Authentication> authenticate_gs1(std::string_view payload,
                                               std::span<const PublicKey> keys);
}  // namespace detail

}  // namespace viscode
