// Signed serials: what a counterfeiter can change in a printed code (any bit of the product,
// the serial, the signature or the separators between them, the key) never checks out as
// genuine; the key files are what OpenSSL reads and writes; signed payloads stay small
// enough to print.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <sstream>
#include <string>
#include <type_traits>

#include "sha256.hpp"
#include "sign/base32.hpp"
#include "temp_dir.hpp"
#include "test_error_util.hpp"
#include "tools.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using test::message_of;

namespace {

namespace fs = std::filesystem;

const std::string kSerial = "7K3M9Q2W8R4T6Y1B";
const std::string kPrefix = "https://b.example/a/";

using TempDir = viscode::test::TempDir;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs a shell command; its exit status (127 when the shell cannot run it).
int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void require_openssl() {
  if (test::find_tool("openssl").empty()) {
    FAIL("openssl is not installed: run scripts/install-deps");
  }
}

// A fixed key, so that failures are reproducible.
SecretKey fixed_key(std::uint8_t first) {
  SecretKey k;
  for (std::size_t i = 0; i < k.seed.size(); ++i) {
    k.seed[i] = static_cast<std::uint8_t>(first + i);
  }
  return k;
}

// "'PATH'" built by appends: GCC 12 warns (-Wrestrict, wrongly) about "'" + std::string.
std::string quoted(const fs::path& p, std::string_view tail = "'") {
  std::string s(1, '\'');
  s += p.string();
  s += tail;
  return s;
}

std::string hex_bytes(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

}  // namespace

TEST_CASE("sign: round trip with and without a product", "[sign]") {
  const SecretKey key = generate_key();
  const std::vector<PublicKey> keys{key.public_key()};
  const std::string sig = sign_serial(key, kSerial);
  CHECK(sig.size() == kSignatureChars);
  const Authentication a = authenticate(kPrefix + kSerial + "." + sig, keys);
  CHECK(a.verdict == Authenticity::genuine);
  CHECK(a.serial == kSerial);
  CHECK(a.product.empty());
  CHECK(a.key_id == key.public_key().id());

  const std::string psig = sign_serial(key, kSerial, "SHOE42");
  CHECK(psig != sig);
  const Authentication p = authenticate(kPrefix + "SHOE42/" + kSerial + "." + psig, keys);
  CHECK(p.verdict == Authenticity::genuine);
  CHECK(p.serial == kSerial);
  CHECK(p.product == "SHOE42");
  // The product is signed: another product, or none, does not verify.
  CHECK(authenticate(kPrefix + "SHOE43/" + kSerial + "." + psig, keys).verdict ==
        Authenticity::forged);
  CHECK(authenticate(kPrefix + kSerial + "." + psig, keys).verdict == Authenticity::forged);
  CHECK(authenticate(kPrefix + "SHOE42/" + kSerial + "." + sig, keys).verdict ==
        Authenticity::genuine);  // the unsigned-product reading of a plain signature
}

TEST_CASE("sign: the separators are fixed, and payloads that are only the fields", "[sign]") {
  const SecretKey key = fixed_key(1);
  const std::vector<PublicKey> keys{key.public_key()};
  const std::string sig = sign_serial(key, kSerial), psig = sign_serial(key, kSerial, "P1");
  CHECK(authenticate(kSerial + "." + sig, keys).verdict == Authenticity::genuine);
  const Authentication a = authenticate("P1/" + kSerial + "." + psig, keys);
  CHECK(a.verdict == Authenticity::genuine);
  CHECK(a.product == "P1");
  // Only '.' before the signature: after anything else there is no signature field.
  for (const char sep : std::string("-/:_+")) {
    INFO("separator " << sep);
    CHECK(authenticate(kSerial + std::string(1, sep) + sig, keys).verdict ==
          Authenticity::unsigned_);
    CHECK(authenticate("P1/" + kSerial + std::string(1, sep) + psig, keys).verdict ==
          Authenticity::unsigned_);
  }
  // Only '/' before the serial: after anything else there is no product, and a signature
  // made with one does not verify without it.
  for (const char sep : std::string(".-:_+")) {
    INFO("separator " << sep);
    const std::string payload = "P1" + std::string(1, sep) + kSerial + "." + psig;
    const auto f = find_signed_fields(payload);
    REQUIRE(f);
    CHECK(f->product_candidate.empty());
    const Authentication b = authenticate(payload, keys);
    CHECK(b.verdict == Authenticity::forged);
    CHECK(b.serial == kSerial);
    CHECK(b.product.empty());
  }
}

TEST_CASE("sign: flipping any bit from the product through the signature is never genuine",
          "[sign]") {
  const SecretKey key = fixed_key(7);
  const std::vector<PublicKey> keys{key.public_key()};
  for (const std::string product : {"SHOE42", ""}) {
    const std::string sig = sign_serial(key, kSerial, product);
    const std::string head = kPrefix + (product.empty() ? "" : product + "/");
    const std::string payload = head + kSerial + "." + sig;
    REQUIRE(authenticate(payload, keys).verdict == Authenticity::genuine);
    // The printed text from the first character of the product (or the serial) through the
    // last of the signature: every bit of every character, the '/' and '.' included.
    int forged = 0, unsigned_ = 0;
    for (std::size_t i = kPrefix.size(); i < payload.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string changed = payload;
        changed[i] = static_cast<char>(changed[i] ^ (1 << bit));
        const Authenticity v = authenticate(changed, keys).verdict;
        INFO("product '" << product << "' character " << i << " bit " << bit << ": " << changed);
        CHECK(v != Authenticity::genuine);
        (v == Authenticity::forged ? forged : unsigned_)++;
      }
    }
    // Most flips keep the format and must be caught by the signature itself.
    CHECK(forged > unsigned_);
  }

