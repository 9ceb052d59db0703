// viscode serve: the command-line face of viscode::Server (docs/serve.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace viscode::cli {

struct ServeArgs {
  std::string db, listen = "127.0.0.1:8080";
  std::vector<std::string> pub, trust_proxy;
  std::string rate_limit = "20/min";  // "N/min" or "off"
  std::string admin_token_file, webhook, webhook_secret_file;
  int threads = 16;  // ServeOptions::threads
  std::string products;
  int reload_window = 600;
  std::string cookie_key_file;
  int retention_days = 0;
};

CLI::App* add_serve_command(CLI::App& app, ServeArgs& a);
// Serves until SIGTERM or SIGINT, then stops gracefully: exit 0.
int run_serve_command(const ServeArgs& a);

}  // namespace viscode::cli
