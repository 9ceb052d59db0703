// One QR version for a whole batch run, from the longest payload any serial can make: the
// run prints at one module size, and capacity is checked before any work.
#include "batch/pin_version.hpp"

#include <algorithm>
#include <optional>

#include "text.hpp"
#include "viscode/error.hpp"
#include "viscode/gs1.hpp"
#include "viscode/sign.hpp"

namespace viscode::detail {
namespace {

struct Context {
  const BatchOptions& o;
  const PayloadTemplate& tpl;
  const SerialStream& serials;
};

// Serials of `length` characters that need the most bits in a signed payload, in
// libqrencode's segmentation. Letters only is the worst case when the character before the
// serial is alphanumeric, but not always otherwise: after a character in byte mode (the '='
// of "?s={serial}.{sig}"), a short run of leading digits stays in byte mode, 8 bits each
// instead of 5.5 (measured: 1-3 digits cost a version at some lengths), and a digit run in
// numeric mode pays a segment header. So: letters only, digits only, and 1..8 digits at the
// start or the end (more than 8 go to numeric mode, which is cheaper). The test "signed
// batch: leading digits after a byte-mode '=' fit the pinned version" checks digit runs at
// every position against the version these give.
std::vector<std::string> worst_case_serials(std::size_t length) {
  std::vector<std::string> out{std::string(length, 'Z'), std::string(length, '9')};
  for (std::size_t k = 1; k <= std::min<std::size_t>(length, 8); ++k) {
    out.push_back(std::string(k, '9') + std::string(length - k, 'Z'));
    out.push_back(std::string(length - k, 'Z') + std::string(k, '9'));
  }
  return out;
}

PinnedDesign pinned(const Design& in, EncodeOptions e, const Symbol& probe, const Context& c) {
  e.min_version = std::max(e.min_version, probe.version);
  const OutputInfo info = plan_output(probe, in.render_options(), c.o.print, *c.o.format);
  std::optional<Logo> logo;
  if (in.logo() != nullptr) logo = *in.logo();
  return PinnedDesign{Design(std::move(logo), e, in.render_options()), probe.version, info};
}

Symbol probe_signed(const std::string& serial, const std::string& sig, const EncodeOptions& e,
                    const Context& c) {
  const std::string payload = c.tpl.apply(serial, c.o.product, sig);
  try {
    return encode(payload, e);
  } catch (const Error& err) {
    if (err.category() != ErrorCategory::encode) throw;
    const std::string where = c.serials.longest_where();
    throw Error(ErrorCategory::encode,
                "the longest signed payload, '" + c.tpl.apply(serial, c.o.product, "<sig>") +
                    "' with its " + std::to_string(kSignatureChars) + "-character signature (" +
                    std::to_string(payload.size()) + " bytes" +
                    (where.empty() ? std::string() : ", serial from " + where) +
                    "), does not fit: " + err.what());
  }
}

PinnedDesign unsigned_version_design(const Design& in, const Context& c) {
  const std::string longest = c.tpl.apply(c.serials.longest());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(longest.data());
  EncodeOptions e = in.encode_options();
  Symbol probe;
  try {
    probe = encode_bytes(std::span(bytes, longest.size()), e);
    e.max_version = probe.version;
  } catch (const Error& err) {
    if (err.category() != ErrorCategory::encode) throw;
    try {
      probe = encode(longest, e);
    } catch (const Error& narrow) {
      if (narrow.category() != ErrorCategory::encode) throw;
      const std::string where = c.serials.longest_where();
      throw Error(ErrorCategory::encode,
                  "the longest payload, '" + detail::quoted_prefix(longest, 80) + "' (" +
                      std::to_string(longest.size()) + " bytes" +
                      (where.empty() ? std::string() : ", serial from " + where) +
                      "), does not fit: " + narrow.what());
    }
  }
  return pinned(in, e, probe, c);
}

PinnedDesign signed_version_design(const Design& in, const Context& c) {
  std::vector<std::string> serials = worst_case_serials(c.serials.longest().size());
  // A GS1 serial may need byte mode and percent-encoding: the longest as it is, too.
  // Lower case forces byte mode, each byte the widest a character can cost.
  // (Random serials of 0-9 A-Z alone never need it.)
  const auto* random = std::get_if<RandomSerials>(&c.o.serials);
  const bool field_chars_only =
      random != nullptr &&
      std::all_of(random->alphabet.begin(), random->alphabet.end(),
                  [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z'); });
  if (c.tpl.gs1() && !field_chars_only) {
    serials.push_back(c.serials.longest());
    const std::size_t encoded = gs1_percent_encode(c.serials.longest()).size();
    serials.push_back(std::string(encoded, 'z'));
  }
  const std::string sig(kSignatureChars, 'A');
  EncodeOptions e = in.encode_options();
  // libqrencode splits a payload into segments for the version it starts from (the count
  // fields grow at versions 10 and 27), and the run encodes every payload starting from
  // the pinned version: so each serial is probed there, and all again from any larger
  // version one of them needs.
  int version = e.min_version;
  for (;;) {
    EncodeOptions at = e;
    at.min_version = version;
    std::optional<Symbol> probe;
    for (const std::string& serial : serials) {
      Symbol s = probe_signed(serial, sig, at, c);
      if (s.version > version) {
        version = s.version;
        probe.reset();
        break;
      }
      if (!probe) probe = std::move(s);
    }
    if (probe) {
      e.max_version = version;
      return pinned(in, e, *probe, c);
    }
  }
}

}  // namespace

PinnedDesign pin_version(const Design& in, const BatchOptions& o, const PayloadTemplate& tpl,
                         const SerialStream& serials) {
  const Context c{o, tpl, serials};
  return o.sign_key ? signed_version_design(in, c) : unsigned_version_design(in, c);
}

}  // namespace viscode::detail
