// 'viscode batch' as a printing house runs it: a serialised run to files or sheets, killed
// half-way and resumed, and the failures that must stop it cleanly (duplicates, capacity,
// permissions, a full disk).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cli_harness.hpp"

extern char** environ;

using namespace viscode::cli_test;

namespace {

const std::string kTemplate = "https://v.brand.example/a/{serial}";

std::filesystem::path serials(const TempDir& t, int n) {
  const auto path = t.in("serials.csv");
  std::ofstream out(path);
  out << "sku,serial\n";
  for (int i = 0; i < n; ++i)
    out << "P-7,"
        << "SN" << 500000 + i * 7 << "\n";
  return path;
}

std::size_t lines_in(const std::filesystem::path& file) {
  std::ifstream in(file);
  return static_cast<std::size_t>(
      std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// Starts a command with stdout and stderr to files; the caller waits or kills.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("cli batch --help names the serial sources, sheets and resume", "[cli][batch]") {
  const CliResult r = run_cli({"batch", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--template", "--serials", "--column", "--count", "--out-dir",
                           "--format", "--sheet", "--gap", "--crop-marks", "--label", "--jobs",
                           "--resume", "--check", "--logo", "--style", "--size"}) {
    INFO(flag);
    CHECK(r.out.find(flag) != std::string::npos);
  }
}

TEST_CASE("cli batch: PNG files from a CSV column, read back, manifest checks out",
          "[cli][batch]") {
  TempDir t;
  const auto list = serials(t, 6);
  const CliResult r =
      run_cli({"batch", "--logo", kBrandPng, "--template", kTemplate, "--serials", list.string(),
               "--column", "serial", "--out-dir", t.out_dir().string(), "--jobs", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_match(r.out, std::regex("6 codes \\(version 4\\) in '.*': 6 made in [0-9.]+ s "
                                           "\\([0-9]+ codes/s\\), 6 files written; manifest "
                                           ".*manifest.csv\n")));
  CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
  const auto rows = manifest_rows(t.out_dir());
  REQUIRE(rows.size() == 6);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i][1] == "SN" + std::to_string(500000 + i * 7));
    CHECK(rows[i][2] == "https://v.brand.example/a/" + rows[i][1]);
    if (i % 2 == 0) {
      check_reads_back(t.out_dir() / rows[i][3], rows[i][2]);
      const CliResult d = run_cli({"decode", (t.out_dir() / rows[i][3]).string()});
      CHECK(d.out == rows[i][2] + "\n");
    }
  }
  const CliResult check = run_cli({"batch", "--check", "--out-dir", t.out_dir().string()});
  CHECK(check.exit_code == 0);
  CHECK(check.out == t.out_dir().string() +
                         ": 6 codes in 6 files check out (indexes 1..6, unique serials, SHA-256 "
                         "of every file, no other files)\n");
}

TEST_CASE("cli batch: --picture-ec is part of the run, and a resume with another is refused",
          "[cli][batch]") {
  TempDir t;
  const auto list = serials(t, 2);
  const std::vector<std::string> base = {"batch",   "--logo",    kBrandPng,           "--template",
                                         kTemplate, "--serials", list.string(),       "--column",
                                         "serial",  "--out-dir", t.out_dir().string()};
  std::vector<std::string> first = base;
  first.insert(first.end(), {"--picture-ec", "0.3"});
  const CliResult r = run_cli(first);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = manifest_rows(t.out_dir());
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) check_reads_back(t.out_dir() / row[3], row[2]);
  CHECK(read_bytes(t.out_dir() / "batch-settings.txt").find(" picture_errors 0.3000\n") !=
        std::string::npos);
  std::vector<std::string> resume = base;
  resume.push_back("--resume");
  const CliResult again = run_cli(resume);
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("--resume needs the options the run in '" + t.out_dir().string() +
                       "' started with (batch-settings.txt): 'render=style halftone strength "
                       "0.6000 fit cover area symbol dark #000000 light #ffffff quiet 4 "
                       "picture_errors 0.3000' then, 'render=style halftone strength 0.6000 fit "
                       "cover area symbol dark #000000 light #ffffff quiet 4' now") !=
        std::string::npos);
}

