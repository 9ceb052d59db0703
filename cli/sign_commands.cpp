#include "sign_commands.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "json.hpp"
#include "read_texts.hpp"
#include "viscode/viscode.hpp"

namespace viscode::cli {
namespace {

void line_out(const std::string& input, const Authentication& r, bool json) {
  if (json) {
    const auto field = [](const std::string& s) { return s.empty() ? "null" : json_string(s); };
    fmt::print(
        "{{\"input\": {}, \"verdict\": \"{}\", \"serial\": {}, \"product\": {}, \"key_id\": "
        "{}}}\n",
        json_string(input), to_string(r.verdict), field(r.serial), field(r.product),
        field(r.key_id));
  } else if (r.verdict == Authenticity::genuine) {
    fmt::print("{}: genuine, serial {} ({}key {})\n", input, r.serial,
               r.product.empty() ? "" : "product " + r.product + ", ", r.key_id);
  } else if (r.verdict == Authenticity::forged && r.serial.empty()) {
    // A signed GS1 Digital Link that breaks its rules (a wrong check digit, say).
    fmt::print("{}: forged (signed, but not a well-formed payload: the brand never made it)\n",
               input);
  } else if (r.verdict == Authenticity::forged) {
    fmt::print("{}: forged, serial {} (no key verifies its signature)\n", input, r.serial);
  } else {
    fmt::print("{}: unsigned (no signature in the payload)\n", input);
  }
  std::fflush(stdout);
}

void error_out(const std::string& input, const std::string& error, bool json) {
  if (json) {
    fmt::print("{{\"input\": {}, \"error\": {}}}\n", json_string(input), json_string(error));
    std::fflush(stdout);
  } else {
    std::fprintf(stderr, "viscode: %s\n", error.c_str());
  }
}

}  // namespace

CLI::App* add_keygen_command(CLI::App& app, KeygenArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "keygen",
      "Make a brand's Ed25519 signing key pair: NAME.key (private, mode 0600: it mints valid "
      "codes, keep it secret) and NAME.pub (public: whoever checks codes needs only this). "
      "Never overwrites.\n"
      "Example: viscode keygen --out brand");
  cmd->add_option("--out", a.out, "Name of the pair without extension: NAME.key and NAME.pub")
      ->required();
  return cmd;
}

int run_keygen(const KeygenArgs& a) {
  if (a.out.ends_with(".key") || a.out.ends_with(".pub")) {
    const std::string stem = a.out.substr(0, a.out.size() - 4);
    throw Error(ErrorCategory::usage, "--out " + a.out +
                                          " names the pair without extension: --out " + stem +
                                          " writes " + stem + ".key and " + stem + ".pub");
  }
  const SecretKey key = generate_key();
  write_key_files(key, a.out);
  fmt::print("key {}: private {}.key (keep it secret), public {}.pub\n", key.public_key().id(),
             a.out, a.out);
  return 0;
}

CLI::App* add_authenticate_command(CLI::App& app, AuthenticateArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "authenticate",
      "Check offline that codes carry a serial signed by the brand's key: reads each image "
      "(or --payload) and prints " +
          enum_name_list<Authenticity>() +
          ".\n"
          "Example: viscode authenticate --pub brand.pub scan.jpg\n"
          "Exit codes: 0 every code genuine, 6 one is forged or unsigned, 4 an image has no "
          "code, 3 unreadable file, 2 bad usage.");
  cmd->add_option("--pub", a.pubs,
                  "Public key file (NAME.pub from viscode keygen); repeat for a brand's old "
                  "and new keys")
      ->required()
      ->allow_extra_args(false);  // one file per --pub, so images may follow
  auto* files = cmd->add_option("files", a.files, "Images of codes (PNG, JPEG, WebP, ...)");
  a.payload_option =
      cmd->add_option("--payload", a.payload, "Check this payload text instead of images");
  files->excludes(a.payload_option);
  a.payload_option->excludes(files);
  cmd->add_flag("--json", a.json,
                "One JSON object per code and line: input, verdict, serial, product, "
                "key_id (null when absent), or input and error");
  cmd->add_option("--max-megapixels", a.max_megapixels,
                  "Refuse larger images before decoding them (above 0, at most 1000)")
      ->capture_default_str();
  return cmd;
}

