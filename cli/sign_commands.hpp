// viscode keygen and viscode authenticate, and the signing flags of encode and batch: the
// command-line face of viscode/sign.hpp.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace viscode::cli {

struct KeygenArgs {
  std::string out;
};
CLI::App* add_keygen_command(CLI::App& app, KeygenArgs& a);
int run_keygen(const KeygenArgs& a);

struct AuthenticateArgs {
  std::vector<std::string> pubs, files;
  std::string payload;
  CLI::Option* payload_option = nullptr;  // given at all: an empty --payload "" is checked too
  bool json = false;
  double max_megapixels = 100;
};
CLI::App* add_authenticate_command(CLI::App& app, AuthenticateArgs& a);
// Exit 0 every code genuine, 3 a file unreadable, else 4 an image without a code, else 6 a
// code forged or unsigned.
int run_authenticate(const AuthenticateArgs& a);

// encode --sign KEY --serial SERIAL [--product ID], with --data as the template.
struct SignArgs {
  std::string key, serial, product;
};
void add_sign_options(CLI::App* encode, SignArgs& a);
// The payload encode renders: `data` as it is, or, with --sign, the template in `data`
// signed and filled; `note` is then the line encode prints about the signature. Throws
// Error(usage) for flags that do not go together, Error(input) for a bad key file.
struct EncodePayload {
  std::string text, note;
};
EncodePayload encode_payload(const std::string& data, bool from_data_file, const SignArgs& a);

}  // namespace viscode::cli