  // Every bit of the signature bytes, printed canonically: always forged.
  const std::string sig = sign_serial(key, kSerial, "SHOE42");
  const std::string head = kPrefix + "SHOE42/";
  const auto bytes = detail::base32_decode(sig);
  REQUIRE(bytes);
  REQUIRE(bytes->size() == 64);
  for (std::size_t i = 0; i < bytes->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<std::uint8_t> b = *bytes;
      b[i] = static_cast<std::uint8_t>(b[i] ^ (1 << bit));
      const Authentication a = authenticate(head + kSerial + "." + detail::base32_encode(b), keys);
      INFO("signature byte " << i << " bit " << bit);
      CHECK(a.verdict == Authenticity::forged);
      CHECK(a.serial == kSerial);
    }
  }
}

TEST_CASE("sign: a separator turned into another one by one bit is not genuine", "[sign]") {
  // '.' ^ 1 == '/' and '/' ^ 1 == '.': with any of "-./:" accepted, both of these verified.
  const SecretKey key = fixed_key(8);
  const std::vector<PublicKey> keys{key.public_key()};
  const std::string sig = sign_serial(key, kSerial, "SHOE42");
  REQUIRE(('.' ^ 1) == '/');
  REQUIRE(authenticate(kPrefix + "SHOE42/" + kSerial + "." + sig, keys).verdict ==
          Authenticity::genuine);
  // The '.' before the signature as '/': no signature field.
  const Authentication a = authenticate(kPrefix + "SHOE42/" + kSerial + "/" + sig, keys);
  CHECK(a.verdict == Authenticity::unsigned_);
  CHECK(a.serial.empty());
  // The '/' after the product as '.': no product, so the signature (made with one) fails.
  const Authentication b = authenticate(kPrefix + "SHOE42." + kSerial + "." + sig, keys);
  CHECK(b.verdict == Authenticity::forged);
  CHECK(b.serial == kSerial);
  CHECK(b.product.empty());
  CHECK(b.key_id.empty());
}

TEST_CASE("sign: another brand's key is forged, a rotated key list is genuine", "[sign]") {
  const SecretKey brand = fixed_key(1), other = fixed_key(2);
  const std::string payload = kPrefix + kSerial + "." + sign_serial(other, kSerial);
  const std::vector<PublicKey> ours{brand.public_key()};
  const Authentication a = authenticate(payload, ours);
  CHECK(a.verdict == Authenticity::forged);
  CHECK(a.serial == kSerial);
  CHECK(a.key_id.empty());
  CHECK(a.product.empty());
  const std::vector<PublicKey> both{brand.public_key(), other.public_key()};
  const Authentication b = authenticate(payload, both);
  CHECK(b.verdict == Authenticity::genuine);
  CHECK(b.key_id == other.public_key().id());
  CHECK(authenticate(payload, {}).verdict == Authenticity::forged);
}

