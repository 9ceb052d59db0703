// viscode — command-line front end. Parses flags, calls the public API, maps errors to
// exit codes; everything a library user would also need lives in the library.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "batch_command.hpp"
#include "decode_command.hpp"
#include "encode_command.hpp"
#include "exit_codes.hpp"
#include "ledger_command.hpp"
#include "option_flags.hpp"
#include "serve_command.hpp"
#include "sign_commands.hpp"
#include "verify_command.hpp"
#include "viscode/viscode.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "viscode — designer QR codes: a brand's image with a scannable code behind it.\n"
      "Exit codes: 0 ok, 1 internal error, 2 bad usage, 3 unreadable input, 4 cannot "
      "encode or decode, 5 verification failed (or a batch that does not check out), 6 not "
      "authentic (a forged or unsigned code)."};
  app.set_version_flag("--version", std::string("viscode ") + viscode::kVersionString);
  app.require_subcommand(1);

  viscode::cli::EncodeArgs a;
  CLI::App* enc = viscode::cli::add_encode_command(app, a);

  viscode::cli::BatchArgs ba;
  CLI::App* bat = viscode::cli::add_batch_command(app, ba);

  viscode::cli::KeygenArgs ka;
  CLI::App* keygen = viscode::cli::add_keygen_command(app, ka);
  viscode::cli::AuthenticateArgs aa;
  CLI::App* auth = viscode::cli::add_authenticate_command(app, aa);

  viscode::cli::LedgerArgs la;
  CLI::App* led = viscode::cli::add_ledger_command(app, la);
  viscode::cli::ServeArgs sa;
  CLI::App* srv = viscode::cli::add_serve_command(app, sa);

  viscode::cli::DecodeArgs da;
  CLI::App* dec = viscode::cli::add_decode_command(app, da);

  viscode::cli::VerifyArgs va;
  CLI::App* ver = viscode::cli::add_verify_command(app, va);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "viscode: %s\nRun 'viscode %s--help' for the options.\n", e.what(),
                 enc->parsed()      ? "encode "
                 : dec->parsed()    ? "decode "
                 : ver->parsed()    ? "verify "
                 : bat->parsed()    ? "batch "
                 : keygen->parsed() ? "keygen "
                 : auth->parsed()   ? "authenticate "
                 : led->parsed()    ? "ledger "
                 : srv->parsed()    ? "serve "
                                    : "");
    return viscode::cli::kUsage;
  }

  try {
    if (enc->parsed()) return viscode::cli::run_encode_command(a);
    if (dec->parsed()) return viscode::cli::run_decode_command(da);
    if (bat->parsed()) return viscode::cli::run_batch_command(ba);
    if (keygen->parsed()) return viscode::cli::run_keygen(ka);
    if (auth->parsed()) return viscode::cli::run_authenticate(aa);
    if (led->parsed()) return viscode::cli::run_ledger_command(la);
    if (srv->parsed()) return viscode::cli::run_serve_command(sa);
    if (ver->parsed()) return viscode::cli::run_verify_command(va);
  } catch (const viscode::Error& e) {
    std::fprintf(stderr, "viscode: %s\n", viscode::cli::with_flags(e.what()).c_str());
    return viscode::cli::exit_code(e.category());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "viscode: internal error: %s\n", e.what());
    return viscode::cli::kInternal;
  }
  return 0;
}
