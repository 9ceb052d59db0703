// Serialised runs as a printing house runs them: `viscode batch` processes, timed from the
// outside (wall clock, peak RSS from wait4), against the two ways a user could do without
// it: the qrencode CLI in a loop (plain codes, no logo) and one `viscode encode` process
// per code. Every loop runs two processes at once, as the batch runs two workers.
//
//   bench_batch [scale]   scale 1 (default) = the published runs, 0.1 for a quick look
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

const std::string kCli = VISCODE_CLI;
const std::string kLogo = std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png";
const std::string kTemplate = "https://v.brand.example/a/{serial}";

struct Outcome {
  double seconds = 0;
  long peak_rss_kb = 0;
  int exit_code = 0;
};

pid_t start(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    std::fprintf(stderr, "cannot start %s\n", args[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Waits for one child; its exit code and peak RSS.
Outcome finish(pid_t pid) {
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Outcome o;
  o.peak_rss_kb = usage.ru_maxrss;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

Outcome run(const std::vector<std::string>& argv) {
  const auto t0 = std::chrono::steady_clock::now();
  Outcome o = finish(start(argv));
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.exit_code != 0) {
    std::fprintf(stderr, "%s exited %d\n", argv[0].c_str(), o.exit_code);
    std::exit(1);
  }
  return o;
}

// One process per code, two at a time: what a shell loop with `xargs -P 2` costs.
double loop(int n, const std::function<std::vector<std::string>(int)>& argv_for) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<pid_t> running;
  for (int i = 0; i < n; ++i) {
    if (running.size() == 2) {
      finish(running.front());
      running.erase(running.begin());
    }
    running.push_back(start(argv_for(i)));
  }
  for (pid_t p : running) finish(p);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("viscode-bench-batch-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string serial(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "BENCH%011d", i);
  return buf;
}

Outcome batch(const std::string& name, int count, const std::vector<std::string>& extra) {
  const fs::path dir = fresh_dir(name);
  std::vector<std::string> argv = {kCli,         "batch",   "--logo",    kLogo,
                                   "--template", kTemplate, "--count",   std::to_string(count),
                                   "--jobs",     "2",       "--out-dir", dir.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const Outcome o = run(argv);
  fs::remove_all(dir);
  return o;
}

void row(const char* what, int codes, double seconds, long rss_kb) {
  std::printf("| %s | %d | %.1f | %.0f | %s |\n", what, codes, seconds, codes / seconds,
              rss_kb > 0 ? (std::to_string(rss_kb / 1024) + " MiB").c_str() : "-");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  const auto n = [scale](int full) { return std::max(10, static_cast<int>(full * scale)); };
  std::printf(
      "Sample logo (samples/brand.png), halftone, 25 mm at 600 dpi, payload %s with a "
      "16-character serial, 2 worker processes or threads.\n\n",
      kTemplate.c_str());
  std::printf("| run | codes | seconds | codes/s | peak RSS |\n|---|---:|---:|---:|---:|\n");

  {
    const int c = n(1000);
    const Outcome o = batch("png", c, {"--format", "png"});
    row("viscode batch, PNG files", c, o.seconds, o.peak_rss_kb);
  }
  {
    const int c = n(1000);
    const Outcome o = batch("svg", c, {"--format", "svg"});
    row("viscode batch, SVG files", c, o.seconds, o.peak_rss_kb);
  }
  for (const int full : {10000, 100000}) {
    const int c = n(full);
    const Outcome o = batch("sheets", c, {"--sheet", "A4", "--crop-marks", "--label"});
    row(("viscode batch, PDF sheets A4 (" + std::to_string(c) + " codes)").c_str(), c, o.seconds,
        o.peak_rss_kb);
  }
  {
    // Plain codes of the same payloads at the same pixel size: 13 px modules, 4 quiet.
    const int c = n(500);
    const fs::path dir = fresh_dir("qrencode");
    const double s = loop(c, [&](int i) {
      return std::vector<std::string>{"qrencode",
                                      "-l",
                                      "H",
                                      "-s",
                                      "13",
                                      "-m",
                                      "4",
                                      "-o",
                                      (dir / (std::to_string(i) + ".png")).string(),
                                      "https://v.brand.example/a/" + serial(i)};
    });
    fs::remove_all(dir);
    row("qrencode CLI loop, plain PNG (no logo)", c, s, 0);
  }
  {
    const int c = n(200);
    const fs::path dir = fresh_dir("encode");
    const double s = loop(c, [&](int i) {
      return std::vector<std::string>{kCli,     "encode",
                                      "--logo", kLogo,
                                      "--data", "https://v.brand.example/a/" + serial(i),
                                      "-o",     (dir / (std::to_string(i) + ".png")).string()};
    });
    fs::remove_all(dir);
    row("viscode encode, one process per PNG", c, s, 0);
  }
  return 0;
}