TEST_CASE("sign: a capital path segment before the serial is tried both ways", "[sign]") {
  const SecretKey key = fixed_key(3);
  const std::vector<PublicKey> keys{key.public_key()};
  const std::string payload = "HTTPS://B.EXAMPLE/P/" + kSerial + "." + sign_serial(key, kSerial);
  const auto fields = find_signed_fields(payload);
  REQUIRE(fields);
  CHECK(fields->serial == kSerial);
  CHECK(fields->product_candidate == "P");
  const Authentication a = authenticate(payload, keys);
  CHECK(a.verdict == Authenticity::genuine);
  CHECK(a.product.empty());
  // And signed with that segment as its product, the product reading verifies.
  const std::string signed_p =
      "HTTPS://B.EXAMPLE/P/" + kSerial + "." + sign_serial(key, kSerial, "P");
  const Authentication b = authenticate(signed_p, keys);
  CHECK(b.verdict == Authenticity::genuine);
  CHECK(b.product == "P");
}

TEST_CASE("sign: find_signed_fields reads the layout and nothing else", "[sign]") {
  const std::string sig = sign_serial(fixed_key(4), kSerial);
  SECTION("unsigned payloads") {
    CHECK_FALSE(find_signed_fields(""));
    CHECK_FALSE(find_signed_fields("https://b.example/a/" + kSerial));
    CHECK_FALSE(find_signed_fields(kSerial + sig));                  // no separator
    CHECK_FALSE(find_signed_fields(kSerial + "." + sig + "A"));      // 104 characters
    CHECK_FALSE(find_signed_fields(kSerial + "." + sig.substr(1)));  // 102 characters
    CHECK_FALSE(find_signed_fields("ABC." + sig));                   // serial of 3
    CHECK_FALSE(find_signed_fields(std::string(41, 'A') + "." + sig));
    CHECK_FALSE(find_signed_fields(kSerial + "_" + sig));  // only '.' before the signature
    CHECK_FALSE(find_signed_fields(kSerial + "/" + sig));
    CHECK_FALSE(find_signed_fields(kSerial + "-" + sig));
    CHECK_FALSE(find_signed_fields(kSerial + ":" + sig));
    CHECK_FALSE(find_signed_fields(kSerial + "." + sig.substr(0, 102) + "1"));  // not base32
    CHECK_FALSE(find_signed_fields(kSerial + "." + sig.substr(0, 102) + "a"));  // 102 + 'a'
  }
  SECTION("fields") {
    auto f = find_signed_fields("https://b.example/a/" + kSerial + "." + sig + "?utm=x");
    REQUIRE(f);
    CHECK(f->serial == kSerial);
    CHECK(f->product_candidate.empty());  // 'a' is lower case
    CHECK(f->signature == sig);
    f = find_signed_fields(std::string(40, 'S') + "." + sig);
    REQUIRE(f);
    CHECK(f->serial == std::string(40, 'S'));
    f = find_signed_fields("X-" + std::string(20, 'P') + "/" + kSerial + "." + sig);
    REQUIRE(f);
    CHECK(f->product_candidate == std::string(20, 'P'));
    f = find_signed_fields("X/" + std::string(20, 'P') + "-" + kSerial + "." + sig);
    REQUIRE(f);
    CHECK(f->serial == kSerial);
    CHECK(f->product_candidate.empty());  // only '/' before the serial
    f = find_signed_fields(std::string(21, 'P') + "/" + kSerial + "." + sig);
    REQUIRE(f);
    CHECK(f->product_candidate.empty());  // 21 characters cannot be a product id
    f = find_signed_fields("X/" + std::string(20, 'P') + "/" + kSerial + "." + sig);
    REQUIRE(f);
    CHECK(f->product_candidate == std::string(20, 'P'));
  }
  SECTION("the last field wins") {
    const std::string other = sign_serial(fixed_key(4), "SECOND");
    const auto f = find_signed_fields(kSerial + "." + sig + "/SECOND." + other);
    REQUIRE(f);
    CHECK(f->serial == "SECOND");
    CHECK(f->product_candidate.empty());  // the run before is 103 long
    CHECK(f->signature == other);
    // A later 103-run without a serial before it does not hide the real field.
    const auto g = find_signed_fields(kSerial + "." + sig + "/" + std::string(103, 'A'));
    REQUIRE(g);
    CHECK(g->serial == kSerial);
  }
}

