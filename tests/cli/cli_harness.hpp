#pragma once
// Runs the real viscode binary as a user would, so the tests see exactly what a shell sees:
// the exit code, stdout and stderr kept apart, and the files left behind.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace viscode::cli_test {

struct CliResult {
  int exit_code = -1;  // the process's exit status; 128 + signal number when it was killed
  bool signalled = false;
  std::string out;
  std::string err;
};

// The shipped sample logos, by absolute path.
inline const std::string kSamples = std::string(VISCODE_SOURCE_DIR) + "/samples";
inline const std::string kBrandPng = kSamples + "/brand.png";
inline const std::string kBrandSvg = kSamples + "/brand.svg";

// Runs VISCODE_CLI with args (argv[0] is supplied), in cwd when given.
CliResult run_cli(const std::vector<std::string>& args,
                  const std::optional<std::filesystem::path>& cwd = std::nullopt);

// run_cli with "encode" in front of args.
CliResult encode(std::vector<std::string> args);

// A fresh directory per test, with in/ for inputs and out/ for outputs, so that "nothing left
// behind" can be checked as "out/ is empty". Removed with its contents on destruction.
class TempDir {
 public:
  TempDir();

  const std::filesystem::path& root() const { return dir_.path; }
  std::filesystem::path in(const std::string& name) const { return root() / "in" / name; }
  std::filesystem::path out(const std::string& name) const { return root() / "out" / name; }
  std::filesystem::path out_dir() const { return root() / "out"; }

 private:
  test::TempDir dir_{"cli"};
};

// Names (not paths) in dir, sorted; hidden files included, since that is where an
// interrupted atomic write would leave its temporary.
std::vector<std::string> listing(const std::filesystem::path& dir);

std::string read_bytes(const std::filesystem::path& file);

// A batch manifest's rows (header skipped) as fields split at commas: enough for the runs
// the tests make, whose fields hold no comma.
std::vector<std::vector<std::string>> manifest_rows(const std::filesystem::path& dir);
void write_bytes(const std::filesystem::path& file, const std::string& bytes);

// The one-line summary 'viscode encode' prints on success.
struct Summary {
  int version = 0;
  char ec = '?';
  int mask = -1;
  int modules = 0;
  std::string module_mm;  // as printed, two decimals
  int module_px = 0;
  std::string dpi;
  std::string size_mm;  // as printed, two decimals
  std::string style;
  std::string output;
};
// Empty when stdout is not exactly one summary line.
std::optional<Summary> parse_summary(const std::string& out);

// Catch checks that both reference readers decode exactly payload from the PNG at file.
void check_reads_back(const std::filesystem::path& png, const std::string& payload);

// Catch checks that every reference reader and viscode's detector decode exactly these
// bytes from the PNG, with no character-set conversion: for binary payloads.
void check_reads_back_bytes(const std::filesystem::path& png, const std::string& bytes);

}  // namespace viscode::cli_test
