// viscode ledger: the command-line face of viscode::Ledger (docs/ledger.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace viscode::cli {

struct LedgerArgs {
  std::string db;
  // import
  std::string manifest, batch;
  // scan: images (or payload texts) as positional inputs, payload texts with --payload
  std::vector<std::string> inputs, payloads;
  std::string at, where;
  std::vector<std::string> pub;
  // status
  std::string serial;
  bool json = false;
  CLI::App *import = nullptr, *scan = nullptr, *status = nullptr, *stats = nullptr;
};

CLI::App* add_ledger_command(CLI::App& app, LedgerArgs& a);
int run_ledger_command(const LedgerArgs& a);

}  // namespace viscode::cli
