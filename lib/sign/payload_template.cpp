// Payload templates: "https://v.brand.example/a/{serial}", signed ones
// "https://v.brand.example/a/{serial}.{sig}" (docs/authenticate.md).
#include "viscode/payload_template.hpp"

#include <algorithm>

#include "sign/common.hpp"
#include "viscode/error.hpp"
#include "viscode/gs1.hpp"

namespace viscode {
namespace {

using Field = PayloadTemplate::Field;

}  // namespace

PayloadTemplate::PayloadTemplate(std::string_view text, std::string_view flag)
    : text_(text), flag_(flag) {
  const std::string named = flag_ + " '" + text_ + "'";
  // The manifest holds one row per line; a payload is a URL or a serial, never a document.
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    throw Error(ErrorCategory::usage, flag_ +
                                          " has a line break: give the payload on one line (a "
                                          "URL with {serial})");
  }
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      throw Error(ErrorCategory::usage,
                  named + " has a lone '}' at " + std::to_string(i + 1) + ": write }} for a brace");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const std::size_t end = text.find('}', i);
    const std::string name(text.substr(i, end == std::string_view::npos ? end : end - i + 1));
    Field field;
    if (name == "{serial}") {
      field = Field::serial;
    } else if (name == "{sig}") {
      field = Field::sig;
    } else if (name == "{product}") {
      field = Field::product;
    } else {
      throw Error(ErrorCategory::usage,
                  named + " has the unknown placeholder '" + name +
                      "': use {serial}, {product} or {sig} (and {{ or }} for braces)");
    }
    parts_.push_back(std::move(literal));
    literal.clear();
    fields_.push_back(field);
    i = end;
  }
  parts_.push_back(std::move(literal));
  const auto count = [this](Field f) { return std::count(fields_.begin(), fields_.end(), f); };
  if (count(Field::serial) == 0) {
    throw Error(ErrorCategory::usage, named +
                                          " has no {serial}: every code would carry the same "
                                          "payload; put {serial} where the serial goes");
  }
  if (count(Field::sig) == 0 && count(Field::product) > 0) {
    throw Error(ErrorCategory::usage, named +
                                          " has {product} but no {sig}: the product id is part "
                                          "of a signed payload, e.g. "
                                          "'https://b.example/a/{product}/{serial}.{sig}'");
  }
  if (looks_like_gs1_link(text_)) {
    check_gs1_layout(named);
  } else if (count(Field::sig) > 0) {
    check_signed_layout(named);
  }
}

// The layout docs/authenticate.md specifies, so that a reader finds the fields without
// knowing the template: [{product}/]{serial}.{sig}, delimited on both sides. The two
// separators are fixed: if any of several were accepted, a one-bit change of one into
// another ('.' ^ 1 == '/') would still verify.
void PayloadTemplate::check_signed_layout(const std::string& named) const {
  const auto count = [this](Field f) { return std::count(fields_.begin(), fields_.end(), f); };
  if (count(Field::sig) > 1 || count(Field::serial) > 1 || count(Field::product) > 1) {
    throw Error(ErrorCategory::usage, named +
                                          " repeats a placeholder: a signed payload has one "
                                          "{serial}, one {sig} and at most one {product}");
  }
  const auto at = [this](Field f) {
    return static_cast<std::size_t>(std::find(fields_.begin(), fields_.end(), f) - fields_.begin());
  };
  // parts_[k] is the literal before field k; parts_[k + 1] the one after it.
  const std::size_t serial = at(Field::serial), sig = at(Field::sig);
  if (sig != serial + 1 || parts_[sig] != std::string(1, detail::kSignatureSeparator)) {
    throw Error(ErrorCategory::usage,
                named +
                    " must have {serial}.{sig}: {sig} right after {serial} and a '.' (no other "
                    "character), e.g. 'https://b.example/a/{serial}.{sig}'");
  }
  std::size_t first = serial;
  if (has_product()) {
    const std::size_t product = at(Field::product);
    if (serial != product + 1 || parts_[serial] != std::string(1, detail::kProductSeparator)) {
      throw Error(ErrorCategory::usage,
                  named +
                      " must have {product}/{serial}: {serial} right after {product} and a '/' "
                      "(no other character), e.g. 'https://b.example/a/{product}/{serial}.{sig}'");
    }
    first = product;
  }
  const std::string& before = parts_[first];
  if (!before.empty() && detail::is_field_char(before.back())) {
    throw Error(ErrorCategory::usage,
                named + " has '" + std::string(1, before.back()) + "' right before {" +
                    (first == serial ? "serial" : "product") +
                    "}: a digit or capital letter there would read as part of it; end the "
                    "text before it with a separator such as /");
  }
  const std::string& after = parts_[sig + 1];
  if (!after.empty() && detail::is_field_char(after.front())) {
    throw Error(ErrorCategory::usage,
                named + " has '" + std::string(1, after.front()) +
                    "' right after {sig}: a digit or capital letter there would read as part of "
                    "the signature; end the payload with {sig} or follow it with a separator "
                    "such as /");
  }
}