TEST_CASE("sign: base32 is RFC 4648 and decoding accepts only canonical text", "[sign]") {
  // RFC 4648 section 10 vectors, without padding.
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "MY"},
                                                         {"fo", "MZXQ"},
                                                         {"foo", "MZXW6"},
                                                         {"foob", "MZXW6YQ"},
                                                         {"fooba", "MZXW6YTB"},
                                                         {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, coded] : vectors) {
    const std::vector<std::uint8_t> bytes(plain.begin(), plain.end());
    CHECK(detail::base32_encode(bytes) == coded);
    const auto back = detail::base32_decode(coded);
    REQUIRE(back);
    CHECK(*back == bytes);
  }
  CHECK_FALSE(detail::base32_decode("MZ"));        // 'f' with a low bit set: not canonical
  CHECK_FALSE(detail::base32_decode("MZXW7"));     // "foo" with the unused bit set
  CHECK_FALSE(detail::base32_decode("MZXW6YQ="));  // padding is not part of the format
  CHECK_FALSE(detail::base32_decode("mzxw6"));     // lower case
  CHECK_FALSE(detail::base32_decode("MZX"));       // no whole number of bytes
  CHECK_FALSE(detail::base32_decode("MZXW6Y"));
  CHECK_FALSE(detail::base32_decode("M"));

  // A signature's last character carries 2 bits and 3 zero bits: of the 8 characters that
  // differ only in those 3 bits, exactly one decodes.
  const SecretKey key = fixed_key(5);
  const std::vector<PublicKey> keys{key.public_key()};
  const std::string sig = sign_serial(key, kSerial);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::size_t value = alphabet.find(sig.back());
  CHECK(value % 8 == 0);
  for (std::size_t low = 1; low < 8; ++low) {
    std::string changed = sig;
    changed.back() = alphabet[value + low];
    CHECK_FALSE(detail::base32_decode(changed));
    const Authentication a = authenticate(kSerial + "." + changed, keys);
    CHECK(a.verdict == Authenticity::forged);
  }
}

TEST_CASE("sign: key ids and the RFC 8032 test key", "[sign]") {
  // RFC 8032 section 7.1, test 1: the public key of a known seed.
  SecretKey k;
  const std::string seed =
      hex_bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  std::copy(seed.begin(), seed.end(), k.seed.begin());
  const PublicKey pub = k.public_key();
  const std::string expected =
      hex_bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  CHECK(std::string(pub.bytes.begin(), pub.bytes.end()) == expected);
  CHECK(pub.id() == detail::sha256_hex(pub.bytes).substr(0, 16));
  CHECK(pub.id().size() == 16);
  CHECK(fixed_key(1).public_key().id() != fixed_key(2).public_key().id());
  CHECK(generate_key().seed != generate_key().seed);
  CHECK(to_string(Authenticity::genuine) == "genuine");
  CHECK(to_string(Authenticity::forged) == "forged");
  CHECK(to_string(Authenticity::unsigned_) == "unsigned");
}

TEST_CASE("sign: a secret key is copyable and wipes its seed when destroyed", "[sign]") {
  static_assert(std::is_copy_constructible_v<SecretKey> && std::is_copy_assignable_v<SecretKey>);
  static_assert(!std::is_trivially_destructible_v<SecretKey>);
  static_assert(sizeof(SecretKey) == 32);  // the seed and nothing else
  const SecretKey a = fixed_key(1);
  SecretKey b = a;
  CHECK(b.seed == a.seed);
  SecretKey c;
  c = a;
  CHECK(c.seed == a.seed);
  CHECK(c.public_key() == a.public_key());
  // The bytes the key occupied are zero once it is gone.
  alignas(SecretKey) unsigned char storage[sizeof(SecretKey)];
  auto* k = new (storage) SecretKey(fixed_key(1));
  REQUIRE(k->seed == a.seed);
  k->~SecretKey();
  CHECK(
      std::all_of(std::begin(storage), std::end(storage), [](unsigned char x) { return x == 0; }));
}

