// Payload templates: the text every code of a run carries, with its serial (and, signed,
// its product and signature) filled in. Its own header because batch runs, signing and
// the ledger all read it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viscode/gs1.hpp"

namespace viscode {

// A payload built from a serial: every "{serial}" is replaced; "{{" and "}}" are literal
// braces. Throws Error(usage) for any other placeholder or a template without {serial};
// `flag` names the template in messages ("--template", "--data").
//
// Signed payloads (viscode/sign.hpp, docs/authenticate.md) add "{sig}" and, optionally,
// "{product}", in the fixed layout [{product}/]{serial}.{sig}: exactly '.' between {serial}
// and {sig}, exactly '/' between {product} and {serial}, and no digit or capital letter
// right before the first field or right after {sig}, e.g.
// "https://b.example/a/{product}/{serial}.{sig}". The constructor throws Error(usage) for a
// template with {sig} that breaks that layout, or with {product} but no {sig}.
//
// GS1 Digital Link templates (viscode/gs1.hpp; any template whose path has /01/ and then a
// segment of digits) have their own layout instead:
// "https://brand.example[/path]/01/{GTIN}[/10/{lot}]/21/{serial}", signed with "?s={sig}"
// after {serial} and nothing else after it. The GTIN (8, 12, 13 or 14 digits) must have its
// correct check digit and is written as GTIN-14 in every payload; the lot is 1..20
// characters of set 82; no {product} (the GTIN is the product). The constructor throws
// Error(usage) naming the flag and the fix (for a wrong check digit: the right one). apply()
// percent-encodes the serial (gs1_percent_encode); serials must be is_gs1_serial().
class PayloadTemplate {
 public:
  explicit PayloadTemplate(std::string_view text, std::string_view flag = "--template");
  // The payload of an unsigned template; Error(usage) when the template has {sig}.
  std::string apply(std::string_view serial) const;
  // Every placeholder filled as given (signed_payload() in viscode/sign.hpp signs and fills).
  std::string apply(std::string_view serial, std::string_view product, std::string_view sig) const;
  bool is_signed() const;    // has {sig}
  bool has_product() const;  // has {product}
  // The template's GTIN-14, lot and base for a GS1 Digital Link template (serial, signature
  // empty); nullopt for any other template.
  const std::optional<Gs1Link>& gs1() const { return gs1_; }
  const std::string& text() const { return text_; }
  const std::string& flag() const { return flag_; }
  // The literal text before, between and after the placeholders (one more than them).
  const std::vector<std::string>& literals() const { return parts_; }

  enum class Field { serial, product, sig };

 private:
  void check_signed_layout(const std::string& named) const;
  void check_gs1_layout(const std::string& named);

  std::string text_, flag_;
  std::vector<std::string> parts_;  // literal text around the placeholders (one more)
  std::vector<Field> fields_;       // the placeholders in order
  std::optional<Gs1Link> gs1_;
};

}  // namespace viscode