TEST_CASE("cli batch: settings name --fit and --logo-area, and runs that recorded numbers resume",
          "[cli][batch][resume]") {
  TempDir t;
  const auto list = serials(t, 2);
  const std::vector<std::string> base = {"batch",   "--logo",    kBrandPng,           "--template",
                                         kTemplate, "--serials", list.string(),       "--column",
                                         "serial",  "--fit",     "contain",           "--logo-area",
                                         "full",    "--out-dir", t.out_dir().string()};
  REQUIRE(run_cli(base).exit_code == 0);
  const std::filesystem::path file = t.out_dir() / "batch-settings.txt";
  std::string settings = read_bytes(file);
  const std::string named = " strength 0.6000 fit contain area full dark ";
  const std::size_t at = settings.find(named);
  REQUIRE(at != std::string::npos);

  // As a run started before the names wrote it (Fit::contain and LogoArea::full are 1).
  settings.replace(at, named.size(), " strength 0.6000 fit 1 area 1 dark ");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << settings;
  std::vector<std::string> resume = base;
  resume.push_back("--resume");
  const CliResult same = run_cli(resume);
  INFO(same.out << same.err);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find(", 2 resumed") != std::string::npos);
  CHECK(read_bytes(file) == settings);  // left as the run wrote it

  // Another run's options are still refused, the difference shown as the file has it.
  std::vector<std::string> other = resume;
  std::replace(other.begin(), other.end(), std::string("contain"), std::string("cover"));
  const CliResult refused = run_cli(other);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("started with (batch-settings.txt): 'render=style halftone strength "
                         "0.6000 fit 1 area 1 dark #000000 light #ffffff quiet 4' then, "
                         "'render=style halftone strength 0.6000 fit 0 area 1 dark #000000 "
                         "light #ffffff quiet 4' now") != std::string::npos);
}

TEST_CASE("cli batch: killed mid-run, --resume finishes it exactly as an uninterrupted run",
          "[cli][batch][resume]") {
  TempDir t;
  const auto list = serials(t, 700);
  const std::vector<std::string> common = {
      VISCODE_CLI, "batch",        "--logo",           kBrandPng, "--template", kTemplate,
      "--serials", list.string(),  "--column",         "serial",  "--sheet",    "A4",
      "--label",   "--crop-marks", "--pages-per-file", "1",       "--jobs",     "2"};
  const auto whole = t.root() / "whole";
  const auto cut = t.root() / "cut";
  std::filesystem::create_directory(whole);
  std::filesystem::create_directory(cut);

  std::vector<std::string> a = common;
  a.insert(a.end(), {"--out-dir", cut.string()});
  const pid_t pid = spawn(a, t.root() / "err.txt");
  // Kill it once a few sheet files are in the manifest, well before the end.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lines_in(cut / "manifest.csv") < 1 + 2 * 54 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  REQUIRE(wait_exit(pid) == 128 + SIGKILL);
  const std::size_t done = lines_in(cut / "manifest.csv") - 1;
  INFO("rows when killed: " << done);
  REQUIRE(done < 700);
  // Whole sheet files only: a file holds one page here.
  const auto rows = manifest_rows(cut);
  const auto per_file = static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(), [&](const auto& row) { return row[3] == rows[0][3]; }));
  CHECK(per_file > 30);
  CHECK(done % per_file == 0);

  std::vector<std::string> resume(a.begin() + 1, a.end());
  resume.push_back("--resume");
  const CliResult r = run_cli(resume);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(", " + std::to_string(done) + " resumed") != std::string::npos);

  std::vector<std::string> b(common.begin() + 1, common.end());
  b.insert(b.end(), {"--out-dir", whole.string()});
  REQUIRE(run_cli(b).exit_code == 0);
  // No duplicates, no gaps: the same rows and the same sheet files, byte for byte.
  CHECK(slurp(cut / "manifest.csv") == slurp(whole / "manifest.csv"));
  CHECK(run_cli({"batch", "--check", "--out-dir", cut.string()}).exit_code == 0);
  for (const auto& e : std::filesystem::directory_iterator(cut)) {
    const std::string name = e.path().filename().string();
    CHECK(name[0] != '.');  // no temporary left behind
  }
}