int run_authenticate(const AuthenticateArgs& a) {
  // An empty --payload "" is a payload (an unsigned one), not a missing one.
  const bool payload_given = a.payload_option != nullptr && a.payload_option->count() > 0;
  if (a.files.empty() && !payload_given) {
    throw Error(ErrorCategory::usage, "nothing to check: give image files or --payload TEXT");
  }
  std::vector<PublicKey> keys;
  for (const std::string& file : a.pubs) keys.push_back(load_public_key(file));
  if (payload_given) {
    const Authentication r = authenticate(a.payload, keys);
    line_out("payload", r, a.json);
    return r.verdict == Authenticity::genuine ? 0 : 6;
  }
  ReadOptions options;
  options.max_megapixels = a.max_megapixels;
  ReadTally tally;
  bool not_genuine = false;
  for (const std::string& file : a.files) {
    const auto report = [&](const std::string& error) { error_out(file, error, a.json); };
    for (const std::string& text : read_texts(file, options, tally, report)) {
      const Authentication r = authenticate(text, keys);
      line_out(file, r, a.json);
      if (r.verdict != Authenticity::genuine) not_genuine = true;
    }
  }
  return tally.exit_code(not_genuine ? kNotAuthentic : kOk);
}

void add_sign_options(CLI::App* encode, SignArgs& a) {
  encode->add_option("--sign", a.key,
                     "Sign --serial with this private key (NAME.key from viscode keygen); "
                     "--data is then a template with {serial} and {sig}, e.g. "
                     "'https://b.example/a/{serial}.{sig}'");
  encode->add_option("--serial", a.serial, "The serial to sign: 4..40 characters of 0-9, A-Z");
  encode->add_option("--product", a.product,
                     "Product id signed with the serial (1..20 of 0-9, A-Z); --data shows it "
                     "as {product}");
}

EncodePayload encode_payload(const std::string& data, bool from_data_file, const SignArgs& a) {
  if (a.key.empty()) {
    if (!a.serial.empty() || !a.product.empty()) {
      throw Error(ErrorCategory::usage,
                  std::string(a.serial.empty() ? "--product" : "--serial") +
                      " is for signed codes: give --sign KEY too (a .key file from viscode "
                      "keygen)");
    }
    for (const std::string_view field : {"{sig}", "{serial}", "{product}"}) {
      if (!from_data_file && data.find(field) != std::string::npos) {
        throw Error(ErrorCategory::usage,
                    "--data '" + data + "' has " + std::string(field) +
                        ": placeholders are filled only when signing; give --sign KEY "
                        "--serial SERIAL, or write the payload out");
      }
    }
    return {data, {}};
  }
  if (from_data_file) {
    throw Error(ErrorCategory::usage,
                "--sign fills the template given with --data, not --data-file: give --data "
                "'https://b.example/a/{serial}.{sig}'");
  }
  if (a.serial.empty()) {
    throw Error(ErrorCategory::usage,
                "--sign needs --serial: the serial to sign, e.g. --serial 7K3M9Q2W8R4T6Y1B");
  }
  const PayloadTemplate tmpl(data, "--data");
  check_signed_template(tmpl, a.product);
  const SecretKey key = load_secret_key(a.key);
  EncodePayload out;
  out.text = signed_payload(tmpl, key, a.serial, a.product);
  out.note = fmt::format("signed serial {}{} with key {}: {}", a.serial,
                         a.product.empty() ? "" : " (product " + a.product + ")",
                         key.public_key().id(), out.text);
  return out;
}

}  // namespace viscode::cli
