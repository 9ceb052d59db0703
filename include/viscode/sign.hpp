// viscode/sign.hpp — signed serials: a brand's Ed25519 key signs each serial it issues, so a
// counterfeiter can copy a code but cannot mint a new valid one. Checking needs only the
// public key and the payload (offline); docs/authenticate.md specifies the format so that a
// brand's own server can check it without viscode.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace viscode {

// An Ed25519 public key (32 bytes). Files: PEM "PUBLIC KEY" (RFC 8410 SubjectPublicKeyInfo),
// so OpenSSL and common crypto libraries read them as they are.
struct PublicKey {
  std::array<std::uint8_t, 32> bytes{};
  // 16 lowercase hex characters: the first 8 bytes of SHA-256 over the 32 key bytes. Names
  // the key in manifests and reports without revealing anything.
  std::string id() const;
  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// An Ed25519 secret key, kept as its 32-byte seed. Files: PEM "PRIVATE KEY" (RFC 8410
// PKCS #8), mode 0600. Copyable; every copy wipes its seed (sodium_memzero) when destroyed,
// so no copy of the key stays behind in freed memory.
struct SecretKey {
  std::array<std::uint8_t, 32> seed{};
  PublicKey public_key() const;

  SecretKey() = default;
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  SecretKey(SecretKey&&) = default;  // copies the seed: the source wipes its own when destroyed
  SecretKey& operator=(SecretKey&&) = default;
  ~SecretKey();
};

// A new key from the operating system's CSPRNG.
SecretKey generate_key();

// Writes `<stem>.key` (mode 0600, created exclusively) and `<stem>.pub`. Refuses, with
// Error(input), when either exists, and with Error(usage) a stem without a file name of its
// own (empty, or ending in '/', '.' or '..': hidden files such as ".key"); leaves neither
// behind when it fails.
void write_key_files(const SecretKey& key, const std::filesystem::path& stem);

// Throws Error(input) naming the file when it is missing, unreadable or not a key of that
// kind (a .pub given as --sign, say).
SecretKey load_secret_key(const std::filesystem::path& file);
PublicKey load_public_key(const std::filesystem::path& file);

// A signed serial is 4..40 characters of 0-9 and A-Z (QR alphanumeric mode, so it costs
// 5.5 bits a character); a product id, optional, 1..20 of the same characters.
inline constexpr std::size_t kMinSerialChars = 4, kMaxSerialChars = 40, kMaxProductChars = 20;
bool is_signable_serial(std::string_view serial);
bool is_product_id(std::string_view product);

// The signature as it appears in a payload: RFC 4648 base32 (A-Z, 2-7), upper case, no
// padding: 103 characters for Ed25519's 64 bytes.
inline constexpr std::size_t kSignatureChars = 103;

// Signs serial (and product, when not empty): message "viscode1/<product>/<serial>".
// Throws Error(usage) naming the value when serial or product is not in the format above.
std::string sign_serial(const SecretKey& key, std::string_view serial,
                        std::string_view product = {});

// viscode/payload_template.hpp, which includes viscode/gs1.hpp, which includes this header.
class PayloadTemplate;

// Checks that a template and a product id go together for signing: the template has {sig}
// (in the layout [{product}/]{serial}.{sig} that PayloadTemplate checks), {product}
// exactly when `product` is not empty, and the product id is in the format above. Throws
// Error(usage) naming the fix.
void check_signed_template(const PayloadTemplate& tmpl, std::string_view product = {});

// The payload of one signed serial: check_signed_template(), sign_serial(), and the
// template's {serial}, {product} and {sig} filled. Throws Error(usage) as those do.
std::string signed_payload(const PayloadTemplate& tmpl, const SecretKey& key,
                           std::string_view serial, std::string_view product = {});

// The fields of a signed payload, found without knowing its template, in the fixed layout
// "[<product>/]<serial>.<signature>": a run of exactly kSignatureChars base32 characters
// preceded by exactly '.' and the serial; the product id, when there is one, precedes the
// serial with exactly '/'. No other separator is accepted, so that a one-bit change of one
// ('.' ^ 1 == '/') never still verifies. Two readings (with and without a product) are
// possible when the payload has a [0-9A-Z] run and a '/' before the serial;
// `product_candidate` holds the run so that authenticate() tries both.
struct SignedFields {
  std::string serial;
  std::string product_candidate;  // empty when nothing precedes the serial that could be one
  std::string signature;          // the kSignatureChars characters as printed
};
// nullopt: the payload carries no signature field at all (unsigned).
std::optional<SignedFields> find_signed_fields(std::string_view payload);

enum class Authenticity {
  genuine,   // the signature verifies with one of the keys
  forged,    // there is a signature field, but no key verifies it
  unsigned_  // no signature field
};
std::string_view to_string(Authenticity a);  // "genuine", "forged", "unsigned"

struct Authentication {
  Authenticity verdict = Authenticity::unsigned_;
  std::string serial;   // empty when unsigned
  std::string product;  // the signed product id; empty when none (or not genuine)
  std::string key_id;   // the key that verified (genuine only)
  // GS1 Digital Link payloads (viscode/gs1.hpp), genuine only: `product` is the GTIN-14,
  // `lot` the AI 10 value (empty when none), `product_url` the code's own Digital Link URI
  // without its serial and signature: the product's page on the brand's resolver.
  std::string lot;
  std::string product_url;
};

// Checks a payload offline against one or more public keys (a brand that rotated keys
// passes the old and the new one). Never throws for any payload. A GS1 Digital Link payload
// (viscode/gs1.hpp) is read as one: signed when its query has s=, and forged when signed but
// not well formed (a wrong GTIN check digit, a serial outside character set 82).
Authentication authenticate(std::string_view payload, std::span<const PublicKey> keys);

}  // namespace viscode