// GS1 Digital Link: /01/{gtin}[/10/{lot}]/21/{serial}[?s={sig}], the literal parts checked
// by the same parser that reads payloads, so that every payload batch writes reads back.
void PayloadTemplate::check_gs1_layout(const std::string& named) {
  const std::string example = "e.g. 'https://brand.example/01/09506000134352/21/{serial}?s={sig}'";
  const bool sig = is_signed();
  if (std::find(fields_.begin(), fields_.end(), Field::product) != fields_.end()) {
    throw Error(ErrorCategory::usage,
                named +
                    " is a GS1 Digital Link template and has {product}: the GTIN after /01/ "
                    "is the product; remove {product}");
  }
  const bool one_serial =
      fields_.front() == Field::serial &&
      (fields_.size() == 1 || (fields_.size() == 2 && fields_[1] == Field::sig));
  if (parts_.back().find("/10/") != std::string::npos) {
    throw Error(ErrorCategory::usage,
                named +
                    " has its lot (/10/) after the serial (/21/): the GS1 Digital Link path "
                    "order is /01/{gtin}/10/{lot}/21/{serial}; move /10/... before /21/");
  }
  if (!one_serial || !parts_.front().ends_with("/21/") || parts_.back() != "" ||
      (sig && parts_[1] != "?s=")) {
    throw Error(ErrorCategory::usage,
                named + " is a GS1 Digital Link template: it must end in /21/{serial}" +
                    (sig ? "?s={sig}" : "") + " (the serial is AI 21's whole path segment" +
                    (sig ? ", the signature the query's s= parameter" : "") + "), " + example);
  }
  std::string why;
  // A stand-in serial: the literal parts alone decide whether the template is well formed.
  auto link = parse_gs1_link(parts_.front() + "0", &why);
  if (!link) {
    throw Error(ErrorCategory::usage,
                named + " is a GS1 Digital Link template, but " + why + "; " + example);
  }
  link->serial.clear();
  gs1_ = std::move(link);
}

bool PayloadTemplate::is_signed() const {
  return std::find(fields_.begin(), fields_.end(), Field::sig) != fields_.end();
}

bool PayloadTemplate::has_product() const {
  return std::find(fields_.begin(), fields_.end(), Field::product) != fields_.end();
}

std::string PayloadTemplate::apply(std::string_view serial) const {
  if (is_signed()) {
    throw Error(ErrorCategory::usage,
                flag_ + " '" + text_ +
                    "' has {sig}: sign with BatchOptions.sign_key KEY (a .key file "
                    "from viscode keygen), or remove {sig}");
  }
  return apply(serial, {}, {});
}

std::string PayloadTemplate::apply(std::string_view serial, std::string_view product,
                                   std::string_view sig) const {
  if (gs1_) {
    Gs1Link link = *gs1_;
    link.serial = std::string(serial);
    link.has_signature = is_signed();
    link.signature = std::string(sig);
    return link.canonical();
  }
  std::string out = parts_.front();
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    out += fields_[i] == Field::serial ? serial : fields_[i] == Field::sig ? sig : product;
    out += parts_[i + 1];
  }
  return out;
}

}  // namespace viscode