TEST_CASE("sign: key files round trip and are exactly what openssl writes", "[sign]") {
  require_openssl();
  TempDir t;
  const SecretKey key = generate_key();
  const fs::path stem = t.path / "brand";
  write_key_files(key, stem);
  const fs::path key_file = t.path / "brand.key", pub_file = t.path / "brand.pub";
  struct stat st {};
  REQUIRE(::stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(load_secret_key(key_file).seed == key.seed);
  CHECK(load_public_key(pub_file) == key.public_key());

  const std::string q = quoted(t.path, "/");
  REQUIRE(shell("openssl pkey -in " + q + "brand.key' -pubout -out " + q + "ossl.pub'") == 0);
  CHECK(slurp(t.path / "ossl.pub") == slurp(pub_file));
  REQUIRE(shell("openssl pkey -in " + q + "brand.key' -out " + q + "ossl.key'") == 0);
  CHECK(slurp(t.path / "ossl.key") == slurp(key_file));

  // openssl verifies our signature over the documented message bytes.
  const std::string sig = sign_serial(key, kSerial, "SHOE42");
  const auto raw = detail::base32_decode(sig);
  REQUIRE(raw);
  std::ofstream(t.path / "msg", std::ios::binary) << "viscode1/SHOE42/" << kSerial;
  std::ofstream(t.path / "sig", std::ios::binary)
      .write(reinterpret_cast<const char*>(raw->data()), static_cast<std::streamsize>(raw->size()));
  CHECK(shell("openssl pkeyutl -verify -pubin -inkey " + q + "brand.pub' -rawin -in " + q +
              "msg' -sigfile " + q + "sig' > /dev/null") == 0);
  std::ofstream(t.path / "msg", std::ios::binary) << "viscode1//" << kSerial;
  CHECK(shell("openssl pkeyutl -verify -pubin -inkey " + q + "brand.pub' -rawin -in " + q +
              "msg' -sigfile " + q + "sig' > /dev/null 2>&1") != 0);

  // And a key openssl made signs codes viscode checks with openssl's public key.
  REQUIRE(shell("openssl genpkey -algorithm ed25519 -out " + q + "o.key'") == 0);
  REQUIRE(shell("openssl pkey -in " + q + "o.key' -pubout -out " + q + "o.pub'") == 0);
  const SecretKey ossl = load_secret_key(t.path / "o.key");
  const std::vector<PublicKey> keys{load_public_key(t.path / "o.pub")};
  CHECK(authenticate(kSerial + "." + sign_serial(ossl, kSerial), keys).verdict ==
        Authenticity::genuine);
}

TEST_CASE("sign: key files are never overwritten", "[sign]") {
  TempDir t;
  const fs::path stem = t.path / "brand";
  write_key_files(generate_key(), stem);
  const std::string key_before = slurp(t.path / "brand.key");
  CHECK(message_of([&] { write_key_files(generate_key(), stem); }, ErrorCategory::input) ==
        quoted(t.path / "brand.key") +
            " already exists: keys are never overwritten; choose another name or move the old "
            "key away");
  CHECK(slurp(t.path / "brand.key") == key_before);

  // Only the .pub there: refused, and no .key left behind.
  std::ofstream(t.path / "solo.pub") << "x";
  CHECK(
      message_of([&] { write_key_files(generate_key(), t.path / "solo"); }, ErrorCategory::input) ==
      quoted(t.path / "solo.pub") +
          " already exists: keys are never overwritten; choose another name or move the old "
          "key away");
  CHECK_FALSE(fs::exists(t.path / "solo.key"));

  CHECK(message_of([&] { write_key_files(generate_key(), t.path / "no" / "such"); },
                   ErrorCategory::input) ==
        "cannot create '" + (t.path / "no" / "such.key").string() +
            "': No such file or directory: check that the directory exists and is writable");
}

TEST_CASE("sign: the wrong file as a key says which file and what to give", "[sign]") {
  require_openssl();
  TempDir t;
  write_key_files(generate_key(), t.path / "brand");
  const fs::path key = t.path / "brand.key", pub = t.path / "brand.pub";
  const auto name = [](const fs::path& p) { return quoted(p); };
  CHECK(message_of([&] { load_secret_key(pub); }, ErrorCategory::input) ==
        name(pub) +
            " is a public key: signing needs the private key, the NAME.key file written by "
            "viscode keygen");
  CHECK(message_of([&] { load_public_key(key); }, ErrorCategory::input) ==
        name(key) +
            " is a private key: checking needs only the public key, the NAME.pub file written "
            "by viscode keygen (keep the .key private)");
  const fs::path text = t.path / "notes.txt";
  std::ofstream(text) << "hello\n";
  CHECK(message_of([&] { load_secret_key(text); }, ErrorCategory::input) ==
        name(text) +
            " is not an Ed25519 private key (PEM \"PRIVATE KEY\", RFC 8410): give the NAME.key "
            "file written by viscode keygen");
  CHECK(message_of([&] { load_public_key(text); }, ErrorCategory::input) ==
        name(text) +
            " is not an Ed25519 public key (PEM \"PUBLIC KEY\", RFC 8410): give the NAME.pub "
            "file written by viscode keygen");
  // A PEM private key of another algorithm (X25519 has the same sizes).
  REQUIRE(shell("openssl genpkey -algorithm x25519 -out '" + (t.path / "x.key").string() + "'") ==
          0);
  CHECK(message_of([&] { load_secret_key(t.path / "x.key"); }, ErrorCategory::input) ==
        name(t.path / "x.key") +
            " is not an Ed25519 private key (PEM \"PRIVATE KEY\", RFC 8410): give the NAME.key "
            "file written by viscode keygen");
  // A truncated key.
  std::string pem = slurp(key);
  std::ofstream(t.path / "cut.key") << pem.substr(0, 40) << "\n-----END PRIVATE KEY-----\n";
  CHECK(message_of([&] { load_secret_key(t.path / "cut.key"); }, ErrorCategory::input) ==
        name(t.path / "cut.key") +
            " is not an Ed25519 private key (PEM \"PRIVATE KEY\", RFC 8410): give the NAME.key "
            "file written by viscode keygen");
  CHECK(message_of([&] { load_secret_key(t.path / "missing.key"); }, ErrorCategory::input) ==
        "private key file '" + (t.path / "missing.key").string() +
            "' does not exist: check the path (viscode keygen --out NAME writes NAME.key and "
            "NAME.pub)");
  CHECK(message_of([&] { load_public_key(t.path); }, ErrorCategory::input) ==
        "public key file '" + t.path.string() + "' is a directory: give the key file");
}

TEST_CASE("sign: unknown serial formats are refused with the rule", "[sign]") {
  const SecretKey key = fixed_key(1);
  CHECK(is_signable_serial("ABCD"));
  CHECK(is_signable_serial(std::string(40, '9')));
  CHECK_FALSE(is_signable_serial("ABC"));
  CHECK_FALSE(is_signable_serial(std::string(41, '9')));
  CHECK_FALSE(is_signable_serial("abcd"));
  CHECK_FALSE(is_signable_serial("AB-CD"));
  CHECK(is_product_id("P"));
  CHECK_FALSE(is_product_id(""));
  CHECK_FALSE(is_product_id(std::string(21, 'P')));
  CHECK(message_of([&] { sign_serial(key, "sn-123"); }, ErrorCategory::usage) ==
        "unknown serial format: 'sn-123' cannot be signed; a signed serial is 4 to 40 "
        "characters of 0-9 and A-Z (upper case)");
  CHECK(message_of([&] { sign_serial(key, "ABC"); }, ErrorCategory::usage) ==
        "unknown serial format: 'ABC' cannot be signed; a signed serial is 4 to 40 characters "
        "of 0-9 and A-Z (upper case)");
  CHECK(message_of([&] { sign_serial(key, kSerial, "shoe42"); }, ErrorCategory::usage) ==
        "unknown serial format: product id 'shoe42' cannot be signed; a product id is 1 to 20 "
        "characters of 0-9 and A-Z (upper case)");
}

TEST_CASE("sign: signed templates keep the fields findable", "[sign][batch]") {
  const SecretKey key = fixed_key(9);
  const std::vector<PublicKey> keys{key.public_key()};
  const PayloadTemplate t("https://b.example/a/{product}/{serial}.{sig}?src=qr");
  CHECK(t.is_signed());
  CHECK(t.has_product());
  const std::string payload = signed_payload(t, key, kSerial, "SHOE42");
  CHECK(payload == "https://b.example/a/SHOE42/" + kSerial + "." +
                       sign_serial(key, kSerial, "SHOE42") + "?src=qr");
  CHECK(authenticate(payload, keys).product == "SHOE42");
  CHECK(message_of([&] { t.apply(kSerial); }, ErrorCategory::usage) ==
        "--template 'https://b.example/a/{product}/{serial}.{sig}?src=qr' has {sig}: sign with "
        "BatchOptions.sign_key KEY (a .key file from viscode keygen), or remove {sig}");

  const auto layout = [](const std::string& text) {
    return message_of([&] { PayloadTemplate p(text, "--data"); }, ErrorCategory::usage);
  };
  const auto sig_layout = [](const std::string& text) {
    return "--data '" + text +
           "' must have {serial}.{sig}: {sig} right after {serial} and a '.' (no other "
           "character), e.g. 'https://b.example/a/{serial}.{sig}'";
  };
  for (const std::string& text : {std::string("https://b.example/a/{serial}{sig}"),
                                  std::string("https://b.example/a/{sig}.{serial}"),
                                  std::string("https://b.example/a/{serial}/{sig}"),
                                  std::string("https://b.example/a/{serial}-{sig}"),
                                  std::string("https://b.example/a/{serial}:{sig}"),
                                  std::string("https://b.example/a/{serial}..{sig}"),
                                  std::string("{product}/{serial}/{sig}")}) {
    CHECK(layout(text) == sig_layout(text));
  }
  CHECK(layout("https://b.example/a/{serial}{sig}") ==
        "--data 'https://b.example/a/{serial}{sig}' must have {serial}.{sig}: {sig} right after "
        "{serial} and a '.' (no other character), e.g. 'https://b.example/a/{serial}.{sig}'");
  const auto product_layout = [](const std::string& text) {
    return "--data '" + text +
           "' must have {product}/{serial}: {serial} right after {product} and a '/' (no other "
           "character), e.g. 'https://b.example/a/{product}/{serial}.{sig}'";
  };
  for (const std::string& text :
       {std::string("{product}_{serial}.{sig}"), std::string("{product}.{serial}.{sig}"),
        std::string("{product}-{serial}.{sig}"), std::string("{product}:{serial}.{sig}"),
        std::string("{product}{serial}.{sig}"), std::string("{product}//{serial}.{sig}"),
        std::string("{serial}.{sig}/{product}")}) {
    CHECK(layout(text) == product_layout(text));
  }
  CHECK(layout("{product}.{serial}.{sig}") ==
        "--data '{product}.{serial}.{sig}' must have {product}/{serial}: {serial} right after "
        "{product} and a '/' (no other character), e.g. "
        "'https://b.example/a/{product}/{serial}.{sig}'");
  CHECK_NOTHROW(PayloadTemplate("https://b.example/a/{product}/{serial}.{sig}"));
  CHECK_NOTHROW(PayloadTemplate("{product}/{serial}.{sig}"));
  CHECK_NOTHROW(PayloadTemplate("{serial}.{sig}"));
  CHECK(layout("HTTPS://B.EXAMPLE/A{serial}.{sig}") ==
        "--data 'HTTPS://B.EXAMPLE/A{serial}.{sig}' has 'A' right before {serial}: a digit or "
        "capital letter there would read as part of it; end the text before it with a "
        "separator such as /");
  CHECK(layout("{serial}.{sig}X") ==
        "--data '{serial}.{sig}X' has 'X' right after {sig}: a digit or capital letter there "
        "would read as part of the signature; end the payload with {sig} or follow it with a "
        "separator such as /");
  CHECK(layout("{serial}.{sig}/{sig}") ==
        "--data '{serial}.{sig}/{sig}' repeats a placeholder: a signed payload has one "
        "{serial}, one {sig} and at most one {product}");
  CHECK(layout("https://b.example/{product}/{serial}") ==
        "--data 'https://b.example/{product}/{serial}' has {product} but no {sig}: the product "
        "id is part of a signed payload, e.g. 'https://b.example/a/{product}/{serial}.{sig}'");

  const PayloadTemplate plain("https://b.example/a/{serial}");
  CHECK(message_of([&] { check_signed_template(plain); }, ErrorCategory::usage) ==
        "--template 'https://b.example/a/{serial}' has no {sig}: a signed payload needs "
        "{serial}.{sig} (the serial, a '.' and the signature), e.g. "
        "'https://b.example/a/{serial}.{sig}'");
  const PayloadTemplate no_product("https://b.example/a/{serial}.{sig}");
  CHECK(
      message_of([&] { check_signed_template(no_product, "SHOE42"); }, ErrorCategory::usage) ==
      "BatchOptions.product 'SHOE42' is signed with each serial, so the payload must show it: put "
      "{product} in --template 'https://b.example/a/{serial}.{sig}', e.g. "
      "'https://b.example/a/{product}/{serial}.{sig}'");
  CHECK(message_of([&] { check_signed_template(t); }, ErrorCategory::usage) ==
        "--template 'https://b.example/a/{product}/{serial}.{sig}?src=qr' has {product}: give "
        "the product id with BatchOptions.product");
  CHECK(message_of([&] { signed_payload(no_product, key, "AB"); }, ErrorCategory::usage) ==
        "unknown serial format: 'AB' cannot be signed; a signed serial is 4 to 40 characters "
        "of 0-9 and A-Z (upper case)");
}

TEST_CASE("sign: a signed payload with a 30-character URL fits version 11 at EC H", "[sign]") {
  EncodeOptions e;
  e.ec = EcLevel::H;
  const std::string prefix = "https://brand.example.com/a/p/";
  REQUIRE(prefix.size() == 30);
  const SecretKey key = fixed_key(11);
  for (const std::string& serial :
       {kSerial, std::string("ZZZZZZZZZZZZZZZZ"), std::string("0123456789012345")}) {
    const std::string payload = prefix + serial + "." + sign_serial(key, serial);
    INFO(payload);
    CHECK(encode(payload, e).version <= 11);
    std::string upper = payload;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      upper[i] = static_cast<char>(std::toupper(upper[i]));
    CHECK(encode(upper, e).version <= 11);
  }
}

namespace {
// docs/authenticate.md's library example, verbatim, run in a scratch directory.
void docs_example() {
  const viscode::SecretKey key = viscode::generate_key();
  viscode::write_key_files(key, "brand");  // brand.key, brand.pub
  const viscode::PayloadTemplate tmpl("https://brand.example.com/a/{product}/{serial}.{sig}");
  const std::string payload = viscode::signed_payload(tmpl, key, "7K3M9Q2W8R4T6Y1B", "SHOE42");

  const std::vector<viscode::PublicKey> keys{viscode::load_public_key("brand.pub")};
  const viscode::Authentication a = viscode::authenticate(payload, keys);  // never throws
  // a.verdict == viscode::Authenticity::genuine, a.serial, a.product == "SHOE42", a.key_id
  CHECK(a.verdict == viscode::Authenticity::genuine);
  CHECK(a.product == "SHOE42");
  CHECK(a.key_id == key.public_key().id());
}
}  // namespace

TEST_CASE("sign: the library example in docs/authenticate.md works", "[sign]") {
  TempDir t;
  const fs::path before = fs::current_path();
  fs::current_path(t.path);
  docs_example();
  fs::current_path(before);
  CHECK(fs::exists(t.path / "brand.key"));
}