TEST_CASE("cli batch: bad input stops before any work, with the fix", "[cli][batch][errors]") {
  TempDir t;
  const auto dup = t.in("dup.txt");
  std::ofstream(dup) << "A1\nB2\nA1\n";
  CliResult r = run_cli({"batch", "--template", kTemplate, "--serials", dup.string(), "--out-dir",
                         t.out_dir().string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: serials file '" + dup.string() +
                     "' repeats serial 'A1' on lines 1 and 3: every code must carry a unique "
                     "serial\n");
  CHECK(listing(t.out_dir()).empty());

  r = run_cli({"batch", "--template", kTemplate, "--count", "2", "--format", "bmp", "--out-dir",
               t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "viscode: --format: bmp not in {png,svg,pdf}\nRun 'viscode batch --help' for the "
        "options.\n");
  CHECK(listing(t.out_dir()).empty());

  const auto longer = t.in("long.txt");
  // Within the serial rule's 256 bytes, too long for version 10 (lower case: byte mode).
  std::ofstream(longer) << "S1\n" << std::string(250, 'x') << "\n";
  r = run_cli({"batch", "--template", kTemplate, "--serials", longer.string(), "--max-version",
               "10", "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 4);
  // The payload quoted by its first 80 characters.
  CHECK(r.err.find("viscode: the longest payload, 'https://v.brand.example/a/" +
                   std::string(54, 'x') + "...' (276 bytes, serial from line 2") == 0);
  CHECK(r.err.find("serial from line 2 of '" + longer.string() + "'), does not fit") !=
        std::string::npos);
  CHECK(listing(t.out_dir()).empty());

  r = run_cli({"batch", "--template", kTemplate, "--count", "5", "--sheet", "A4", "--format", "png",
               "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: --sheet imposes codes on PDF sheets: use --format pdf\n");
  r = run_cli({"batch", "--template", kTemplate, "--count", "5", "--label", "--out-dir", "x"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: --label is for sheets: add --sheet A4 (or another size)\n");
  r = run_cli({"batch", "--template", "https://x.example/", "--count", "5", "--out-dir",
               t.out_dir().string()});
  CHECK(r.exit_code == 2);
  r = run_cli({"batch", "--template", kTemplate, "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: no serials: give --serials FILE or --count N\n");
  // A missing --out-dir is made, but only once every input has been checked.
  r = run_cli({"batch", "--template", kTemplate, "--serials", dup.string(), "--out-dir",
               (t.root() / "new" / "run1").string()});
  CHECK(r.exit_code == 3);
  CHECK_FALSE(std::filesystem::exists(t.root() / "new"));
}

TEST_CASE("cli batch: a CSV serials file needs --column or --lines", "[cli][batch][errors]") {
  TempDir t;
  const auto lot = t.in("lot.csv");
  std::ofstream(lot) << "id,serial\n1,A1\n2,B2\n3,A1\n";
  const std::vector<std::string> base = {
      "batch",      "--template", kTemplate,           "--serials",
      lot.string(), "--out-dir",  t.out_dir().string()};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_cli(argv);
  };
  // Whole lines would make payloads of '.../a/id,serial' and '.../a/1,A1', and the repeated
  // A1 would go unseen.
  CliResult r = with({});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "viscode: serials file '" + lot.string() +
                     "' looks like CSV (every line has a comma): give --column NAME or --column "
                     "N for the serials' column, or --lines if each whole line is a serial\n");
  CHECK(listing(t.out_dir()).empty());
  const std::string repeat = "viscode: serials file '" + lot.string() +
                             "' repeats serial 'A1' on lines 2 and 4: every code must carry a "
                             "unique serial\n";
  r = with({"--column", "serial"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == repeat);
  r = with({"--column", "2"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == repeat);
  r = with({"--column", "3"});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: serials file '" + lot.string() +
                     "' has 2 columns in its header row (id, serial), not 3: give --column a "
                     "name or a number from 1 to 2\n");
  r = with({"--lines", "--column", "serial"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "viscode: --lines and --column contradict each other: give --column for a CSV "
        "column, --lines for whole lines\n");
  CHECK(listing(t.out_dir()).empty());

  // Asked for explicitly, whole lines are serials.
  r = with({"--lines"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string manifest = read_bytes(t.out_dir() / "manifest.csv");
  CHECK(manifest.find("1,\"id,serial\",\"https://v.brand.example/a/id,serial\",000001.png,") !=
        std::string::npos);
  CHECK(manifest.find("4,\"3,A1\",") != std::string::npos);
}

TEST_CASE("cli batch: a missing --out-dir is made with its parents, a used one is refused",
          "[cli][batch]") {
  TempDir t;
  const auto dir = t.root() / "runs" / "2026" / "lot42";
  CliResult r =
      run_cli({"batch", "--template", kTemplate, "--count", "1", "--out-dir", dir.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // One code: the summary says so in the singular.
  CHECK(std::regex_match(r.out, std::regex("1 code \\(version [0-9]+\\) in '.*': 1 made in "
                                           "[0-9.]+ s \\([0-9]+ codes/s\\), 1 file written; "
                                           "manifest .*manifest.csv\n")));
  CHECK(listing(dir) ==
        std::vector<std::string>{"000001.png", "batch-settings.txt", "manifest.csv"});
  const CliResult check = run_cli({"batch", "--check", "--out-dir", dir.string()});
  CHECK(check.out == dir.string() +
                         ": 1 code in 1 file check out (indexes 1..1, unique serials, SHA-256 of "
                         "every file, no other files)\n");

  r = run_cli({"batch", "--template", kTemplate, "--count", "1", "--out-dir", dir.string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: '" + dir.string() +
                     "' already holds a batch (manifest.csv): continue it with --resume, or "
                     "choose an empty --out-dir\n");
  write_bytes(t.out("notes.txt"), "press notes");
  r = run_cli(
      {"batch", "--template", kTemplate, "--count", "1", "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: '" + t.out_dir().string() +
                     "' is not empty (it holds 'notes.txt'): a run goes into a new or empty "
                     "--out-dir; choose one, or move the files away\n");
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("cli batch --check names every bad sheet file, and --resume remakes them",
          "[cli][batch][resume]") {
  TempDir t;
  const auto list = t.in("serials.txt");
  std::ofstream(list) << "S1\nS2\nS3\nS4\nS5\n";
  const std::string dir = t.out_dir().string();
  // 60x90 mm sheets hold two 25 mm codes each: files of indexes 1..2, 3..4 and 5.
  const std::vector<std::string> run = {"batch",       "--template", kTemplate, "--serials",
                                        list.string(), "--sheet",    "60x90mm", "--pages-per-file",
                                        "1",           "--out-dir",  dir};
  REQUIRE(run_cli(run).exit_code == 0);
  const std::string one = read_bytes(t.out("sheets-0001.pdf"));
  const std::string two = read_bytes(t.out("sheets-0002.pdf"));
  write_bytes(t.out("sheets-0001.pdf"), one + "%");
  std::filesystem::remove(t.out("sheets-0002.pdf"));
  write_bytes(t.out("stray.txt"), "x");

  const CliResult check = run_cli({"batch", "--check", "--out-dir", dir});
  CHECK(check.exit_code == 5);
  CHECK(check.out.empty());
  CHECK(check.err ==
        "viscode: file 'sheets-0001.pdf' (indexes 1..2) does not match its SHA-256\n"
        "viscode: file 'sheets-0002.pdf' (indexes 3..4) is missing\n"
        "viscode: file 'stray.txt' is not in the manifest\n"
        "viscode: the batch in '" +
            dir +
            "' does not check out (1 file missing, 1 file altered, 1 extra file; 5 codes in 3 "
            "files): run the batch command again with --resume to remake missing and altered "
            "files and finish the run; move the extra files out of '" +
            dir + "'\n");

  std::vector<std::string> resume = run;
  resume.push_back("--resume");
  const CliResult r = run_cli(resume);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_match(r.out, std::regex("5 codes \\(version [0-9]+\\) in '.*': 0 made in "
                                           "[0-9.]+ s \\([0-9]+ codes/s\\), 5 resumed, 2 files "
                                           "written \\(2 remade\\); manifest .*\n")));
  // Output is deterministic: the remade files are the originals, with the manifest's SHA-256.
  CHECK(read_bytes(t.out("sheets-0001.pdf")) == one);
  CHECK(read_bytes(t.out("sheets-0002.pdf")) == two);
  std::filesystem::remove(t.out("stray.txt"));
  CHECK(run_cli({"batch", "--check", "--out-dir", dir}).exit_code == 0);

  // A file whose manifest rows were edited cannot be remade as they say: nothing is written.
  std::string manifest = read_bytes(t.out("manifest.csv"));
  const auto rows = manifest_rows(t.out_dir());
  REQUIRE(rows.size() == 5);
  const std::string sha = rows[4][6];
  manifest.replace(manifest.rfind(sha), sha.size(), std::string(64, '0'));
  write_bytes(t.out("manifest.csv"), manifest);
  std::filesystem::remove(t.out("sheets-0003.pdf"));
  const CliResult refused = run_cli(resume);
  CHECK(refused.exit_code == 3);
  CHECK(refused.err == "viscode: cannot remake '" + t.out("sheets-0003.pdf").string() +
                           "' (index 5): made again, its SHA-256 is not the manifest's, so the "
                           "manifest was edited; restore the file or the manifest from a copy, "
                           "or start again in a new --out-dir\n");
  CHECK_FALSE(std::filesystem::exists(t.out("sheets-0003.pdf")));
}

TEST_CASE("cli batch --resume remakes a deleted file of a one-file-per-code run",
          "[cli][batch][resume]") {
  TempDir t;
  const std::string dir = t.out_dir().string();
  const std::vector<std::string> run = {"batch", "--template", kTemplate, "--count",
                                        "2",     "--out-dir",  dir};
  REQUIRE(run_cli(run).exit_code == 0);
  const std::string first = read_bytes(t.out("000001.png"));
  std::filesystem::remove(t.out("000001.png"));
  const CliResult check = run_cli({"batch", "--check", "--out-dir", dir});
  CHECK(check.exit_code == 5);
  CHECK(check.err ==
        "viscode: file '000001.png' (index 1) is missing\n"
        "viscode: the batch in '" +
            dir +
            "' does not check out (1 file missing; 2 codes in 2 files): run the "
            "batch command again with --resume to remake missing and altered files "
            "and finish the run\n");
  std::vector<std::string> resume = run;
  resume.push_back("--resume");
  const CliResult r = run_cli(resume);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(", 2 resumed, 1 file written (1 remade); manifest ") != std::string::npos);
  CHECK(read_bytes(t.out("000001.png")) == first);
  CHECK(run_cli({"batch", "--check", "--out-dir", dir}).exit_code == 0);
}

TEST_CASE("cli batch: an unwritable directory is refused before any work", "[cli][batch][errors]") {
  TempDir t;
  // No payload fits version 1: a run that encoded anything before looking at --out-dir would
  // stop with exit 4, not 3.
  const std::vector<std::string> base = {VISCODE_CLI,     "batch", "--template", kTemplate,
                                         "--count",       "3",     "--ec",       "H",
                                         "--max-version", "1"};
  const auto with_out_dir = [&](const std::filesystem::path& dir) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), {"--out-dir", dir.string()});
    return argv;
  };
  const auto err = t.root() / "err.txt";
  REQUIRE(wait_exit(spawn(with_out_dir(t.out_dir()), err)) == 4);

  // A path under a regular file cannot be made by anyone, root included.
  const auto plain = t.root() / "plain.txt";
  write_bytes(plain, "not a directory");
  CHECK(wait_exit(spawn(with_out_dir(plain / "run1"), err)) == 3);
  CHECK(slurp(err) == "viscode: cannot create '" + (plain / "run1").string() + "': '" +
                          plain.string() + "' is a file, not a folder; choose another --out-dir\n");

  // A directory without write permission. Root may write anywhere: run as nobody then, as a
  // press operator's account would, but only where nobody can run the binary at all (not
  // from a build tree in a directory others cannot enter, such as /root).
  const auto locked = t.root() / "locked";
  std::filesystem::create_directory(locked);
  std::filesystem::permissions(
      locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                  std::filesystem::perms::group_read | std::filesystem::perms::group_exec |
                  std::filesystem::perms::others_read | std::filesystem::perms::others_exec);
  std::vector<std::string> argv = with_out_dir(locked);
  if (geteuid() == 0) {
    const std::vector<std::string> as_nobody = {"/usr/bin/setpriv", "--reuid=65534",
                                                "--regid=65534", "--clear-groups"};
    if (!std::filesystem::exists(as_nobody[0])) {
      WARN("running as root without setpriv: only the path under a file is tested");
      return;
    }
    std::filesystem::permissions(t.root(), std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
    std::vector<std::string> probe = as_nobody;
    probe.insert(probe.end(), {VISCODE_CLI, "--version"});
    if (wait_exit(spawn(probe, err)) != 0) {
      WARN("user nobody cannot run " << VISCODE_CLI << " (" << slurp(err)
                                     << "): only the path under a file is tested");
      return;
    }
    argv.insert(argv.begin(), as_nobody.begin(), as_nobody.end());
  }
  CHECK(wait_exit(spawn(argv, err)) == 3);
  CHECK(slurp(err) == "viscode: cannot write in '" + locked.string() +
                          "' (Permission denied): fix its permissions or choose another "
                          "--out-dir\n");
  CHECK(std::filesystem::is_empty(locked));
}

TEST_CASE("cli batch: a full disk stops the run cleanly and --resume completes it",
          "[cli][batch][errors]") {
  TempDir t;
  const auto list = serials(t, 5);
  const std::string args = "batch --logo '" + kBrandPng + "' --template '" + kTemplate +
                           "' --serials '" + list.string() +
                           "' --column serial --jobs 1 --out-dir '" + t.out_dir().string() + "'";
  // A 2 KiB file-size limit: the settings and the manifest's header fit, a code does not,
  // and write() fails as on a full disk (SIGXFSZ ignored, as bash passes it on).
  const auto err = t.root() / "err.txt";
  const int code = wait_exit(
      spawn({"/bin/bash", "-c",
             "trap '' XFSZ; ulimit -f 2; exec '" + std::string(VISCODE_CLI) + "' " + args},
            err));
  CHECK(code == 3);
  CHECK(slurp(err) == "viscode: cannot write '" + (t.out_dir() / "000001.png").string() +
                          "' (File too large): check free space and permissions; 0 of 5 codes "
                          "are done: run the same command with --resume to make the rest\n");
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"batch-settings.txt", "manifest.csv"});
  CHECK(lines_in(t.out_dir() / "manifest.csv") == 1);

  const CliResult r =
      run_cli({"batch", "--logo", kBrandPng, "--template", kTemplate, "--serials", list.string(),
               "--column", "serial", "--jobs", "1", "--out-dir", t.out_dir().string(), "--resume"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(run_cli({"batch", "--check", "--out-dir", t.out_dir().string()}).exit_code == 0);
}

namespace {

// The pid of the process holding a flock on dir, from the kernel's table of locks; 0 when
// none does.
long flock_holder(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return 0;
  std::ifstream in("/proc/locks");
  std::string line;
  std::string inode = ":";
  inode += std::to_string(st.st_ino);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string n, kind, mode, access, pid, id;
    fields >> n >> kind >> mode >> access >> pid >> id;
    if (kind == "FLOCK" && id.ends_with(inode)) return std::stol(pid);
  }
  return 0;
}

// Waits (up to 30 s) until `pid` holds dir's lock, then stops it there: whatever runs next
// starts for certain while it holds the lock. SIGCONT it afterwards.
void stop_while_locked(pid_t pid, const std::filesystem::path& dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (flock_holder(dir) != pid && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  REQUIRE(flock_holder(dir) == pid);
  REQUIRE(kill(pid, SIGSTOP) == 0);
}

}  // namespace

TEST_CASE("cli batch: two --resume in one --out-dir at once, exactly one runs",
          "[cli][batch][resume]") {
  TempDir t;
  const auto list = serials(t, 400);
  const auto dir = t.root() / "run";
  std::vector<std::string> args = {
      VISCODE_CLI, "batch",  "--template", kTemplate,   "--serials",  list.string(), "--column",
      "serial",    "--jobs", "1",          "--out-dir", dir.string(), "--resume"};
  const std::vector<std::string> cli_args(args.begin() + 1, args.end());
  // A complete run, then cut back to its first 10 rows: the state a killed run leaves.
  REQUIRE(run_cli(cli_args).exit_code == 0);
  const std::string complete = slurp(dir / "manifest.csv");
  REQUIRE(lines_in(dir / "manifest.csv") == 401);
  std::size_t cut = 0;
  for (int n = 0; n < 11; ++n) cut = complete.find('\n', cut) + 1;
  write_bytes(dir / "manifest.csv", complete.substr(0, cut));

  // The first resume holds the directory's lock for its whole run; stopped while it holds
  // it, the second one starts for certain while the first is running.
  const pid_t first = spawn(args, t.root() / "first-err.txt");
  stop_while_locked(first, dir);
  const CliResult second = run_cli(cli_args);
  REQUIRE(kill(first, SIGCONT) == 0);
  CHECK(second.exit_code == 3);
  CHECK(second.out.empty());
  CHECK(second.err == "viscode: --out-dir '" + dir.string() +
                          "' is in use by another viscode batch (process " + std::to_string(first) +
                          "): wait for it to end, or stop it, then run the command again\n");
  CHECK(wait_exit(first) == 0);
  CHECK(slurp(t.root() / "first-err.txt").empty());
  // Exactly the rows of the uninterrupted run: 400, none twice.
  CHECK(lines_in(dir / "manifest.csv") == 401);
  CHECK(slurp(dir / "manifest.csv") == complete);
  CHECK(run_cli({"batch", "--check", "--out-dir", dir.string()}).exit_code == 0);
  // The lock ends with the run: resuming the complete run now works.
  const CliResult after = run_cli(cli_args);
  CHECK(after.exit_code == 0);
  CHECK(after.out.find(", 400 resumed") != std::string::npos);
}

TEST_CASE(
    "cli batch: serials the ledger would refuse stop the run before any file, in the "
    "ledger's words",
    "[cli][batch][errors]") {
  TempDir t;
  const auto db = t.root() / "ledger.db";
  const auto dir = t.root() / "run";
  for (const std::string& bad : {std::string(300, 'L'), std::string("S2\x01X"),
                                 std::string("S3\xff\xfe"), std::string("S4\x7f")}) {
    INFO(bad.size());
    const auto list = t.in("bad.txt");
    write_bytes(list, "S1\n" + bad + "\nS5\n");
    const CliResult r = run_cli(
        {"batch", "--template", kTemplate, "--serials", list.string(), "--out-dir", dir.string()});
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(dir));
    // The rule and its wording are the ledger's own.
    const CliResult ledger = run_cli({"ledger", "--db", db.string(), "status", bad});
    REQUIRE(ledger.err.starts_with("viscode: unknown serial format: "));
    CHECK(r.err == "viscode: line 2 of '" + list.string() +
                       "': " + ledger.err.substr(9, ledger.err.size() - 10) + "; fix the file\n");
    // An existing empty --out-dir stays empty.
    const CliResult again = run_cli({"batch", "--template", kTemplate, "--serials", list.string(),
                                     "--out-dir", t.out_dir().string()});
    CHECK(again.err == r.err);
    CHECK(listing(t.out_dir()).empty());
  }
  const auto list = t.in("bad.txt");
  write_bytes(list, "S1\nS2\x01X\n");
  const CliResult r = run_cli(
      {"batch", "--template", kTemplate, "--serials", list.string(), "--out-dir", dir.string()});
  CHECK(r.err == "viscode: line 2 of '" + list.string() +
                     "': unknown serial format: 'hex:53320158' is not a serial (a control "
                     "character): a serial is 1 to 256 bytes of printable text without leading "
                     "or trailing spaces, as viscode batch issues them; fix the file\n");
}

TEST_CASE("cli batch: a 10 MB serial is refused with a short message", "[cli][batch][errors]") {
  TempDir t;
  const auto list = t.in("huge.txt");
  write_bytes(list, "S1\n" + std::string(10 * 1024 * 1024, 'Q') + "\n");
  const CliResult r = run_cli({"batch", "--template", kTemplate, "--serials", list.string(),
                               "--out-dir", t.out_dir().string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: line 2 of '" + list.string() +
                     "' is over 64 KiB: a serials file has one serial (or CSV row) a line\n");
  CHECK(r.err.size() < 400 + list.string().size());
  CHECK(listing(t.out_dir()).empty());
}

TEST_CASE("cli batch: a quoted line break in a CSV serials file is refused by its line",
          "[cli][batch][errors]") {
  TempDir t;
  const auto list = t.in("lot.csv");
  write_bytes(list, "sku,serial\nP-7,S1\nP-7,\"AB\nCD\"\nP-7,S2\n");
  const auto dir = t.root() / "run";
  const CliResult r = run_cli({"batch", "--template", kTemplate, "--serials", list.string(),
                               "--column", "serial", "--out-dir", dir.string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: line 3 of '" + list.string() +
                     "' has a quoted field that is not closed on its line: a serial cannot hold "
                     "a line break; close the quote on the same line\n");
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE(
    "cli batch: serials that start like a formula are guarded in manifest.csv and "
    "survive --resume, --check and the ledger",
    "[cli][batch]") {
  TempDir t;
  const auto list = t.in("lot.csv");
  write_bytes(list, "serial\n=1+1\n-123\n@SUM(A1)\n+5\n'=x\nOK1\n");
  const auto dir = t.root() / "run";
  const std::vector<std::string> args = {"batch",     "--template",  kTemplate,
                                         "--serials", list.string(), "--column",
                                         "serial",    "--out-dir",   dir.string()};
  REQUIRE(run_cli(args).exit_code == 0);
  // The manifest's bytes but for each file's SHA-256 (its last 64 characters).
  std::istringstream manifest(read_bytes(dir / "manifest.csv"));
  std::string line, text;
  while (std::getline(manifest, line)) {
    text += (line.size() > 64 && line != "index,serial,payload,file,page,position,sha256"
                 ? line.substr(0, line.size() - 64) + "<sha>"
                 : line) +
            "\n";
  }
  CHECK(text ==
        "index,serial,payload,file,page,position,sha256\n"
        "1,\"'=1+1\",https://v.brand.example/a/=1+1,000001.png,,,<sha>\n"
        "2,\"'-123\",https://v.brand.example/a/-123,000002.png,,,<sha>\n"
        "3,\"'@SUM(A1)\",https://v.brand.example/a/@SUM(A1),000003.png,,,<sha>\n"
        "4,\"'+5\",https://v.brand.example/a/+5,000004.png,,,<sha>\n"
        "5,\"''=x\",https://v.brand.example/a/'=x,000005.png,,,<sha>\n"
        "6,OK1,https://v.brand.example/a/OK1,000006.png,,,<sha>\n");
  check_reads_back(dir / "000001.png", "https://v.brand.example/a/=1+1");
  // Read back by --resume (each serial against the file), --check and ledger import.
  std::vector<std::string> resume = args;
  resume.push_back("--resume");
  const CliResult resumed = run_cli(resume);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out.find(", 6 resumed") != std::string::npos);
  CHECK(run_cli({"batch", "--check", "--out-dir", dir.string()}).exit_code == 0);
  const std::string db = (t.root() / "ledger.db").string();
  const CliResult imported = run_cli({"ledger", "--db", db, "import", dir.string()});
  CHECK(imported.exit_code == 0);
  CHECK(imported.out == "imported " + dir.string() + ": 6 rows, 6 new serials, 0 already issued\n");
  const CliResult scan = run_cli({"ledger", "--db", db, "scan", (dir / "000001.png").string()});
  CHECK(scan.out == "genuine, first scan: serial =1+1 (batch run)\n");
  const CliResult status = run_cli({"ledger", "--db", db, "status", "'=x"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.starts_with("'=x: issued in batch run at "));
  const CliResult minus = run_cli({"ledger", "--db", db, "status", "--", "-123"});
  CHECK(minus.out.starts_with("-123: issued in batch run at "));
}

TEST_CASE("cli batch: a fresh run refuses a directory another run holds, by the same lock",
          "[cli][batch]") {
  TempDir t;
  const auto list = serials(t, 300);
  const auto dir = t.root() / "run";
  const std::vector<std::string> args = {VISCODE_CLI, "batch",       "--template", kTemplate,
                                         "--serials", list.string(), "--column",   "serial",
                                         "--jobs",    "1",           "--out-dir",  dir.string()};
  const pid_t first = spawn(args, t.root() / "first-err.txt");
  stop_while_locked(first, dir);
  // Whatever the first has written so far, the second learns of it by the lock, not by
  // finding the directory empty or not.
  const CliResult second = run_cli(std::vector<std::string>(args.begin() + 1, args.end()));
  REQUIRE(kill(first, SIGCONT) == 0);
  CHECK(second.exit_code == 3);
  CHECK(second.err == "viscode: --out-dir '" + dir.string() +
                          "' is in use by another viscode batch (process " + std::to_string(first) +
                          "): wait for it to end, or stop it, then run the command again\n");
  CHECK(wait_exit(first) == 0);
  CHECK(lines_in(dir / "manifest.csv") == 301);
  CHECK(run_cli({"batch", "--check", "--out-dir", dir.string()}).exit_code == 0);
}
