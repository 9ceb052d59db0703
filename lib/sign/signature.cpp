// Signing serials and checking signed payloads (docs/authenticate.md is the format).
#include <sodium.h>

#include <algorithm>
#include <mutex>

#include "sign/base32.hpp"
#include "sign/common.hpp"
#include "text.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"
#include "viscode/gs1.hpp"
#include "viscode/sign.hpp"

namespace viscode {
namespace detail {

void ensure_sodium() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) throw Error(ErrorCategory::internal, "libsodium could not be initialised");
}

std::string unsignable_serial_message(std::string_view serial) {
  return "unknown serial format: '" + quoted_prefix(serial) +
         "' cannot be signed; a signed serial is 4 to 40 characters of 0-9 and A-Z (upper "
         "case)";
}

void throw_unsignable_serial(std::string_view serial) {
  throw Error(ErrorCategory::usage, unsignable_serial_message(serial));
}

void throw_bad_product(std::string_view product) {
  throw Error(ErrorCategory::usage,
              "unknown serial format: product id '" + std::string(product) +
                  "' cannot be signed; a product id is 1 to 20 characters of 0-9 and A-Z "
                  "(upper case)");
}

}  // namespace detail

namespace {

bool all_field_chars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), detail::is_field_char);
}

std::string message(std::string_view product, std::string_view serial) {
  std::string m = "viscode1/";
  m += product;
  m += '/';
  m += serial;
  return m;
}

bool verifies(const std::uint8_t* sig, const PublicKey& key, std::string_view product,
              std::string_view serial) {
  const std::string m = message(product, serial);
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(m.data()),
                                     m.size(), key.bytes.data()) == 0;
}

// The maximal [0-9A-Z] run that ends just before `end`: its start.
std::size_t run_start(std::string_view s, std::size_t end) {
  std::size_t b = end;
  while (b > 0 && detail::is_field_char(s[b - 1])) --b;
  return b;
}

}  // namespace

bool is_signable_serial(std::string_view serial) {
  return serial.size() >= kMinSerialChars && serial.size() <= kMaxSerialChars &&
         all_field_chars(serial);
}

bool is_product_id(std::string_view product) {
  return !product.empty() && product.size() <= kMaxProductChars && all_field_chars(product);
}

std::string sign_serial(const SecretKey& key, std::string_view serial, std::string_view product) {
  if (!is_signable_serial(serial)) detail::throw_unsignable_serial(serial);
  if (!product.empty() && !is_product_id(product)) detail::throw_bad_product(product);
  detail::ensure_sodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, key.seed.data());
  std::uint8_t sig[crypto_sign_BYTES];
  const std::string m = message(product, serial);
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(m.data()), m.size(),
                       sk);
  sodium_memzero(sk, sizeof sk);
  return detail::base32_encode(sig);
}

std::optional<SignedFields> find_signed_fields(std::string_view payload) {
  // From the end: the signature is the payload's last field, and a URL's path is where a
  // template puts it; scanning backwards finds it first whatever the prefix holds.
  std::size_t end = payload.size();
  while (end > 0) {
    if (!detail::is_field_char(payload[end - 1])) {
      --end;
      continue;
    }
    const std::size_t begin = run_start(payload, end);
    const std::string_view run = payload.substr(begin, end - begin);
    end = begin;
    if (run.size() != kSignatureChars ||
        !std::all_of(run.begin(), run.end(), detail::is_base32_char)) {
      continue;
    }
    // Exactly "<serial>.<signature>": a run after any other character is not a signature.
    if (begin < 2 || payload[begin - 1] != detail::kSignatureSeparator) continue;
    const std::size_t serial_begin = run_start(payload, begin - 1);
    const std::string_view serial = payload.substr(serial_begin, begin - 1 - serial_begin);
    if (serial.size() < kMinSerialChars || serial.size() > kMaxSerialChars) continue;
    SignedFields f{std::string(serial), {}, std::string(run)};
    // And "<product>/<serial>": after any other character there is no product candidate,
    // so the payload checks only without a product.
    if (serial_begin >= 2 && payload[serial_begin - 1] == detail::kProductSeparator) {
      const std::size_t product_begin = run_start(payload, serial_begin - 1);
      const std::size_t n = serial_begin - 1 - product_begin;
      if (n >= 1 && n <= kMaxProductChars) {
        f.product_candidate = std::string(payload.substr(product_begin, n));
      }
    }
    return f;
  }
  return std::nullopt;
}

std::string_view to_string(Authenticity a) {
  return enum_name(a);
}

Authentication authenticate(std::string_view payload, std::span<const PublicKey> keys) {
  if (auto gs1 = detail::authenticate_gs1(payload, keys)) return std::move(*gs1);
  Authentication result;
  const std::optional<SignedFields> fields = find_signed_fields(payload);
  if (!fields) return result;
  result.verdict = Authenticity::forged;
  result.serial = fields->serial;
  const auto sig = detail::base32_decode(fields->signature);
  if (!sig || sig->size() != crypto_sign_BYTES) return result;
  try {
    detail::ensure_sodium();
  } catch (const Error&) {
    return result;  // cannot check, so it cannot be called genuine
  }
  for (const PublicKey& key : keys) {
    // Without a product first: a candidate is only a run before the serial, often a path
    // segment of the URL, not a product id.
    if (verifies(sig->data(), key, {}, fields->serial)) {
      result.verdict = Authenticity::genuine;
    } else if (!fields->product_candidate.empty() &&
               verifies(sig->data(), key, fields->product_candidate, fields->serial)) {
      result.verdict = Authenticity::genuine;
      result.product = fields->product_candidate;
    }
    if (result.verdict == Authenticity::genuine) {
      result.key_id = key.id();
      return result;
    }
  }
  return result;
}

}  // namespace viscode
